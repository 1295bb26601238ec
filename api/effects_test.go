package api

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/release"
)

// TestMolecularEffectsEitherIngest asks the CINECA cohort, ingested once from its BFF
// variants (Ensembl glossary ids, as the BFF tools write them) and once from the annotated
// VCF they were made from, for every effect id of the BFF file and every equivalent id of
// it. The expected counts come from the BFF file itself: a variant matches an id when one of
// its effects names the same consequence; from the VCF every '&'-joined name is an effect of
// its own (the BFF keeps only the first name's id).
func TestMolecularEffectsEitherIngest(t *testing.T) {
	recs := readBFFEffects(t, filepath.Join(testenv.DataDir(t), "cineca_uk1_cnag_vcf", "cineca_uk1_chr22_5002.genomicVariations.bff.json.gz"))
	same := func(a, b string) bool { return a == b || slices.Contains(release.EffectEquivalents(a), b) }
	ids := map[string]bool{}
	for _, r := range recs {
		for _, e := range r {
			if e.ID == "ENSGLOSSARY:0000000" {
				continue // the tools' "no id": nothing to be equivalent to
			}
			ids[e.ID] = true
			for _, eq := range release.EffectEquivalents(e.ID) {
				ids[eq] = true
			}
		}
	}
	if len(ids) < 10 {
		t.Fatalf("only %d effect ids in the BFF file", len(ids))
	}
	bff, vcf := testHandler(t, "cineca"), testHandler(t, "cineca-vcf")
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		var wantBFF, wantVCF uint64
		for _, r := range recs {
			inBFF, inVCF := false, false
			for _, e := range r {
				inBFF = inBFF || same(e.ID, id)
				for name := range strings.SplitSeq(e.Label, "&") {
					if eff, ok := release.EffectByName(name); ok && (same(eff.ID(), id) || same(eff.SO, id)) {
						inVCF = true
					}
				}
			}
			if inBFF {
				wantBFF++
			}
			if inVCF {
				wantVCF++
			}
		}
		uri := "/g_variants?requestedGranularity=count&filters=" + id
		for _, c := range []struct {
			name string
			h    func() summary
			want uint64
		}{
			{"BFF", func() summary { return query(t, bff, "GET", uri, nil, 200) }, wantBFF},
			{"VCF", func() summary { return query(t, vcf, "GET", uri, nil, 200) }, wantVCF},
		} {
			s := c.h()
			if got := s.ResponseSummary.NumTotalResults; got == nil || *got != c.want || c.want == 0 {
				t.Errorf("%s from the %s: %s variants, want %d (> 0)", id, c.name, fmtCount(got), c.want)
			}
		}
	}
}

type bffEffect struct{ ID, Label string }

// readBFFEffects decodes the molecularEffects of every record of a gzipped BFF
// genomicVariations file.
func readBFFEffects(t *testing.T, path string) [][]bffEffect {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		MolecularAttributes struct {
			MolecularEffects []bffEffect `json:"molecularEffects"`
		} `json:"molecularAttributes"`
	}
	if err := json.NewDecoder(zr).Decode(&docs); err != nil {
		t.Fatal(fmt.Errorf("%s: %w", path, err))
	}
	out := make([][]bffEffect, len(docs))
	for i, d := range docs {
		out[i] = d.MolecularAttributes.MolecularEffects
	}
	return out
}
