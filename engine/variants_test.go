package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// The variant queries are checked against a linear scan over the generated variants that
// implements the semantics of docs/architecture.md ("Semantics") directly: 0-based half-open
// coordinates; sequence query = starts exactly at start, alleles equal with N as a wildcard;
// range = v.start < end && v.end > start; bracket = start[0] <= v.start < start[1] &&
// end[0] <= v.end < end[1]; variantType with the SNV/SNP and DEL/DUP/CNV ↔ EFO equivalences;
// length = end - start within [min, max]; chromosome names normalised, a RefSeq accession
// fixing the assembly, assemblyId narrowing.

// seqAliases lists the spellings of each generated sequence and the assembly a spelling
// implies ("" for none).
type alias struct{ name, chrom, assembly string }

var seqAliases = []alias{
	{"1", "1", ""}, {"chr1", "1", ""}, {"CHR1", "1", ""}, {"NC_000001.10", "1", "GRCh37"}, {"refseq:NC_000001.11", "1", "GRCh38"},
	{"2", "2", ""}, {"chr2", "2", ""}, {"NC_000002.11", "2", "GRCh37"}, {"NC_000002.12", "2", "GRCh38"},
	{"X", "X", ""}, {"chrX", "X", ""}, {"x", "X", ""}, {"NC_000023.10", "X", "GRCh37"}, {"NC_000023.11", "X", "GRCh38"},
	{"MT", "MT", ""}, {"chrM", "MT", ""}, {"M", "MT", ""}, {"NC_012920.1", "MT", ""}, {"NC_001807.4", "MT", "GRCh37"},
}

var assemblyAliases = map[string]string{"": "", "GRCh37": "GRCh37", "hg19": "GRCh37", "GRCh38": "GRCh38", "hg38": "GRCh38"}

// typeFamily is what a requested variantType finds, per the documented equivalences.
func typeFamily(want string) []string {
	loss := []string{"DEL", "EFO:0030067", "EFO:0030068", "EFO:0030069"}
	gain := []string{"DUP", "EFO:0030070", "EFO:0030071", "EFO:0030072"}
	switch want {
	case "SNV", "SNP":
		return []string{"SNP"}
	case "DEL", "EFO:0030067":
		return loss
	case "DUP", "EFO:0030070":
		return gain
	case "CNV", "EFO:0030064":
		return append(append([]string{"CNV", "EFO:0030064"}, loss...), gain...)
	}
	return []string{want}
}

// storedType spells a stored type as the documentation compares it.
func storedType(t string) string {
	if u := strings.ToUpper(t); u == "SNV" || u == "SNP" {
		return "SNP"
	} else if i := strings.IndexByte(t, ':'); i < 0 {
		return u
	} else {
		return strings.ToUpper(t[:i]) + t[i:] // CURIE prefixes are case-insensitive
	}
}

func basesEqual(want, have string) bool {
	if len(want) != len(have) {
		return false
	}
	for i := range len(want) {
		w, h := want[i], have[i]
		if w == 'N' || w == 'n' {
			continue
		}
		if !strings.EqualFold(string(w), string(h)) {
			return false
		}
	}
	return true
}

// oracle answers q by scanning vs; err is true when the query must be rejected.
func oracle(vs []release.Variant, q *VariantQuery) (ids []string, err bool) {
	var chrom, asm string
	if q.ReferenceName != "" {
		found := false
		for _, a := range seqAliases {
			if a.name == q.ReferenceName {
				chrom, asm, found = a.chrom, a.assembly, true
			}
		}
		if !found {
			panic("oracle: unknown alias " + q.ReferenceName)
		}
		if qa := assemblyAliases[q.AssemblyID]; qa != "" {
			if asm != "" && asm != qa {
				return nil, true
			}
			asm = qa
		}
	}
	ids = []string{}
	for i := range vs {
		v := &vs[i]
		if q.ReferenceName != "" && (v.Chrom != chrom || (asm != "" && v.Assembly != asm)) {
			continue
		}
		switch {
		case len(q.Start) == 1 && len(q.End) == 0:
			if v.Start != q.Start[0] {
				continue
			}
		case len(q.Start) == 1:
			if !(v.Start < q.End[0] && v.End > q.Start[0]) {
				continue
			}
		case len(q.Start) == 2:
			if !(q.Start[0] <= v.Start && v.Start < q.Start[1] && q.End[0] <= v.End && v.End < q.End[1]) {
				continue
			}
		}
		if q.AlternateBases != nil && !basesEqual(*q.AlternateBases, v.Alt) {
			continue
		}
		if q.ReferenceBases != nil && !basesEqual(*q.ReferenceBases, v.Ref) {
			continue
		}
		if q.VariantType != "" && !slices.Contains(typeFamily(storedType(q.VariantType)), storedType(v.VariantType)) {
			continue
		}
		if q.GeneID != "" && !slices.ContainsFunc(v.GeneIDs, func(g string) bool { return strings.EqualFold(g, q.GeneID) }) {
			continue
		}
		l := v.End - v.Start
		if q.VariantMinLength >= 0 && l < q.VariantMinLength || q.VariantMaxLength >= 0 && l > q.VariantMaxLength {
			continue
		}
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids, false
}

const bases = "ACGT"

func randBases(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = bases[r.IntN(4)]
	}
	return string(b)
}

// variantGen describes a random variant population.
type variantGen struct {
	n      int
	chroms []string
	span   int64   // positions are drawn in [0, span) (MT: its length)
	svFrac float64 // share of long structural variants
	maxSV  int64
}

var svTypes = []string{"DEL", "DUP", "CNV", "EFO:0030064", "EFO:0030067", "EFO:0030068", "EFO:0030069",
	"EFO:0030070", "EFO:0030071", "EFO:0030072", "BND", "efo:0030067"}

func (g variantGen) generate(r *rand.Rand) []release.Variant {
	genes := []string{"GENEA", "GeneB", "GENEC"}
	vs := make([]release.Variant, 0, g.n)
	for i := range g.n {
		chrom := g.chroms[r.IntN(len(g.chroms))]
		asm := [2]string{"GRCh37", "GRCh38"}[r.IntN(2)]
		span := g.span
		if chrom == "MT" {
			span = 16569
		}
		var start int64
		if len(vs) > 0 && r.IntN(10) == 0 { // shared starts for the sequence queries
			p := vs[r.IntN(len(vs))]
			start, chrom, asm = p.Start, p.Chrom, p.Assembly
		} else {
			start = r.Int64N(span)
		}
		v := release.Variant{Record: release.Record{ID: fmt.Sprintf("v%05d", i)}, Assembly: asm, Chrom: chrom, Start: start}
		switch x := r.Float64(); {
		case x < g.svFrac:
			// log-uniform length from 50 bases to maxSV
			l := int64(50)
			for l < g.maxSV && r.IntN(3) > 0 {
				l = l*2 + r.Int64N(l)
			}
			v.End = start + min(l, g.maxSV)
			v.Ref = randBases(r, 1)
			v.VariantType = svTypes[r.IntN(len(svTypes))]
			v.Alt = "<" + strings.ToUpper(v.VariantType) + ">"
		case x < g.svFrac+0.15:
			n := 1 + r.IntN(10)
			v.Ref = randBases(r, n)
			if r.IntN(2) == 0 {
				v.Alt = v.Ref[:1]
				v.VariantType = [3]string{"INDEL", "DEL", "indel"}[r.IntN(3)]
			} else {
				v.Alt = v.Ref[:1] + randBases(r, 1+r.IntN(8))
				v.VariantType = [2]string{"INDEL", "INS"}[r.IntN(2)]
			}
			v.End = start + int64(n)
		default:
			v.Ref = randBases(r, 1)
			v.Alt = string(bases[(strings.IndexByte(bases, v.Ref[0])+1+r.IntN(3))%4])
			v.VariantType = [3]string{"SNP", "SNV", "snp"}[r.IntN(3)]
			v.End = start + 1
		}
		if r.IntN(20) == 0 {
			v.GeneIDs = []string{genes[r.IntN(len(genes))]}
		}
		vs = append(vs, v)
	}
	return vs
}

func maskN(r *rand.Rand, s string, p float64) string {
	b := []byte(s)
	for i := range b {
		if r.Float64() < p {
			b[i] = 'N'
		} else if r.IntN(8) == 0 {
			b[i] = strings.ToLower(string(b[i]))[0]
		}
	}
	return string(b)
}

// queryGen draws random queries of one kind, about half of them anchored on an existing
// variant so that most queries have hits.
type queryGen struct {
	r    *rand.Rand
	vs   []release.Variant
	span int64
}

func (g *queryGen) name(v *release.Variant) (string, string) {
	var cands []alias
	for _, a := range seqAliases {
		if a.chrom == v.Chrom && (a.assembly == "" || a.assembly == v.Assembly || g.r.IntN(8) == 0) {
			cands = append(cands, a)
		}
	}
	a := cands[g.r.IntN(len(cands))]
	asm := ""
	switch g.r.IntN(4) {
	case 0:
		asm = map[string]string{"GRCh37": "hg19", "GRCh38": "GRCh38"}[v.Assembly]
	case 1:
		asm = []string{"GRCh37", "hg38"}[g.r.IntN(2)] // possibly the other assembly
	}
	return a.name, asm
}

func (g *queryGen) extras(q *VariantQuery, bases bool) {
	r := g.r
	if r.IntN(4) == 0 {
		q.VariantType = []string{"SNV", "SNP", "snv", "DEL", "del", "DUP", "CNV", "EFO:0030064", "EFO:0030067",
			"efo:0030068", "EFO:0030070", "EFO:0030072", "INDEL", "INS", "BND"}[r.IntN(15)]
	}
	if r.IntN(5) == 0 {
		q.VariantMinLength = []int64{0, 1, 2, 5, 50, 1000, 100000}[r.IntN(7)]
	}
	if r.IntN(5) == 0 {
		q.VariantMaxLength = max(q.VariantMinLength, []int64{1, 2, 10, 1000, 100000, 1000000}[r.IntN(6)])
	}
	if bases && r.IntN(6) == 0 {
		s := []string{"A", "C", "G", "T", "N", "NN"}[r.IntN(6)]
		q.AlternateBases = &s
	}
	if r.IntN(20) == 0 {
		q.GeneID = []string{"GENEA", "geneb", "GENEC"}[r.IntN(3)]
	}
}

func (g *queryGen) pick() *release.Variant { return &g.vs[g.r.IntN(len(g.vs))] }

func (g *queryGen) sequence() *VariantQuery {
	r := g.r
	v := g.pick()
	q := &VariantQuery{VariantMinLength: -1, VariantMaxLength: -1}
	q.ReferenceName, q.AssemblyID = g.name(v)
	q.Start = []int64{v.Start}
	if r.IntN(5) == 0 {
		q.Start[0] += r.Int64N(5) - 2
	}
	alt := maskN(r, v.Alt, 0.3)
	if r.IntN(6) == 0 {
		alt = maskN(r, g.pick().Alt, 0.1) // someone else's allele
	}
	q.AlternateBases = &alt
	if r.IntN(2) == 0 {
		ref := maskN(r, v.Ref, 0.3)
		q.ReferenceBases = &ref
	}
	g.extras(q, false)
	return q
}

func (g *queryGen) rangeQuery() *VariantQuery {
	r := g.r
	v := g.pick()
	q := &VariantQuery{VariantMinLength: -1, VariantMaxLength: -1}
	q.ReferenceName, q.AssemblyID = g.name(v)
	var s int64
	if r.IntN(2) == 0 {
		s = v.Start + r.Int64N(21) - 10
	} else {
		s = r.Int64N(g.span)
	}
	var l int64
	switch r.IntN(5) {
	case 0:
		l = 0
	case 1:
		l = 1 + r.Int64N(10)
	case 2:
		l = r.Int64N(10_000)
	case 3:
		l = r.Int64N(1_000_000)
	default:
		l = r.Int64N(5_000_000)
	}
	q.Start, q.End = []int64{s}, []int64{s + l}
	g.extras(q, true)
	return q
}

func (g *queryGen) bracket() *VariantQuery {
	r := g.r
	v := g.pick()
	q := &VariantQuery{VariantMinLength: -1, VariantMaxLength: -1}
	q.ReferenceName, q.AssemblyID = g.name(v)
	var s0, s1, e0, e1 int64
	if r.IntN(3) > 0 { // around v
		s0 = v.Start - r.Int64N(1000)
		s1 = v.Start + r.Int64N(3) // may exclude v (start < s1)
		e0 = v.End - r.Int64N(1000) + r.Int64N(3)
		e1 = v.End + r.Int64N(3)
	} else {
		s0 = r.Int64N(g.span)
		s1 = s0 + r.Int64N(500_000)
		e0 = s0 + r.Int64N(1_000_000)
		e1 = e0 + r.Int64N(2_000_000)
	}
	if e0 > e1 {
		e0, e1 = e1, e0
	}
	q.Start, q.End = []int64{s0, s1}, []int64{e0, e1}
	g.extras(q, true)
	return q
}

func TestVariantQueriesAgainstScan(t *testing.T) {
	for _, gen := range []struct {
		name string
		g    variantGen
	}{
		{"mixed", variantGen{n: 2000, chroms: []string{"1", "2", "X", "MT"}, span: 3_000_000, svFrac: 0.12, maxSV: 2_500_000}},
		// Enough long rows on few sequences for a multi-level max tree (over 64 blocks of 64).
		{"sv-heavy", variantGen{n: 14000, chroms: []string{"1", "X"}, span: 20_000_000, svFrac: 0.6, maxSV: 8_000_000}},
		// Almost only SNVs: the short bound L stays small and few rows are long.
		{"snv-dense", variantGen{n: 3000, chroms: []string{"2"}, span: 200_000, svFrac: 0.005, maxSV: 1_000_000}},
	} {
		t.Run(gen.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(20260101, uint64(len(gen.name))))
			vs := gen.g.generate(r)
			root := t.TempDir()
			writeRelease(t, root, nil, dsData{id: "V", variants: vs})
			s := openRelease(t, root)
			if got := s.Count(release.GenomicVariation); got != len(vs) {
				t.Fatalf("loaded %d variants, wrote %d", got, len(vs))
			}
			g := &queryGen{r: r, vs: vs, span: gen.g.span}
			kinds := []struct {
				name string
				make func() *VariantQuery
			}{{"sequence", g.sequence}, {"range", g.rangeQuery}, {"bracket", g.bracket}}
			byID := map[string]*release.Variant{}
			for i := range vs {
				byID[vs[i].ID] = &vs[i]
			}
			for _, k := range kinds {
				hits, fails, farHits := 0, 0, 0
				for i := range 500 {
					q := k.make()
					want, wantErr := oracle(vs, q)
					res, err := s.Evaluate(&Query{Target: release.GenomicVariation, Variant: q})
					if wantErr {
						if err == nil || !IsQueryError(err) {
							t.Errorf("%s #%d %s: got %v, want a QueryError", k.name, i, fmtQuery(q), err)
						}
						continue
					}
					if err != nil {
						t.Errorf("%s #%d %s: %v", k.name, i, fmtQuery(q), err)
						continue
					}
					checkCountOnly(t, s, &Query{Target: release.GenomicVariation, Variant: q}, res)
					got := []string{}
					it := res.Rows.Iterator()
					for it.HasNext() {
						got = append(got, s.variants.id(it.Next()))
					}
					slices.Sort(got)
					if len(want) > 0 {
						hits++
					}
					// Overlaps by a variant starting more than the short bound (at most 1024)
					// before the range can only come from the long-row side list.
					if k.name == "range" {
						for _, id := range want {
							if byID[id].Start < q.Start[0]-1024 {
								farHits++
							}
						}
					}
					if !slices.Equal(got, want) && fails < 10 {
						fails++
						t.Errorf("%s #%d %s:\n got %d %v\nwant %d %v\n only got %v\nonly want %v", k.name, i, fmtQuery(q),
							len(got), head(got), len(want), head(want), head(minus(got, want)), head(minus(want, got)))
						for _, id := range minus(want, got) {
							t.Logf("  missed %s", fmtVariant(vs, id))
						}
						for _, id := range minus(got, want) {
							t.Logf("  extra  %s", fmtVariant(vs, id))
						}
					}
					if res.Total != uint64(len(got)) {
						t.Errorf("%s #%d: Total %d, rows %d", k.name, i, res.Total, len(got))
					}
				}
				if hits < 100 {
					t.Errorf("%s: only %d of 500 queries had hits; the generator is too sparse to test much", k.name, hits)
				}
				if k.name == "range" && farHits == 0 {
					t.Errorf("range: no hit by a long variant starting far before the query; the long-row path is untested")
				}
				t.Logf("%s: %d/500 queries with hits (%d long-row hits)", k.name, hits, farHits)
			}
		})
	}
}

func fmtQuery(q *VariantQuery) string {
	s := fmt.Sprintf("{asm %q ref %q start %v end %v", q.AssemblyID, q.ReferenceName, q.Start, q.End)
	if q.ReferenceBases != nil {
		s += fmt.Sprintf(" refBases %q", *q.ReferenceBases)
	}
	if q.AlternateBases != nil {
		s += fmt.Sprintf(" altBases %q", *q.AlternateBases)
	}
	if q.VariantType != "" {
		s += fmt.Sprintf(" type %q", q.VariantType)
	}
	if q.GeneID != "" {
		s += fmt.Sprintf(" gene %q", q.GeneID)
	}
	return s + fmt.Sprintf(" len [%d, %d]}", q.VariantMinLength, q.VariantMaxLength)
}

func fmtVariant(vs []release.Variant, id string) string {
	for _, v := range vs {
		if v.ID == id {
			return fmt.Sprintf("%s %s:%s [%d,%d) %s>%s %s", v.ID, v.Assembly, v.Chrom, v.Start, v.End, v.Ref, v.Alt, v.VariantType)
		}
	}
	return id
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	return out
}

func head(ss []string) []string {
	if len(ss) > 8 {
		return ss[:8]
	}
	return ss
}

// TestVariantQueryWithoutReferenceName: geneId, variantType and alleles without a position
// scan the whole table.
func TestVariantQueryWithoutReferenceName(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	vs := variantGen{n: 1500, chroms: []string{"1", "2", "X", "MT"}, span: 1_000_000, svFrac: 0.1, maxSV: 500_000}.generate(r)
	root := t.TempDir()
	writeRelease(t, root, nil, dsData{id: "V", variants: vs})
	s := openRelease(t, root)
	g := &queryGen{r: r, vs: vs}
	for i := range 300 {
		q := &VariantQuery{VariantMinLength: -1, VariantMaxLength: -1}
		g.extras(q, true)
		if r.IntN(3) == 0 {
			q.GeneID = []string{"GENEA", "geneb", "GENEC", "NOPE"}[r.IntN(4)]
		}
		want, _ := oracle(vs, q)
		res, err := s.Evaluate(&Query{Target: release.GenomicVariation, Variant: q})
		if err != nil {
			t.Fatalf("#%d %s: %v", i, fmtQuery(q), err)
		}
		got := []string{}
		it := res.Rows.Iterator()
		for it.HasNext() {
			got = append(got, s.variants.id(it.Next()))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("#%d %s: got %d, want %d; only got %v, only want %v", i, fmtQuery(q), len(got), len(want),
				head(minus(got, want)), head(minus(want, got)))
		}
	}
}

// TestVariantSequencesStayContiguous: a contig stored as given whose name sorts like a
// primary chromosome (plink numbers X, Y, MT as 23, 24, 25/26; ingest keeps an unknown
// sequence_id "23" as is) must not interleave with that chromosome's rows, or the sequence
// index of one of them covers only part of its rows.
func TestVariantSequencesStayContiguous(t *testing.T) {
	var vs []release.Variant
	for i := range 20 {
		chrom := "X"
		if i%2 == 1 {
			chrom = "23"
		}
		vs = append(vs, variant(fmt.Sprintf("v%02d", i), "GRCh37", chrom, int64(100+10*i), int64(101+10*i), "A", "C", "SNP"))
	}
	root := t.TempDir()
	writeRelease(t, root, nil, dsData{id: "V", variants: vs})
	s := openRelease(t, root)
	q := &VariantQuery{ReferenceName: "X", Start: []int64{0}, End: []int64{1000}, VariantMinLength: -1, VariantMaxLength: -1}
	want, _ := oracle(vs, q)
	res, err := s.Evaluate(&Query{Target: release.GenomicVariation, Variant: q})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.keys(release.GenomicVariation, res.Rows); len(got) != len(want) {
		t.Errorf("chrX 0-1000 with a contig named \"23\" beside it: %d variants %v, want %d %v "+
			"(chromOrder maps both X and \"23\" to \"23\", so their rows interleave)", len(got), got, len(want), want)
	}
}

// TestAssemblyIDWithoutReferenceName: "assemblyId (GRCh37 = hg19, GRCh38 = hg38) narrows the
// search when given" (docs/architecture.md). A geneId, variantType or HGVS query with
// assemblyId must not answer with the other assembly's records, whose coordinates mean
// something else.
func TestAssemblyIDWithoutReferenceName(t *testing.T) {
	vs := []release.Variant{
		variant("g37", "GRCh37", "1", 100, 101, "A", "C", "SNP"),
		variant("g38", "GRCh38", "1", 200, 201, "A", "C", "SNP"),
	}
	for i := range vs {
		vs[i].GeneIDs = []string{"GENEA"}
	}
	root := t.TempDir()
	writeRelease(t, root, nil, dsData{id: "V", variants: vs})
	s := openRelease(t, root)
	for _, q := range []*VariantQuery{
		{AssemblyID: "GRCh38", GeneID: "GENEA", VariantMinLength: -1, VariantMaxLength: -1},
		{AssemblyID: "hg38", VariantType: "SNV", VariantMinLength: -1, VariantMaxLength: -1},
	} {
		res, err := s.Evaluate(&Query{Target: release.GenomicVariation, Variant: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.keys(release.GenomicVariation, res.Rows); !slices.Equal(got, []string{"V/g38"}) {
			t.Errorf("%s: %v, want [V/g38]: matchVariants applies assemblyId only together with "+
				"referenceName (sequencesFor), so without one the GRCh37 record is returned too", fmtQuery(q), got)
		}
	}
}
