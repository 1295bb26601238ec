package release

import (
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// Assembly ids as stored in a release. Every alias is folded into one of these at ingest, so
// the engine compares assemblies with ==.
const (
	GRCh37 = "GRCh37"
	GRCh38 = "GRCh38"
)

// NormalizeAssembly folds the common spellings of the two human assemblies into GRCh37 or
// GRCh38: UCSC names (hg19, hg38), patch releases (GRCh37.p13), the 1000 Genomes / GATK
// bundle names (b37, hs37d5, b38, hs38DH) and the RefSeq assembly accessions (GCF_000001405.13
// to .25 are GRCh37 and its patches, .26 to .40 GRCh38 and its patches). Anything else is
// returned trimmed but otherwise unchanged, so an unknown assembly still compares equal to
// itself.
func NormalizeAssembly(s string) string {
	s = strings.TrimSpace(s)
	// The canonical spellings come with every variant query: answer them without lowering.
	if s == GRCh37 || s == GRCh38 {
		return s
	}
	l := strings.ToLower(s)
	switch l {
	case "grch37", "hg19", "b37", "hs37d5", "hs37", "grch37-lite":
		return GRCh37
	case "grch38", "hg38", "b38", "hs38", "hs38d1", "hs38dh":
		return GRCh38
	}
	if p, ok := strings.CutPrefix(l, "grch37.p"); ok && lexical.AllDigits(p) {
		return GRCh37
	}
	if p, ok := strings.CutPrefix(l, "grch38.p"); ok && lexical.AllDigits(p) {
		return GRCh38
	}
	if v, ok := strings.CutPrefix(l, "gcf_000001405."); ok && lexical.AllDigits(v) {
		n, _ := strconv.Atoi(v)
		switch {
		case n >= 13 && n <= 25:
			return GRCh37
		case n >= 26 && n <= 40:
			return GRCh38
		}
	}
	return s
}

// refSeqChrom is what a RefSeq chromosome accession (with version) names.
type refSeqChrom struct {
	chrom, assembly string
}

// RefSeq versions of the primary chromosomes 1..22, X, Y. The version, not the number,
// tells the assembly, and it differs per chromosome: chr22 is NC_000022.10 in GRCh37 and .11
// in GRCh38, but chr7 is NC_000007.13 and .14 (NCBI assembly reports GCF_000001405.25 and .40).
var (
	grch37Versions = [24]int{10, 11, 11, 11, 9, 11, 13, 10, 11, 10, 9, 11, 10, 8, 9, 9, 10, 9, 9, 10, 8, 10, 10, 9}
	grch38Versions = [24]int{11, 12, 12, 12, 10, 12, 14, 11, 12, 11, 10, 12, 11, 9, 10, 10, 11, 10, 10, 11, 9, 11, 11, 10}
)

// refSeqByAccession maps each versioned RefSeq accession of the GRCh37 and GRCh38 primary
// chromosomes to its chromosome and assembly; accessionByChrom is the reverse. The
// mitochondrion NC_012920.1 (rCRS) is shared by both, so it implies no assembly; NC_001807.4
// is the older chrM of UCSC hg19.
var refSeqByAccession, accessionByChrom = buildRefSeqTables()

func buildRefSeqTables() (map[string]refSeqChrom, map[refSeqChrom]string) {
	byAcc := map[string]refSeqChrom{}
	byChrom := map[refSeqChrom]string{}
	for i := 0; i < 24; i++ {
		chrom := strconv.Itoa(i + 1)
		switch i {
		case 22:
			chrom = "X"
		case 23:
			chrom = "Y"
		}
		base := "NC_0000" + pad2(i+1) + "."
		for _, a := range []struct {
			asm string
			v   int
		}{{GRCh37, grch37Versions[i]}, {GRCh38, grch38Versions[i]}} {
			acc := base + strconv.Itoa(a.v)
			byAcc[acc] = refSeqChrom{chrom, a.asm}
			byChrom[refSeqChrom{chrom, a.asm}] = acc
		}
	}
	byAcc["NC_012920.1"] = refSeqChrom{"MT", ""}
	byAcc["NC_001807.4"] = refSeqChrom{"MT", GRCh37}
	byChrom[refSeqChrom{"MT", GRCh37}] = "NC_012920.1"
	byChrom[refSeqChrom{"MT", GRCh38}] = "NC_012920.1"
	return byAcc, byChrom
}

func pad2(i int) string {
	if i < 10 {
		return "0" + strconv.Itoa(i)
	}
	return strconv.Itoa(i)
}

// ChromRank orders the normalised primary chromosomes: "1".."22" as 1..22, X 23, Y 24, MT
// 25; ok is false for any other name (a contig stored as given), which callers order after.
func ChromRank(chrom string) (rank int, ok bool) {
	switch chrom {
	case "X":
		return 23, true
	case "Y":
		return 24, true
	case "MT":
		return 25, true
	}
	if n, err := strconv.Atoi(chrom); err == nil && n >= 1 && n <= 22 && chrom[0] != '0' && chrom[0] != '+' {
		return n, true
	}
	return 0, false
}

// NormalizeChrom turns a chromosome name as found in VCF, BFF or a request into the one
// spelling a release stores: "1".."22", "X", "Y", "MT". It accepts bare names, a "chr" prefix
// in any case, M for MT, and versioned RefSeq accessions with or without a "refseq:" prefix;
// for those it also returns the assembly the version implies ("" otherwise). The whole name
// must match: "chr22_KI270731v1_random", "01", an unknown accession version or anything else
// gives ok=false, never a prefix or substring match ("1" is not "19").
func NormalizeChrom(name string) (chrom, assembly string, ok bool) {
	s := strings.TrimSpace(name)
	if len(s) > 7 && strings.EqualFold(s[:7], "refseq:") {
		s = s[7:]
		return lookupRefSeq(s)
	}
	if len(s) > 3 && strings.EqualFold(s[:3], "NC_") {
		return lookupRefSeq(s)
	}
	if len(s) > 3 && strings.EqualFold(s[:3], "chr") {
		s = s[3:]
	}
	switch strings.ToUpper(s) {
	case "X":
		return "X", "", true
	case "Y":
		return "Y", "", true
	case "M", "MT":
		return "MT", "", true
	}
	if len(s) == 0 || len(s) > 2 || s[0] == '0' || !lexical.AllDigits(s) {
		return "", "", false
	}
	n, _ := strconv.Atoi(s)
	if n < 1 || n > 22 {
		return "", "", false
	}
	return s, "", true
}

func lookupRefSeq(acc string) (string, string, bool) {
	c, ok := refSeqByAccession[strings.ToUpper(acc)]
	if !ok {
		return "", "", false
	}
	return c.chrom, c.assembly, true
}

// RefSeqAccession returns the versioned RefSeq accession of a normalised chromosome in a
// normalised assembly (e.g. "22", "GRCh37" → "NC_000022.10"). Ingest uses it to give a
// variant a valid VRS sequence_id when the source had none.
func RefSeqAccession(chrom, assembly string) (string, bool) {
	acc, ok := accessionByChrom[refSeqChrom{chrom, assembly}]
	return acc, ok
}
