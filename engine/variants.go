package engine

import (
	"errors"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// variantTable is the genomicVariation table: the generic table plus coordinates sorted by
// (assembly, chromosome, start, end), an interval index per sequence, keyword indexes and
// carriers linking variants to biosample rows.
type variantTable struct {
	*table
	start, end []int64
	ref, alt   index.Strings // upper case

	seqs map[string]sequence // key seqKey(assembly, chrom)

	types, genes, aaChanges, hgvs *index.TermIndex

	// carriers lists the biosample rows carrying each variant; carriedBy[b] holds the variant
	// rows carried by biosample row b (nil for none).
	carriers  carrierLists
	carriedBy []*roaring.Bitmap
	// carriedByImage is carriedBy encoded as an index file writes it, when the bitmaps are
	// views of it (a build from Parquet, carriedby.go): an index file copies it as it is.
	carriedByImage []byte

	// cl renders the caseLevelData of records stored without it (see carriers.go).
	cl *caseLevel
	// calls holds the called alleles of genotyped variants (calls.go).
	calls callTable
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
	if r, ok := release.ChromRank(c); ok {
		return r
	}
	return 100
}

func compareChrom(a, b string) int {
	if ra, rb := chromRank(a), chromRank(b); ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

// compareVariants orders variants by (assembly, chromosome, start, end), the row order.
func compareVariants(a, b *release.Variant) int {
	if a.Assembly != b.Assembly {
		return strings.Compare(a.Assembly, b.Assembly)
	}
	if a.Chrom != b.Chrom {
		return compareChrom(a.Chrom, b.Chrom)
	}
	if a.Start != b.Start {
		if a.Start < b.Start {
			return -1
		}
		return 1
	}
	if a.End != b.End {
		if a.End < b.End {
			return -1
		}
		return 1
	}
	return 0
}

// errUnsorted stops a streaming build whose input is not in row order.
var errUnsorted = errors.New("variants not in (assembly, chromosome, start, end) order")

// variantBuilder builds the variant table from variants handed over in row order, keeping
// nothing of a variant but copies in flat arrays, so memory while loading stays close to
// the table's own.
type variantBuilder struct {
	tb                      *tableBuilder
	vt                      *variantTable
	types, genes, aas, hgvs *index.TermIndexBuilder
	ref, alt                *spilledStrings
	start, end              *spilledArray[int64]
	spaces                  []*sampleSpace
	biosamples              *table
	sp                      *spiller
	carriers                *carrierListsBuilder
	carriedBy               *carriedByBuilder
	calls                   *callTableBuilder
	scratch                 []uint32

	last     release.Variant // coordinates of the previous variant, for the order check
	haveLast bool
	seqStart []uint32 // first row of each sequence, in order
	seqKeys  []sequence
}

// newVariantBuilder prepares a build of about n variants (a capacity hint), spilling its
// large parts through sp.
func newVariantBuilder(n int, biosamples *table, spaces []*sampleSpace, sp *spiller) *variantBuilder {
	b := &variantBuilder{
		tb:         newTableBuilder(release.GenomicVariation),
		sp:         sp,
		vt:         &variantTable{seqs: map[string]sequence{}},
		types:      index.NewTermIndexBuilder(),
		genes:      index.NewTermIndexBuilder(),
		aas:        index.NewTermIndexBuilder(),
		hgvs:       index.NewTermIndexBuilder(),
		spaces:     spaces,
		biosamples: biosamples,
		calls:      newCallTableBuilder(),
	}
	b.start, b.end = spillArrayOf[int64](sp, "start"), spillArrayOf[int64](sp, "end")
	nb := uint32(0)
	if biosamples != nil {
		nb = biosamples.n
		b.carriedBy = newCarriedByBuilder(nb, sp, carriedByWindow)
	}
	b.tb.spill(sp)
	b.ref, b.alt = sp.strings("ref"), sp.strings("alt")
	for what, ti := range map[string]*index.TermIndexBuilder{"types": b.types, "genes": b.genes, "aachanges": b.aas, "hgvs": b.hgvs} {
		ti.Spill(indexSpill{sp}, what)
	}
	b.carriers = newCarrierListsBuilder(nb, n, sp.create("carriers"), spillArrayOf[uint64](sp, "carrier-offsets"))
	b.vt.cl = newCaseLevel(spaces, sp.create("zygosity"), spillArrayOf[uint32](sp, "zygosity-offsets"))
	return b
}

// add appends v as the next row; errUnsorted when it sorts before the previous one.
func (b *variantBuilder) add(v *release.Variant, dataset uint16) error {
	if b.haveLast && compareVariants(&b.last, v) > 0 {
		return errUnsorted
	}
	vt := b.vt
	row := b.tb.add(&v.Record, dataset)
	b.start.add(v.Start)
	b.end.add(v.End)
	b.ref.Add(strings.ToUpper(v.Ref))
	b.alt.Add(strings.ToUpper(v.Alt))
	if v.VariantType != "" {
		b.types.Add(normalizeVariantType(v.VariantType), row)
	}
	for _, g := range v.GeneIDs {
		b.genes.Add(strings.ToUpper(g), row)
	}
	for _, a := range v.AminoacidChanges {
		b.aas.Add(normalizeAAChange(a), row)
	}
	for _, h := range v.HGVSIDs {
		b.hgvs.Add(h, row)
	}
	sp := b.spaces[dataset]
	b.scratch = b.scratch[:0]
	if b.biosamples != nil {
		b.scratch = sp.appendRows(b.scratch, v.CarrierBits)
		b.carriedBy.add(row, b.scratch)
	}
	b.carriers.add(b.scratch)
	vt.cl.add(row, v, !sp.invertible() || b.biosamples == nil)
	b.calls.add(row, v, sp)
	// Rows are sorted, so each sequence is a contiguous row range.
	if !b.haveLast || v.Assembly != b.last.Assembly || v.Chrom != b.last.Chrom {
		b.seqStart = append(b.seqStart, row)
		b.seqKeys = append(b.seqKeys, sequence{assembly: strings.Clone(v.Assembly), chrom: strings.Clone(v.Chrom), base: row})
		b.last.Assembly, b.last.Chrom = b.seqKeys[len(b.seqKeys)-1].assembly, b.seqKeys[len(b.seqKeys)-1].chrom
	}
	b.last.Start, b.last.End, b.haveLast = v.Start, v.End, true
	return nil
}

// build freezes the table and its indexes; it fails only when a spill file does.
//
// The steps read back what they spilled through its maps (the id lookup hashes every id, the
// postings merges read their keys, decoding the carriedBy image touches every container),
// and the kernel maps the pages around each one read: at 10^7 variants × 2,504 samples
// 3 GB of file pages were resident on top of the heap when the build ended. Each step's
// pages are dropped once it is done (droppages.go).
func (b *variantBuilder) build(onto *index.Ontology, numDatasets int) (*variantTable, error) {
	defer b.sp.abort()
	defer b.sp.mp.dropAll()
	vt := b.vt
	var err error
	if vt.table, err = b.tb.build(onto, numDatasets); err != nil {
		return nil, err
	}
	b.sp.mp.dropAll()
	if vt.start, err = b.start.build(); err != nil {
		return nil, err
	}
	if vt.end, err = b.end.build(); err != nil {
		return nil, err
	}
	if vt.ref, err = b.ref.build(); err != nil {
		return nil, err
	}
	if vt.alt, err = b.alt.build(); err != nil {
		return nil, err
	}
	if b.carriers != nil { // nil: a merge of partitions splices them
		if vt.carriers, err = b.carriers.build(); err != nil {
			return nil, err
		}
	}
	if b.carriedBy != nil {
		if vt.carriedBy, vt.carriedByImage, err = b.carriedBy.build(); err != nil {
			return nil, err
		}
		b.sp.mp.dropAll()
	}
	if err := vt.cl.finish(); err != nil {
		return nil, err
	}
	if b.calls != nil {
		vt.calls = b.calls.build()
	}
	vt.types = b.types.Build(nil)
	vt.genes = b.genes.Build(nil)
	vt.aaChanges = b.aas.Build(nil)
	vt.hgvs = b.hgvs.Build(nil)
	b.sp.mp.dropAll()
	if b.sp.err != nil { // a postings spill file failed: the indexes are incomplete
		return nil, b.sp.err
	}
	for i, sq := range b.seqKeys {
		end := vt.n
		if i+1 < len(b.seqKeys) {
			end = b.seqKeys[i+1].base
		}
		sq.iv = index.NewIntervals(vt.start[sq.base:end], vt.end[sq.base:end])
		vt.seqs[seqKey(sq.assembly, sq.chrom)] = sq
	}
	return vt, nil
}
