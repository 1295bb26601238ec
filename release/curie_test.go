package release

import "testing"

func TestNormalizeCURIE(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"GENO:GENO_0000458", "GENO:0000458"}, {"geno:GENO_0000136", "geno:0000136"},
		{"MONDO:MONDO_0014306", "MONDO:0014306"}, {"GENO:0000458", "GENO:0000458"},
		{"GENO:HP_0000458", "GENO:HP_0000458"}, {"GENO:GENO_", "GENO:GENO_"}, {"GENO:GENO_12a", "GENO:GENO_12a"},
		{"MONDO:MONDO:0014306,MedGen:C3887654", "MONDO:MONDO:0014306,MedGen:C3887654"}, {"plain", "plain"}, {"", ""},
	} {
		if got, _ := NormalizeCURIE(tc.in); got != tc.want {
			t.Errorf("NormalizeCURIE(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
