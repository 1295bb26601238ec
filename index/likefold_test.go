package index

import (
	"strings"
	"testing"
)

// likeMatchKey answers (for patterns with a %, the only ones it is given) as likeMatch of the value lower-cased, for ASCII values (compared
// without a copy) and others, and allocates nothing for an ASCII value.
func TestLikeMatchKeyAsLowerCased(t *testing.T) {
	patterns := []string{"%", "%a%", "eng%", "%LAND", "e%g%d", "%an%la%", "%é%", "%k%", "ab%ba", "%%", "x%"}
	keys := []string{"England", "ENGLAND", "eng", "Scotland", "", "a", "Été", "ÉTÉ", "\u212a", "KELVIN", "abba", "aba", "ab", "Ba", "Ab Ba"}
	for _, p := range patterns {
		parts := strings.Split(strings.ToLower(p), "%")
		for _, k := range keys {
			if got, want := likeMatchKey(parts, k), likeMatch(parts, strings.ToLower(k)); got != want {
				t.Errorf("pattern %q, value %q: %v, want %v", p, k, got, want)
			}
		}
	}
	parts := strings.Split("%gl%", "%")
	if n := testing.AllocsPerRun(100, func() { likeMatchKey(parts, "England") }); n != 0 {
		t.Errorf("%v allocations for an ASCII value", n)
	}
}
