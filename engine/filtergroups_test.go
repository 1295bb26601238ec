package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// groupOracle evaluates a group from single-filter queries, as sets of keys: the union of
// its members' answers for an OR group, their intersection for an AND group.
func groupOracle(t *testing.T, s *Snapshot, target release.Entity, g FilterGroup) []string {
	var sets [][]string
	for _, f := range g.Filters {
		got, _ := evalKeys(t, s, &Query{Target: target, Filters: []Filter{f}})
		sets = append(sets, got)
	}
	for _, sub := range g.Groups {
		sets = append(sets, groupOracle(t, s, target, sub))
	}
	all, _ := evalKeys(t, s, &Query{Target: target})
	out := []string{}
	if !g.Any {
		out = all
	}
	for i, set := range sets {
		if g.Any {
			out = dedup(append(out, set...))
			continue
		}
		if i == 0 {
			out = set
			continue
		}
		out = slices.DeleteFunc(slices.Clone(out), func(k string) bool { return !slices.Contains(set, k) })
	}
	slices.Sort(out)
	return out
}

func TestFilterGroups(t *testing.T) {
	s := graphSnapshot(t)
	female, male := onto("NCIT:C16576", true), onto("NCIT:C20197", true)
	heart, hyper := onto("HP:0001626", true), onto("HP:0000822", true)
	blood, wes := onto("UBERON:0000178", true), alpha("libraryStrategy", "=", "WES")
	old, young := alpha("age.iso8601duration", ">=", "P60Y"), alpha("age.iso8601duration", "<", "P30Y")
	or := func(fs ...Filter) FilterGroup { return FilterGroup{Any: true, Filters: fs} }
	cases := []struct {
		name    string
		target  release.Entity
		filters []Filter
		groups  []FilterGroup
		want    []string
	}{
		{"female OR male", release.Individual, nil, []FilterGroup{or(female, male)},
			[]string{"D1/I1", "D1/I2", "D1/I3", "D2/I1", "D2/I9"}},
		{"female AND (old OR young)", release.Individual, []Filter{female}, []FilterGroup{or(old, young)},
			[]string{"D1/I3"}},
		{"OR across entities: WES run or UBERON:0001836 biosample", release.Individual, nil, []FilterGroup{or(wes, onto("UBERON:0001836", true))},
			[]string{"D1/I1", "D1/I2"}},
		{"OR of one entity's terms", release.Individual, nil, []FilterGroup{or(blood, onto("UBERON:0001836", true))},
			[]string{"D1/I1", "D1/I2"}},
		{"two OR groups AND", release.Individual, nil, []FilterGroup{or(female, young), or(heart, old)},
			[]string{"D1/I1", "D1/I2", "D1/I3"}},
		{"nested: male OR (female AND hypertension)", release.Individual, nil,
			[]FilterGroup{{Any: true, Filters: []Filter{male}, Groups: []FilterGroup{{Filters: []Filter{female, hyper}}}}},
			[]string{"D1/I1", "D1/I2", "D2/I1"}},
		{"OR of individual terms on biosamples", release.Biosample, nil, []FilterGroup{or(hyper, male)},
			[]string{"D1/B1", "D1/B2", "D1/B3", "D2/B1"}},
		{"OR on variants: carriers' sex", release.GenomicVariation, nil, []FilterGroup{or(male, hyper)},
			[]string{"D1/V1", "D1/V2", "D1/V4", "D2/V1"}},
		{"empty OR group matches nothing", release.Individual, nil, []FilterGroup{{Any: true}}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := evalKeys(t, s, &Query{Target: c.target, Filters: c.filters, Groups: c.groups})
			if !slices.Equal(got, c.want) {
				t.Errorf("rows = %v, want %v", got, c.want)
			}
		})
	}
	// Unknown members warn, as at the top level, and match nothing within their group.
	got, res := evalKeys(t, s, &Query{Target: release.Individual, Groups: []FilterGroup{or(onto("XX:1", true), female)}})
	if !slices.Equal(got, []string{"D1/I1", "D1/I3", "D2/I9"}) || len(res.Warnings) != 1 {
		t.Errorf("unknown member: rows %v, warnings %q", got, res.Warnings)
	}
	if _, err := s.Evaluate(&Query{Target: release.Individual, Groups: []FilterGroup{or(alpha("measures.value", "~", "1"))}}); !IsQueryError(err) {
		t.Errorf("bad operator in a group: %v, want a query error", err)
	}
}

// TestFilterGroupsRandom compares random nested groups with the oracle, on every entity.
func TestFilterGroupsRandom(t *testing.T) {
	s := graphSnapshot(t)
	pool := []Filter{
		onto("NCIT:C16576", true), onto("NCIT:C20197", true), onto("HP:0001626", true),
		onto("HP:0000118", false), onto("UBERON:0000178", true), onto("UBERON:0001836", true),
		alpha("libraryStrategy", "=", "WGS"), alpha("age.iso8601duration", ">", "P35Y"),
		alpha("measures.value", "!", "170"), alpha("measures.value", "<", "160"),
	}
	rng := rand.New(rand.NewPCG(9, 3))
	var gen func(depth int, any bool) FilterGroup
	gen = func(depth int, any bool) FilterGroup {
		g := FilterGroup{Any: any}
		for range 1 + rng.IntN(3) {
			if depth < 3 && rng.IntN(3) == 0 {
				g.Groups = append(g.Groups, gen(depth+1, !any))
			} else {
				g.Filters = append(g.Filters, pool[rng.IntN(len(pool))])
			}
		}
		return g
	}
	for i := range 60 {
		target := release.Entities[i%len(release.Entities)]
		g := gen(1, true)
		t.Run(fmt.Sprintf("%d-%s", i, target), func(t *testing.T) {
			got, _ := evalKeys(t, s, &Query{Target: target, Groups: []FilterGroup{g}})
			if want := groupOracle(t, s, target, g); !slices.Equal(got, want) {
				t.Errorf("group %+v: rows %v, want %v", g, got, want)
			}
		})
	}
}

// TestFilterGroupsZygosity: a zygosity term in a group keeps the carriers whose call has
// that zygosity, as it does at the top level, on the variants the request selects.
func TestFilterGroupsZygosity(t *testing.T) {
	root := t.TempDir()
	zyg := func(id string, bits ...uint32) release.ZygositySet {
		return release.ZygositySet{ID: id, Bits: roaring.BitmapOf(bits...)}
	}
	v := func(id string, start int64, zs ...release.ZygositySet) release.Variant {
		carriers := roaring.New()
		r := release.Variant{Record: release.Record{ID: id, JSON: []byte(`{"variantInternalId":"` + id + `"}`)},
			Assembly: "GRCh38", Chrom: "1", Start: start, End: start + 1, Ref: "A", Alt: "G", Zygosity: zs, CaseLevelFromCarriers: true}
		for _, z := range zs {
			carriers.Or(z.Bits)
			r.Terms = append(r.Terms, z.ID)
		}
		r.CarrierBits = carriers
		return r
	}
	writeRelease(t, root, nil, dsData{id: "D1", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {rec("P1", "NCIT:C16576"), rec("P2"), rec("P3")},
		release.Biosample:  {rec("S1", "I:P1"), rec("S2", "I:P2"), rec("S3", "I:P3")},
	}, samples: []string{"S1", "S2", "S3"}, variants: []release.Variant{
		v("V", 10, zyg("GENO:0000136", 0), zyg("GENO:0000458", 1)), // S1 hom, S2 het
		v("W", 20, zyg("GENO:0000136", 1)),                         // S2 hom
	}})
	s := openRelease(t, root)
	at10 := &VariantQuery{ReferenceName: "1", Start: []int64{10}, End: []int64{11}, VariantMinLength: -1, VariantMaxLength: -1}
	hom := onto("GENO:0000136", true)
	for _, c := range []struct {
		name    string
		variant *VariantQuery
		groups  []FilterGroup
		want    []string
	}{
		{"hom on V OR female", at10, []FilterGroup{{Any: true, Filters: []Filter{hom, onto("NCIT:C20197", true)}}}, []string{"D1/P1"}},
		{"hom anywhere OR het", nil, []FilterGroup{{Any: true, Filters: []Filter{hom, onto("GENO:0000458", true)}}}, []string{"D1/P1", "D1/P2"}},
		{"hom on V", at10, []FilterGroup{{Any: true, Filters: []Filter{hom}}}, []string{"D1/P1"}},
	} {
		got, _ := evalKeys(t, s, &Query{Target: release.Individual, Variant: c.variant, Groups: c.groups})
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: rows %v, want %v", c.name, got, c.want)
		}
	}
	het := onto("GENO:0000458", true)
	or := func(fs ...Filter) []FilterGroup { return []FilterGroup{{Any: true, Filters: fs}} }
	unknown := onto("NCIT:C99999", true)
	for _, c := range []struct {
		name string
		q    Query
		want []string
	}{
		// /g_variants/V/individuals: the call on V, not any call of V's carriers (P2 is
		// homozygous on W)
		{"variant anchor", Query{Target: release.Individual, Anchor: &Anchor{Entity: release.GenomicVariation, ID: "V"}, Groups: or(hom, unknown)}, []string{"D1/P1"}},
		{"variant anchor, either", Query{Target: release.Individual, Anchor: &Anchor{Entity: release.GenomicVariation, ID: "W"}, Groups: or(hom, het)}, []string{"D1/P2"}},
		// /individuals/P2/g_variants: the variants on which P2's call is homozygous (V has a
		// homozygous call too, S1's)
		{"individual anchor", Query{Target: release.GenomicVariation, Anchor: &Anchor{Entity: release.Individual, ID: "P2"}, Groups: or(hom, unknown)}, []string{"D1/W"}},
		{"individual anchor, het", Query{Target: release.GenomicVariation, Anchor: &Anchor{Entity: release.Individual, ID: "P2"}, Groups: or(het, unknown)}, []string{"D1/V"}},
	} {
		got, _ := evalKeys(t, s, &c.q)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: rows %v, want %v", c.name, got, c.want)
		}
	}
}
