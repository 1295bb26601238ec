package engine

import (
	"sort"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// variantTable is the genomicVariation table: the generic table plus coordinates sorted by
// (assembly, chromosome, start, end), an interval index per sequence, keyword indexes and
// carrier bitmaps linking variants to biosample rows.
type variantTable struct {
	*table
	start, end []int64
	ref, alt   []string

	seqs map[string]sequence // key seqKey(assembly, chrom)

	types, genes, aaChanges, hgvs *index.TermIndex

	// carriers[v] holds the biosample rows carrying variant v; carriedBy[b] the variant rows
	// carried by biosample row b. Both are nil-safe: missing means empty.
	carriers  []*roaring.Bitmap
	carriedBy []*roaring.Bitmap

	// cl renders the caseLevelData of records stored without it (see carriers.go).
	cl *caseLevel
}

// sequence is the contiguous row range of one chromosome of one assembly.
type sequence struct {
	assembly, chrom string
	base            uint32
	iv              *index.Intervals
}

func seqKey(assembly, chrom string) string { return assembly + "\x00" + chrom }

// chromRank orders sequences 1..22, X, Y, MT, then any other name (kept as given by
// ingest) after them, by name: the ranks of known and unknown names never collide, so every
// sequence stays one contiguous row range.
func chromRank(c string) int {
	if n, err := strconv.Atoi(c); err == nil && n >= 1 && n <= 22 && c[0] != '0' {
		return n
	}
	switch c {
	case "X":
		return 23
	case "Y":
		return 24
	case "MT":
		return 25
	}
	return 100
}

func compareChrom(a, b string) int {
	if ra, rb := chromRank(a), chromRank(b); ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

// pendingVariant is a variant read from the release with its dataset, before sorting.
type pendingVariant struct {
	v       *release.Variant
	dataset uint16
}

// buildVariants sorts the variants, builds their table and indexes and moves their carriers
// from sample indexes (spaces, by dataset) to biosample rows.
func buildVariants(pending []pendingVariant, onto *index.Ontology, numDatasets int, biosamples *table, spaces []*sampleSpace) *variantTable {
	sort.SliceStable(pending, func(i, j int) bool {
		a, b := pending[i].v, pending[j].v
		if a.Assembly != b.Assembly {
			return a.Assembly < b.Assembly
		}
		if a.Chrom != b.Chrom {
			return compareChrom(a.Chrom, b.Chrom) < 0
		}
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.End < b.End
	})
	tb := newTableBuilder(release.GenomicVariation)
	vt := &variantTable{seqs: map[string]sequence{}}
	types := index.NewTermIndexBuilder()
	genes := index.NewTermIndexBuilder()
	aas := index.NewTermIndexBuilder()
	hgvs := index.NewTermIndexBuilder()
	vt.start = make([]int64, 0, len(pending))
	vt.end = make([]int64, 0, len(pending))
	vt.carriers = make([]*roaring.Bitmap, 0, len(pending))
	if biosamples != nil {
		vt.carriedBy = make([]*roaring.Bitmap, biosamples.n)
	}
	var curKey string
	var cur sequence
	var scratch []uint32
	vt.cl = newCaseLevel(spaces, len(pending))
	closeSeq := func(end uint32) {
		if curKey == "" {
			return
		}
		cur.iv = index.NewIntervals(vt.start[cur.base:end], vt.end[cur.base:end])
		vt.seqs[curKey] = cur
	}
	for _, p := range pending {
		v := p.v
		row := tb.add(&v.Record, p.dataset)
		vt.start = append(vt.start, v.Start)
		vt.end = append(vt.end, v.End)
		vt.ref = append(vt.ref, strings.ToUpper(v.Ref))
		vt.alt = append(vt.alt, strings.ToUpper(v.Alt))
		if v.VariantType != "" {
			types.Add(normalizeVariantType(v.VariantType), row)
		}
		for _, g := range v.GeneIDs {
			genes.Add(strings.ToUpper(g), row)
		}
		for _, a := range v.AminoacidChanges {
			aas.Add(normalizeAAChange(a), row)
		}
		for _, h := range v.HGVSIDs {
			hgvs.Add(h, row)
		}
		sp := spaces[p.dataset]
		var carriers *roaring.Bitmap
		if biosamples != nil {
			carriers = sp.toRows(v.CarrierBits, &scratch)
			if carriers != nil {
				scratch = appendBits(scratch[:0], carriers)
				for _, b := range scratch {
					if vt.carriedBy[b] == nil {
						vt.carriedBy[b] = roaring.New()
					}
					vt.carriedBy[b].Add(row)
				}
			}
		}
		vt.carriers = append(vt.carriers, carriers)
		vt.cl.add(row, len(pending), v, !sp.invertible() || biosamples == nil)
		// Rows are sorted, so each sequence is a contiguous row range.
		key := seqKey(v.Assembly, v.Chrom)
		if key != curKey {
			closeSeq(row)
			curKey, cur = key, sequence{assembly: v.Assembly, chrom: v.Chrom, base: row}
		}
	}
	closeSeq(uint32(len(pending)))
	vt.table = tb.build(onto, numDatasets)
	vt.cl.finish()
	for i, bm := range vt.carriedBy {
		if bm != nil {
			// Grown one Add at a time: the clone drops the spare capacity.
			bm.RunOptimize()
			vt.carriedBy[i] = bm.Clone()
		}
	}
	vt.types = types.Build(nil)
	vt.genes = genes.Build(nil)
	vt.aaChanges = aas.Build(nil)
	vt.hgvs = hgvs.Build(nil)
	return vt
}
