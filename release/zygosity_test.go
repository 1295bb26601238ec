package release

import (
	"regexp"
	"testing"
)

// TestZygosityHierarchy checks the built-in branch is one tree under GENO:0000133 with GENO's
// placement of the terms queried by parent.
func TestZygosityHierarchy(t *testing.T) {
	id := regexp.MustCompile(`^GENO:\d{7}$`)
	parent := map[string]string{}
	for _, z := range ZygosityHierarchy() {
		if !id.MatchString(z.ID) || z.Label == "" {
			t.Errorf("term %+v", z)
		}
		if _, dup := parent[z.ID]; dup {
			t.Errorf("%s listed twice", z.ID)
		}
		switch len(z.Parents) {
		case 0:
			if z.ID != "GENO:0000133" {
				t.Errorf("%s has no parent", z.ID)
			}
		case 1:
			if _, ok := parent[z.Parents[0]]; !ok {
				t.Errorf("%s: parent %s not listed before it", z.ID, z.Parents[0])
			}
		default:
			t.Errorf("%s: %d parents", z.ID, len(z.Parents))
		}
		parent[z.ID] = ""
		if len(z.Parents) == 1 {
			parent[z.ID] = z.Parents[0]
		}
	}
	under := func(c, a string) bool {
		for p := parent[c]; p != ""; p = parent[p] {
			if p == a {
				return true
			}
		}
		return false
	}
	for _, c := range []struct{ child, ancestor string }{
		{"GENO:0000458", "GENO:0000135"}, {"GENO:0000402", "GENO:0000135"}, {"GENO:0000458", "GENO:0000391"},
		{"GENO:0000136", "GENO:0000391"}, {"GENO:0000134", "GENO:0000391"}, {"GENO:0000604", "GENO:0000134"},
		{"GENO:0000393", "GENO:0000392"}, {"GENO:0000137", "GENO:0000133"},
	} {
		if !under(c.child, c.ancestor) {
			t.Errorf("%s is not under %s", c.child, c.ancestor)
		}
	}
	if under("GENO:0000136", "GENO:0000135") || under("GENO:0000393", "GENO:0000391") {
		t.Error("homozygous under heterozygous, or aneusomic under disomic")
	}
	if ZygosityLabel("GENO:0000458") != "simple heterozygous" || ZygosityLabel("HP:0000001") != "" {
		t.Error("ZygosityLabel")
	}
}
