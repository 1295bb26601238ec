package engine

import (
	"slices"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// table is the in-memory form of one entity type across every dataset of a release: a dense
// row space 0..n-1 with the indexes a query needs and the records a page returns. Per-row
// data is flat (blobs and offsets, arrays), so ten million variant rows cost a handful of
// allocations, and an index file can map it instead of building it.
type table struct {
	entity release.Entity
	n      uint32

	ids     index.Strings // row → record id
	byID    idLookup      // record id → rows (the same id may exist in several datasets)
	dataset []uint16      // row → dataset index
	// byDataset[d] holds the rows of dataset d; all holds every row.
	byDataset []*roaring.Bitmap
	all       *roaring.Bitmap
	// spans[d] is the first row of dataset d when each dataset's rows are one run in
	// dataset order (datasetrows.go), spans[len] the end; nil otherwise.
	spans []uint32

	terms  *index.TermIndex
	values *index.ValueIndex
	json   index.Strings // row → stored record JSON

	// Links to other tables by row, -1 when absent. Filled after every table is loaded;
	// nil for variants, which link through their carriers.
	individual []int32
	biosample  []int32
	run        []int32
	analysis   []int32
	// indOf and bioOf resolve each row to its individual and biosample row through the
	// links (see links.go); -1 when there is none. nil for variants.
	indOf, bioOf []int32

	// raw link ids kept only until links are resolved.
	rawLinks [4][]string
}

const (
	linkIndividual = iota
	linkBiosample
	linkRun
	linkAnalysis
)

// tableBuilder accumulates rows of one entity in load order.
type tableBuilder struct {
	t       *table
	ids     stringsAdder
	json    stringsAdder
	terms   *index.TermIndexBuilder
	values  *index.ValueIndexBuilder
	noLinks bool // variants: no link columns kept
	// sp is the spiller of the ids, records and postings (nil: nothing spilled); see build.
	sp *spiller
}

// stringsAdder is an index.StringsBuilder or a spilledStrings.
type stringsAdder interface {
	Add(s string)
	AddBytes(p []byte)
	AddAll(l index.Strings)
}

func newTableBuilder(e release.Entity) *tableBuilder {
	return &tableBuilder{
		t:       &table{entity: e},
		ids:     &index.StringsBuilder{},
		json:    &index.StringsBuilder{},
		terms:   index.NewTermIndexBuilder(),
		values:  index.NewValueIndexBuilder(),
		noLinks: e == release.GenomicVariation,
	}
}

// add appends one record as the next row and returns its row number.
func (b *tableBuilder) add(r *release.Record, datasetIdx uint16) uint32 {
	t := b.t
	row := t.n
	t.n++
	b.ids.Add(r.ID)
	t.dataset = append(t.dataset, datasetIdx)
	b.json.AddBytes(r.JSON)
	b.addIndexed(r, row)
	return row
}

// addRows appends the rows of a partition's table, its ids, records and datasets spliced
// whole, without indexing their terms and fields, which a merge of partitions splices
// (partitionmerge.go).
func (b *tableBuilder) addRows(p *table) {
	t := b.t
	t.n += p.n
	b.ids.AddAll(p.ids)
	b.json.AddAll(p.json)
	t.dataset = append(t.dataset, p.dataset...)
}

// addIndexed indexes the terms and fields of record r at row (and keeps its links).
func (b *tableBuilder) addIndexed(r *release.Record, row uint32) {
	t := b.t
	for _, term := range r.Terms {
		b.terms.Add(term, row)
	}
	if b.noLinks {
		b.addEffectEquivalents(r.Terms, row)
	}
	for _, f := range r.Fields {
		b.values.Add(f.Path, f.Value, row)
	}
	if !b.noLinks {
		t.rawLinks[linkIndividual] = append(t.rawLinks[linkIndividual], r.IndividualID)
		t.rawLinks[linkBiosample] = append(t.rawLinks[linkBiosample], r.BiosampleID)
		t.rawLinks[linkRun] = append(t.rawLinks[linkRun], r.RunID)
		t.rawLinks[linkAnalysis] = append(t.rawLinks[linkAnalysis], r.AnalysisID)
	}
}

// addEffectEquivalents indexes a variant's molecular effects under every id of their
// consequence (release.EffectEquivalents), so ENSGLOSSARY and SO queries find the variants of
// both, whichever ids ingest wrote.
func (b *tableBuilder) addEffectEquivalents(terms []string, row uint32) {
	for _, term := range terms {
		for _, eq := range release.EffectEquivalents(term) {
			if !slices.Contains(terms, eq) {
				b.terms.Add(eq, row)
			}
		}
	}
}

// spill sends the builder's ids, records and postings to spill files; a spill file's error
// is the spiller's.
func (b *tableBuilder) spill(sp *spiller) {
	b.ids = sp.strings("ids")
	b.json = sp.strings("records")
	b.terms.Spill(indexSpill{sp}, "terms")
	b.values.Spill(indexSpill{sp})
	b.sp = sp
}

func buildStrings(a stringsAdder) (index.Strings, error) {
	if s, ok := a.(*spilledStrings); ok {
		return s.build()
	}
	return a.(*index.StringsBuilder).Build(), nil
}

// build freezes the indexes; numDatasets sizes the per-dataset bitmaps. It fails only when
// a spill file does.
//
// Spilled, the id lookup hashes every id through its map and is built through spill files
// (idlookupspill.go), and the postings builders read back their keys: each step's pages are
// dropped when it is done (the index builders drop theirs through index.Spill), not when
// the table is, so that at 10^7 variants the 0.87 GB of the ids' and the value postings'
// maps are not resident at once.
func (b *tableBuilder) build(onto *index.Ontology, numDatasets int) (*table, error) {
	t := b.t
	var err error
	if t.ids, err = buildStrings(b.ids); err != nil {
		return nil, err
	}
	if t.json, err = buildStrings(b.json); err != nil {
		return nil, err
	}
	if b.sp == nil {
		t.byID = newIDLookup(&t.ids)
	} else {
		t.byID = newSpilledIDLookup(&t.ids, b.sp)
		b.sp.mp.dropAll()
		if b.sp.err != nil {
			return nil, b.sp.err
		}
	}
	t.dataset = clipped(t.dataset)
	t.terms = b.terms.Build(onto)
	t.values = b.values.Build(t.n)
	t.byDataset = make([]*roaring.Bitmap, numDatasets)
	for i := range t.byDataset {
		t.byDataset[i] = roaring.New()
	}
	for row, d := range t.dataset {
		t.byDataset[d].Add(uint32(row))
	}
	t.finishRows()
	return t, nil
}

// finishRows sets all and spans and compacts the per-dataset bitmaps.
func (t *table) finishRows() {
	t.all = roaring.New()
	t.all.AddRange(0, uint64(t.n))
	for _, bm := range t.byDataset {
		bm.RunOptimize()
	}
	t.all.RunOptimize()
	t.spans = datasetSpans(t.byDataset, t.n)
}

// clipped returns s without spare capacity (a copy when it has any).
func clipped[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// record returns the stored JSON of a row, capacity-limited so an append never writes into
// the next record (or into mapped memory).
func (t *table) record(row uint32) []byte {
	s := t.json.At(int(row))
	return unsafe.Slice(unsafe.StringData(s), len(s))[:len(s):len(s)]
}

// rowsOf returns the rows holding record id, ascending.
func (t *table) rowsOf(id string) []uint32 { return t.byID.lookup(&t.ids, id, nil) }

// rowOf finds the row of id within one dataset, or -1.
func (t *table) rowOf(id string, datasetIdx uint16) int32 {
	if t.spans != nil {
		// Only the dataset's own span can hold the row (see idLookup.lookupIn).
		if r, ok := t.byID.lookupIn(&t.ids, id, t.spans[datasetIdx], t.spans[datasetIdx+1]); ok {
			return int32(r)
		}
		return -1
	}
	var buf [4]uint32
	for _, r := range t.byID.lookup(&t.ids, id, buf[:0]) {
		if t.dataset[r] == datasetIdx {
			return int32(r)
		}
	}
	return -1
}

// resolveLinks turns the raw link ids of t into rows of the target tables (same dataset).
func (t *table) resolveLinks(tables map[release.Entity]*table) {
	if t.rawLinks[linkIndividual] == nil && t.entity == release.GenomicVariation {
		return
	}
	resolve := func(kind int, target release.Entity) []int32 {
		out := make([]int32, t.n)
		tt := tables[target]
		for row := range out {
			out[row] = -1
			id := t.rawLinks[kind][row]
			if id == "" || tt == nil {
				continue
			}
			out[row] = tt.rowOf(id, t.dataset[row])
		}
		return out
	}
	t.individual = resolve(linkIndividual, release.Individual)
	t.biosample = resolve(linkBiosample, release.Biosample)
	t.run = resolve(linkRun, release.Run)
	t.analysis = resolve(linkAnalysis, release.Analysis)
	t.rawLinks = [4][]string{}
}
