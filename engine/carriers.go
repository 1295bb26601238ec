package engine

import (
	"math"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// Carriers come from the release as bitmaps of sample indexes, one sample list per dataset
// (release.Reader.ReadSamples). At load each dataset's samples are mapped to biosample rows
// once (sampleSpace), and every variant's carriers are moved from sample indexes to
// biosample rows with that map: one AddOffset when the samples are a run of consecutive
// biosample rows in the same order (a VCF whose columns follow biosamples.json, or a BFF
// dataset, whose samples are its biosamples in order), else element by element.
//
// caseLevelData left out of a stored record (release.Variant.CaseLevelFromCarriers) is
// rendered from the sample-space carriers and a zygosity code per carrier (caseLevel).

// sampleSpace maps the sample indexes of one dataset to biosample rows: a sample is the
// biosample with its id in the dataset, else every biosample of the individual with its id,
// else nothing (it still renders, by its id).
type sampleSpace struct {
	ids []string // sample index → carrier id

	// shift: sample i is biosample row i+offset for every matched sample, and only
	// matched samples (matched; nil when all are) have a row.
	shift   bool
	offset  int64
	matched *roaring.Bitmap
	// Otherwise rows[i] is the row of sample i, -1 for none, -2 for several: multi[i].
	rows  []int32
	multi map[uint32][]int32
}

// invertible reports whether the sample-space carriers can be recovered from the biosample
// rows (AddOffset back), so that they need not be kept.
func (sp *sampleSpace) invertible() bool { return sp.shift && sp.matched == nil }

// newSampleSpaces maps the samples of every dataset to rows of the biosample table (nil when
// the release has none).
func newSampleSpaces(samples [][]string, biosamples *table) []*sampleSpace {
	byIndividual := map[string][]int32{} // carrierKey(dataset, individual id) → biosample rows
	if biosamples != nil {
		for r, ind := range biosamples.rawLinks[linkIndividual] {
			if ind != "" {
				k := carrierKey(biosamples.dataset[r], ind)
				byIndividual[k] = append(byIndividual[k], int32(r))
			}
		}
	}
	out := make([]*sampleSpace, len(samples))
	for d, ids := range samples {
		sp := &sampleSpace{ids: ids}
		out[d] = sp
		if biosamples == nil || len(ids) == 0 {
			sp.shift, sp.matched = true, roaring.New() // nothing matches
			continue
		}
		rows := make([]int32, len(ids))
		var multi map[uint32][]int32
		for i, id := range ids {
			rows[i] = -1
			if b := biosamples.rowOf(id, uint16(d)); b >= 0 {
				rows[i] = b
				continue
			}
			switch bs := byIndividual[carrierKey(uint16(d), id)]; len(bs) {
			case 0:
			case 1:
				rows[i] = bs[0]
			default:
				rows[i] = -2
				if multi == nil {
					multi = map[uint32][]int32{}
				}
				multi[uint32(i)] = bs
			}
		}
		// A run of consecutive rows in sample order, with gaps only where samples match
		// nothing?
		shift, haveOffset, unmatched := multi == nil, false, 0
		var offset int64
		for i, r := range rows {
			switch {
			case r == -1:
				unmatched++
			case !haveOffset:
				offset, haveOffset = int64(r)-int64(i), true
			case int64(r) != int64(i)+offset:
				shift = false
			}
		}
		if shift {
			sp.shift, sp.offset = true, offset
			if unmatched > 0 {
				sp.matched = roaring.New()
				for i, r := range rows {
					if r >= 0 {
						sp.matched.Add(uint32(i))
					}
				}
				sp.matched.RunOptimize()
			}
			continue
		}
		sp.rows, sp.multi = rows, multi
	}
	return out
}

func carrierKey(dataset uint16, id string) string {
	return string([]byte{byte(dataset >> 8), byte(dataset)}) + "\x00" + id
}

// appendRows appends to dst the biosample rows of the samples in bits, ascending, each once.
func (sp *sampleSpace) appendRows(dst []uint32, bits *roaring.Bitmap) []uint32 {
	if bits == nil || bits.IsEmpty() {
		return dst
	}
	if sp.shift {
		start := len(dst)
		dst = appendBits(dst, bits)
		out := dst[:start]
		for _, x := range dst[start:] {
			if sp.matched == nil || sp.matched.Contains(x) {
				out = append(out, uint32(int64(x)+sp.offset))
			}
		}
		return out
	}
	start := len(dst)
	out := dst
	sorted := true
	add := func(r int32) {
		if n := len(out); n > start && uint32(r) <= out[n-1] {
			sorted = false
		}
		out = append(out, uint32(r))
	}
	bits.Iterate(func(x uint32) bool {
		switch r := sp.rows[x]; {
		case r >= 0:
			add(r)
		case r == -2:
			for _, b := range sp.multi[x] {
				add(b)
			}
		}
		return true
	})
	if !sorted {
		slices.Sort(out[start:])
		out = append(out[:start], slices.Compact(out[start:])...)
	}
	return out
}

// caseLevel holds what rendering caseLevelData needs for the variants whose stored record
// leaves it to the carriers, and the zygosity of every carrier call (rendered or not).
type caseLevel struct {
	from   *roaring.Bitmap // variant rows rendered
	spaces []*sampleSpace  // by dataset index
	// sampleBits[row] is the sample-space carriers of a row whose dataset's space is not
	// invertible; nil slice when every rendered row's space is.
	sampleBits []*roaring.Bitmap
	// The zygosity of each carrier, in sample order, is a code: 0 none, c > 0 terms[c-1].
	// Codes are read from a mapped file without being checked at load (a scan would make
	// ready O(carrier calls)), so everything indexed by code is codeSpace long and a code no
	// term has reads as none.
	// A row's codes are codes[at[row]:at[row+1]]: none (every carrier has code 0), one (every
	// carrier has that code) or one per carrier.
	terms []zygTerm
	at    []uint32
	codes []byte
	// While building: the number of codes so far and the spill file they go to, and the
	// rows' offsets into them, spilled too (4 bytes a variant: 400 MB of heap at 10^8).
	nCodes    uint64
	codesFile *spillFile
	atFile    *spilledArray[uint32]
	rowCodes  []byte
	// fallback holds the zygosity of rows that need more than 255 distinct terms (or more
	// than 8 in one row, or codes beyond 4 Gi).
	fallback map[uint32][]release.ZygositySet

	termCode map[release.ZygosityTerm]byte
	iscratch []uint32
	zscratch []uint32
}

// zygTerm is one zygosity with its rendered form.
type zygTerm struct {
	release.ZygosityTerm
	suffix []byte // `,"zygosity":{"id":..,"label":..}}`, closing a caseLevelData entry
}

func newCaseLevel(spaces []*sampleSpace, codes *spillFile, at *spilledArray[uint32]) *caseLevel {
	at.add(0)
	return &caseLevel{from: roaring.New(), spaces: spaces, termCode: map[release.ZygosityTerm]byte{}, codesFile: codes, atFile: at}
}

// add records the rendering data of the next variant row (rows are added in order). keep
// says the sample-space carriers must be kept (its space is not invertible). The zygosity
// codes are kept for every row with carriers, rendered or not: zygosity filters read them
// (zygosity.go).
func (cl *caseLevel) add(row uint32, v *release.Variant, keep bool) {
	if v.CarrierBits != nil && !v.CarrierBits.IsEmpty() {
		rendered := v.CaseLevelFromCarriers
		if rendered {
			cl.from.Add(row)
		}
		if keep && (rendered || len(v.Zygosity) > 0) {
			for len(cl.sampleBits) <= int(row) {
				cl.sampleBits = append(cl.sampleBits, nil)
			}
			cl.sampleBits[row] = v.CarrierBits.Clone() // not the batch's column
		}
		cl.addCodes(row, v)
	}
	cl.atFile.add(uint32(cl.nCodes))
}

// appendCodes adds codes to the row being added.
func (cl *caseLevel) appendCodes(codes []byte) {
	cl.codesFile.write(codes)
	cl.nCodes += uint64(len(codes))
}

// addCodes appends the zygosity codes of a rendered row.
func (cl *caseLevel) addCodes(row uint32, v *release.Variant) {
	var sets []release.ZygositySet
	for _, z := range v.Zygosity {
		if z.Bits != nil && !z.Bits.IsEmpty() {
			sets = append(sets, z)
		}
	}
	if len(sets) == 0 {
		return // no carrier has a zygosity
	}
	n := int(v.CarrierBits.GetCardinality())
	var codes [8]byte
	for j, z := range sets {
		c, ok := cl.code(z.ID, z.Label)
		if !ok || j >= len(codes) || cl.nCodes+uint64(n) > math.MaxUint32 {
			if cl.fallback == nil {
				cl.fallback = map[uint32][]release.ZygositySet{}
			}
			cl.fallback[row] = sets
			return
		}
		codes[j] = c
	}
	if len(sets) == 1 && sets[0].Bits.GetCardinality() == uint64(n) {
		cl.appendCodes(codes[:1]) // one zygosity for all
		return
	}
	// One code per carrier: merge each set's samples into the carriers' order.
	cl.iscratch = appendBits(cl.iscratch[:0], v.CarrierBits)
	carriers := cl.iscratch
	out := slices.Grow(cl.rowCodes[:0], len(carriers))[:len(carriers)]
	clear(out)
	for j, z := range sets {
		cl.zscratch = appendBits(cl.zscratch[:0], z.Bits)
		i := 0
		for _, x := range cl.zscratch {
			for i < len(carriers) && carriers[i] < x {
				i++
			}
			if i < len(carriers) && carriers[i] == x && out[i] == 0 {
				out[i] = codes[j]
			}
		}
	}
	cl.appendCodes(out)
	cl.rowCodes = out
}

// appendBits appends the values of bm to dst.
func appendBits(dst []uint32, bm *roaring.Bitmap) []uint32 {
	it := bm.ManyIterator()
	for {
		dst = slices.Grow(dst, 1024)
		n := it.NextMany(dst[len(dst):cap(dst)])
		if n == 0 {
			return dst
		}
		dst = dst[:len(dst)+n]
	}
}

// codeSpace is the number of values a zygosity code (a byte) can take: the length of every
// table indexed by code.
const codeSpace = 256

// code returns the code of a zygosity term, adding it when new; false when 255 are taken.
func (cl *caseLevel) code(id, label string) (byte, bool) {
	k := release.ZygosityTerm{ID: id, Label: label}
	if c, ok := cl.termCode[k]; ok {
		return c, true
	}
	if len(cl.terms) == 255 {
		return 0, false
	}
	k = release.ZygosityTerm{ID: strings.Clone(id), Label: strings.Clone(label)} // not the batch's copy
	cl.terms = append(cl.terms, zygTerm{ZygosityTerm: k, suffix: append(release.AppendZygosity(nil, k.ID, k.Label), '}')})
	c := byte(len(cl.terms))
	cl.termCode[k] = c
	return c, true
}

// finish drops what only loading needed.
func (cl *caseLevel) finish() error {
	cl.termCode, cl.iscratch, cl.zscratch, cl.rowCodes = nil, nil, nil, nil
	cl.from.RunOptimize()
	var err error
	if cl.at, err = cl.atFile.build(); err != nil {
		return err
	}
	cl.codes, err = cl.codesFile.finish()
	cl.codesFile, cl.atFile = nil, nil
	return err
}

// renders reports whether the record of a variant row gets its caseLevelData rendered.
func (cl *caseLevel) renders(row uint32) bool { return cl != nil && cl.from.Contains(row) }

// appendSamples appends the carriers of a variant row as sample indexes, in sample order: the
// sample-space carriers are kept for spaces that cannot be inverted, else they are the
// biosample rows shifted back.
func (vt *variantTable) appendSamples(dst []uint32, row uint32) []uint32 {
	cl := vt.cl
	if int(row) < len(cl.sampleBits) && cl.sampleBits[row] != nil {
		return appendBits(dst, cl.sampleBits[row])
	}
	start := len(dst)
	dst = vt.carriers.appendTo(dst, row)
	off := cl.spaces[vt.dataset[row]].offset
	for i := start; i < len(dst); i++ {
		dst[i] = uint32(int64(dst[i]) - off)
	}
	return dst
}

// appendRecord appends the record of a rendered variant row: its stored JSON with
// caseLevelData before the closing brace, one entry per carrier in sample order (see
// release.AppendCaseLevelData, which this follows byte for byte).
func (vt *variantTable) appendRecord(dst []byte, row uint32) []byte {
	cl := vt.cl
	js := vt.record(row)
	sp := cl.spaces[vt.dataset[row]]
	samples := vt.appendSamples(nil, row)
	n := len(samples)
	dst = slices.Grow(dst, len(js)+n*80+20)
	body := js[:len(js)-1]
	dst = append(dst, body...)
	if len(body) > 1 {
		dst = append(dst, ',')
	}
	dst = append(dst, `"caseLevelData":[`...)
	codes := cl.codes[cl.at[row]:cl.at[row+1]]
	fallback := cl.fallback[row]
	for i, x := range samples {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"biosampleId":`...)
		id := ""
		if int(x) < len(sp.ids) {
			id = sp.ids[x]
		}
		dst = release.AppendJSONString(dst, id)
		var c byte
		switch len(codes) {
		case 0:
		case 1:
			c = codes[0]
		default:
			c = codes[i]
		}
		switch {
		case c > 0 && int(c) <= len(cl.terms):
			dst = append(dst, cl.terms[c-1].suffix...)
		case fallback != nil:
			for _, z := range fallback {
				if z.Bits.Contains(x) {
					dst = release.AppendZygosity(dst, z.ID, z.Label)
					break
				}
			}
			dst = append(dst, '}')
		default:
			dst = append(dst, '}')
		}
	}
	return append(dst, ']', '}')
}
