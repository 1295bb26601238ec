package release

import (
	"fmt"
	"slices"
	"testing"
)

func TestEffectEquivalents(t *testing.T) {
	// Every id of Ensembl's consequence table is one consequence with an SO id.
	for n := 140; n <= 174; n++ {
		id := fmt.Sprintf("ENSGLOSSARY:%07d", n)
		eq := EffectEquivalents(id)
		if len(eq) == 0 || EffectLabel(id) == "" {
			t.Errorf("%s: equivalents %v, label %q", id, eq, EffectLabel(id))
		}
		// The relation is symmetric and never lists the id itself.
		for _, o := range eq {
			if o == id || !slices.Contains(EffectEquivalents(o), id) {
				t.Errorf("%s ~ %s is not symmetric: %v", id, o, EffectEquivalents(o))
			}
		}
	}
	if got := EffectEquivalents("ENSGLOSSARY:0000150"); !slices.Equal(got, []string{"SO:0001583"}) {
		t.Errorf("missense: %v", got)
	}
	// SnpEff's intergenic_region joins intergenic_variant's class through the glossary id.
	if got := EffectEquivalents("SO:0000605"); !slices.Equal(got, []string{"ENSGLOSSARY:0000174", "SO:0001628"}) {
		t.Errorf("intergenic_region: %v", got)
	}
	// An effect with an SO id only, and terms of other ontologies, have none.
	for _, id := range []string{"SO:0001825", "GENO:0000458", "ENSGLOSSARY:0000000", "SO:9999999"} {
		if eq := EffectEquivalents(id); eq != nil {
			t.Errorf("%s: %v", id, eq)
		}
	}
	if e, ok := EffectByName("intergenic_region"); !ok || e.ID() != "ENSGLOSSARY:0000174" {
		t.Errorf("intergenic_region writes %q", e.ID())
	}
	if e, ok := EffectByName("conservative_inframe_deletion"); !ok || e.ID() != "SO:0001825" {
		t.Errorf("conservative_inframe_deletion writes %q", e.ID())
	}
	if EffectLabel("SO:0001628") != "intergenic_variant" || EffectLabel("GENO:0000458") != "" {
		t.Errorf("labels %q %q", EffectLabel("SO:0001628"), EffectLabel("GENO:0000458"))
	}
}
