package index

import (
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// empty is returned for absent keys so callers never need a nil check.
var empty = roaring.New()

// Empty returns the shared empty bitmap. Callers must not modify it.
func Empty() *roaring.Bitmap { return empty }

var bitmapPool = sync.Pool{New: func() any { return roaring.New() }}

// GetBitmap returns an empty scratch bitmap from a pool; hand it back with PutBitmap when the
// query is done, so the per-request hot path reuses container slices instead of growing new ones.
func GetBitmap() *roaring.Bitmap { return bitmapPool.Get().(*roaring.Bitmap) }

// PutBitmap clears b and returns it to the pool. b must not be used afterwards, nor be a
// shared bitmap of an index.
func PutBitmap(b *roaring.Bitmap) {
	if b == nil || b == empty {
		return
	}
	b.Clear()
	bitmapPool.Put(b)
}

// AndInto sets dst to the intersection of bs, reusing dst's storage. It starts from the
// smallest input, so the work is bounded by the most selective term. With no inputs dst is
// left empty. dst must not be one of bs.
func AndInto(dst *roaring.Bitmap, bs ...*roaring.Bitmap) {
	dst.Clear()
	if len(bs) == 0 {
		return
	}
	small := 0
	for i, b := range bs {
		if b.IsEmpty() {
			return
		}
		if b.GetCardinality() < bs[small].GetCardinality() {
			small = i
		}
	}
	dst.Or(bs[small])
	for i, b := range bs {
		if i == small {
			continue
		}
		dst.And(b)
		if dst.IsEmpty() {
			return
		}
	}
}

// AndCardinality returns |b1 ∩ b2 ∩ ...| without materialising more than necessary: two
// inputs are counted directly, more go through a pooled scratch bitmap.
func AndCardinality(bs ...*roaring.Bitmap) uint64 {
	switch len(bs) {
	case 0:
		return 0
	case 1:
		return bs[0].GetCardinality()
	case 2:
		return bs[0].AndCardinality(bs[1])
	}
	s := GetBitmap()
	AndInto(s, bs...)
	n := s.GetCardinality()
	PutBitmap(s)
	return n
}
