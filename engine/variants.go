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

// carrierIndex resolves a caseLevelData carrier to biosample rows of its dataset: the
// biosample with that id, or else every biosample of the individual with that id, since
// ingest keeps caseLevelData.individualId when a record gives no biosampleId.
type carrierIndex struct {
	biosamples   *table
	byIndividual map[string][]int32 // dataset index + "\x00" + individual id → biosample rows
}

func newCarrierIndex(biosamples *table) *carrierIndex {
	ci := &carrierIndex{biosamples: biosamples, byIndividual: map[string][]int32{}}
	for r, ind := range biosamples.rawLinks[linkIndividual] {
		if ind != "" {
			k := carrierKey(biosamples.dataset[r], ind)
			ci.byIndividual[k] = append(ci.byIndividual[k], int32(r))
		}
	}
	return ci
}

func carrierKey(dataset uint16, id string) string {
	return string([]byte{byte(dataset >> 8), byte(dataset)}) + "\x00" + id
}

func (ci *carrierIndex) rows(id string, dataset uint16, buf []int32) []int32 {
	if b := ci.biosamples.rowOf(id, dataset); b >= 0 {
		return append(buf[:0], b)
	}
	return ci.byIndividual[carrierKey(dataset, id)]
}

// buildVariants sorts the variants, builds their table and indexes and resolves carriers
// against the biosample table.
func buildVariants(pending []pendingVariant, onto *index.Ontology, numDatasets int, biosamples *table) *variantTable {
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
	var ci *carrierIndex
	var one [1]int32
	if biosamples != nil {
		ci = newCarrierIndex(biosamples)
	}
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
		var carriers *roaring.Bitmap
		if biosamples != nil && len(v.Carriers) > 0 {
			carriers = roaring.New()
			for _, id := range v.Carriers {
				for _, b := range ci.rows(id, p.dataset, one[:]) {
					carriers.Add(uint32(b))
					if vt.carriedBy[b] == nil {
						vt.carriedBy[b] = roaring.New()
					}
					vt.carriedBy[b].Add(row)
				}
			}
			carriers.RunOptimize()
		}
		vt.carriers = append(vt.carriers, carriers)
		// Rows are sorted, so each sequence is a contiguous row range.
		key := seqKey(v.Assembly, v.Chrom)
		if key != curKey {
			closeSeq(row)
			curKey, cur = key, sequence{assembly: v.Assembly, chrom: v.Chrom, base: row}
		}
	}
	closeSeq(uint32(len(pending)))
	vt.table = tb.build(onto, numDatasets)
	for _, bm := range vt.carriedBy {
		if bm != nil {
			bm.RunOptimize()
		}
	}
	vt.types = types.Build(nil)
	vt.genes = genes.Build(nil)
	vt.aaChanges = aas.Build(nil)
	vt.hgvs = hgvs.Build(nil)
	return vt
}
