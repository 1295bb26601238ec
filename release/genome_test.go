package release

import "testing"

func TestNormalizeAssembly(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"GRCh37", GRCh37}, {"grch37", GRCh37}, {"hg19", GRCh37}, {"HG19", GRCh37},
		{"GRCh37.p13", GRCh37}, {"grch37.P5", GRCh37}, {"b37", GRCh37}, {"hs37d5", GRCh37},
		{"GCF_000001405.25", GRCh37}, {"GCF_000001405.13", GRCh37}, {" hg19 ", GRCh37},
		{"GRCh38", GRCh38}, {"hg38", GRCh38}, {"GRCh38.p14", GRCh38}, {"hs38DH", GRCh38},
		{"GCF_000001405.26", GRCh38}, {"GCF_000001405.39", GRCh38}, {"GCF_000001405.40", GRCh38},
		{"GCF_000001405.12", "GCF_000001405.12"}, {"GCF_000001405.41", "GCF_000001405.41"},
		{"GRCh37.p", "GRCh37.p"}, {"GRCh37.px", "GRCh37.px"}, {"hg18", "hg18"},
		{"  CHM13v2 ", "CHM13v2"}, {"", ""},
	} {
		if got := NormalizeAssembly(tc.in); got != tc.want {
			t.Errorf("NormalizeAssembly(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeChrom(t *testing.T) {
	for _, tc := range []struct {
		in         string
		chrom, asm string
		ok         bool
	}{
		{"22", "22", "", true}, {"chr22", "22", "", true}, {"CHR22", "22", "", true}, {"Chr22", "22", "", true},
		{"1", "1", "", true}, {"19", "19", "", true}, {"X", "X", "", true}, {"chrX", "X", "", true},
		{"x", "X", "", true}, {"Y", "Y", "", true}, {"chrY", "Y", "", true},
		{"M", "MT", "", true}, {"MT", "MT", "", true}, {"chrM", "MT", "", true}, {"chrMT", "MT", "", true},
		{" 7 ", "7", "", true},
		{"NC_000001.10", "1", GRCh37, true}, {"NC_000001.11", "1", GRCh38, true},
		{"NC_000022.10", "22", GRCh37, true}, {"NC_000022.11", "22", GRCh38, true},
		{"NC_000007.13", "7", GRCh37, true}, {"NC_000007.14", "7", GRCh38, true},
		{"NC_000021.8", "21", GRCh37, true}, {"NC_000021.9", "21", GRCh38, true},
		{"NC_000014.8", "14", GRCh37, true}, {"NC_000005.10", "5", GRCh38, true},
		{"NC_000002.11", "2", GRCh37, true}, {"NC_000002.12", "2", GRCh38, true},
		{"nc_000022.11", "22", GRCh38, true},
		{"NC_000023.10", "X", GRCh37, true}, {"NC_000023.11", "X", GRCh38, true},
		{"NC_000024.9", "Y", GRCh37, true}, {"NC_000024.10", "Y", GRCh38, true},
		{"NC_012920.1", "MT", "", true}, {"refseq:NC_000022.10", "22", GRCh37, true},
		{"refseq:NC_000017.11", "17", GRCh38, true}, {"RefSeq:NC_000024.10", "Y", GRCh38, true},
		{"refseq:NC_012920.1", "MT", "", true},
		// Never a prefix, substring or loose match.
		{"chr22_KI270731v1_random", "", "", false}, {"chr1_gl000191_random", "", "", false},
		{"0", "", "", false}, {"01", "", "", false}, {"23", "", "", false}, {"chr", "", "", false},
		{"", "", "", false}, {"chrUn_gl000220", "", "", false}, {"GL000192.1", "", "", false},
		{"NC_000022.9", "", "", false}, {"NC_000022", "", "", false}, {"NC_000025.10", "", "", false},
		{"NC_000007.11", "", "", false}, {"NC_000021.10", "", "", false}, {"NC_000001.12", "", "", false},
		{"refseq:22", "", "", false}, {"NC_000001.100", "", "", false}, {"chrchr1", "", "", false},
		{"hs37d5", "", "", false}, {"MTX", "", "", false}, {"1a", "", "", false},
	} {
		chrom, asm, ok := NormalizeChrom(tc.in)
		if chrom != tc.chrom || asm != tc.asm || ok != tc.ok {
			t.Errorf("NormalizeChrom(%q) = %q, %q, %v; want %q, %q, %v", tc.in, chrom, asm, ok, tc.chrom, tc.asm, tc.ok)
		}
	}
}

func TestRefSeqAccessionRoundTrip(t *testing.T) {
	for _, asm := range []string{GRCh37, GRCh38} {
		for _, c := range []string{"1", "9", "10", "22", "X", "Y", "MT"} {
			acc, ok := RefSeqAccession(c, asm)
			if !ok {
				t.Fatalf("RefSeqAccession(%s, %s) missing", c, asm)
			}
			chrom, a, ok := NormalizeChrom("refseq:" + acc)
			if !ok || chrom != c || (a != asm && c != "MT") {
				t.Errorf("%s %s → %s → %s %s %v", c, asm, acc, chrom, a, ok)
			}
		}
	}
	if _, ok := RefSeqAccession("22", "hg19"); ok {
		t.Error("RefSeqAccession must take a normalised assembly")
	}
}
