package index

import (
	"bytes"
	"sync"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// Postings decoded from an index file read no bitmap at load, read each the first time it
// is asked for (the same one to concurrent callers), and give no rows for a bitmap the file
// damaged or an entry naming one beyond the list, instead of failing the load or panicking.
func TestPostingsBitmapsReadWhenAsked(t *testing.T) {
	var b postingsBuilder
	for _, kr := range []struct {
		key string
		row uint32
	}{{"a", 1}, {"a", 5}, {"b", 2}, {"c", 3}, {"c", 70000}, {"c", 70001}} {
		b.add(kr.key, kr.row)
	}
	p, _ := b.build()
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	p.encode(e)
	if _, _, err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	raw := aligned(buf.Bytes())
	d := NewDecoder(raw)
	q := decodePostings(d)
	if err := d.Done(); err != nil {
		t.Fatal(err)
	}
	if q.multi.len() != 2 {
		t.Fatalf("%d multi-row bitmaps, want 2 (a and c)", q.multi.len())
	}
	for j := range q.multi.len() {
		if q.multi.bms[j].Load() != nil {
			t.Fatalf("bitmap %d read at load", j)
		}
	}
	i, ok := q.find("c")
	if !ok {
		t.Fatal("key c not found")
	}
	var wg sync.WaitGroup
	got := make([]*roaring.Bitmap, 8)
	for g := range got {
		wg.Go(func() { got[g] = q.bitmap(i) })
	}
	wg.Wait()
	for _, bm := range got {
		if bm != got[0] || !bm.Equals(roaring.BitmapOf(3, 70000, 70001)) {
			t.Fatalf("rows of c %v (%p, first %p), want [3 70000 70001], one bitmap", bm.ToArray(), bm, got[0])
		}
	}
	// Damage the section of a's bitmap (its roaring cookie) and point b's entry past the list.
	ia, _ := q.find("a")
	j := int(q.one[ia] &^ multiFlag)
	raw[q.multi.at[j]+8] ^= 0xff
	ib, _ := q.find("b")
	q.one[ib] = multiFlag | 9
	if n := q.card(ia); n != 0 {
		t.Errorf("a damaged bitmap has %d rows, want none", n)
	}
	if bm := q.bitmap(ib); !bm.IsEmpty() || q.card(ib) != 0 {
		t.Errorf("an entry beyond the list has rows %v, want none", bm.ToArray())
	}
	words := make([]uint64, 2)
	q.orWords(ib, words)
	if words[0]|words[1] != 0 {
		t.Errorf("an entry beyond the list ORs %x", words)
	}
}
