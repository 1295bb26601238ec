package release

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// NormalizeCURIE folds the OBO-IRI-derived spelling "GENO:GENO_0000458" to "GENO:0000458":
// a prefix repeated (case-insensitively) before an underscore and digits. BFF files written
// from OWL exports carry it (the CINECA variants' zygosity ids do), queries from other
// Beacons carry either spelling, so ingest folds the records and the engine the queries.
// It reports whether s changed.
func NormalizeCURIE(s string) (string, bool) {
	i := strings.IndexByte(s, ':')
	if i < 1 || len(s) < 2*i+3 {
		return s, false
	}
	pfx, rest := s[:i], s[i+1:]
	if !strings.EqualFold(rest[:i], pfx) || rest[i] != '_' || !lexical.AllDigits(rest[i+1:]) {
		return s, false
	}
	for j := 0; j < i; j++ {
		c := pfx[j]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return s, false
		}
	}
	return pfx + ":" + rest[i+1:], true
}
