package engine

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// RecordJSON returns the record of a row as it is served, nil for no such row. The bytes
// must not be changed: they are the stored record, shared, except for a variant whose
// caseLevelData is rendered from its carriers (most VCF and BFF variants; see
// AppendRecordJSON), for which each call allocates a new slice.
func (s *Snapshot) RecordJSON(e release.Entity, row uint32) []byte {
	t := s.tables[e]
	if t == nil || row >= t.n {
		return nil
	}
	if e == release.GenomicVariation && s.variants.cl.renders(row) {
		return s.variants.appendRecord(nil, row)
	}
	return t.record(row)
}

// AppendRecordJSON appends the record of a row as it is served to dst (dst unchanged for no
// such row). A variant stored without its caseLevelData gets it rendered from the carriers:
// `"caseLevelData":[{"biosampleId":<sample id>,"zygosity":{"id":..,"label":..}},...]`
// before the closing brace, in sample order, zygosity left out where the sample had none.
func (s *Snapshot) AppendRecordJSON(dst []byte, e release.Entity, row uint32) []byte {
	t := s.tables[e]
	if t == nil || row >= t.n {
		return dst
	}
	if e == release.GenomicVariation && s.variants.cl.renders(row) {
		return s.variants.appendRecord(dst, row)
	}
	return append(dst, t.record(row)...)
}

// Page returns up to limit rows of bm after skipping offset rows, in row order.
func Page(bm *roaring.Bitmap, offset, limit int, dst []uint32) []uint32 {
	dst = dst[:0]
	if limit <= 0 || offset < 0 || uint64(offset) >= bm.GetCardinality() {
		return dst
	}
	it := bm.Iterator()
	if offset > 0 {
		v, err := bm.Select(uint32(offset))
		if err != nil {
			return dst
		}
		it.AdvanceIfNeeded(v)
	}
	for it.HasNext() && len(dst) < limit {
		dst = append(dst, it.Next())
	}
	return dst
}
