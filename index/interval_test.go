package index

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// randomIntervals draws n sorted intervals in [0, span): many duplicates and short ones,
// zero-length and inverted ones, and longPct% very long ones (structural variants).
func randomIntervals(r *rand.Rand, n int, span int64, longPct int) (starts, ends []int64) {
	starts = make([]int64, n)
	ends = make([]int64, n)
	for i := range starts {
		starts[i] = r.Int64N(span)
	}
	slices.Sort(starts)
	for i, s := range starts {
		switch k := r.IntN(100); {
		case k < longPct:
			ends[i] = s + r.Int64N(span) // very long
		case k < longPct+5:
			ends[i] = s // zero-length
		case k < longPct+7:
			ends[i] = s - 1 - r.Int64N(3) // inverted: treated like zero-length
		default:
			ends[i] = s + 1 + r.Int64N(20)
		}
	}
	return starts, ends
}

func collect(f func(fn func(i int) bool)) []int {
	var got []int
	f(func(i int) bool { got = append(got, i); return true })
	return got
}

func bitmapRows(bm *roaring.Bitmap, base uint32) []int {
	var got []int
	for _, v := range bm.ToArray() {
		got = append(got, int(v-base))
	}
	return got
}

func TestIntervalsProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for c := range 2000 {
		n, span := r.IntN(300), int64(1+r.IntN(1000))
		if c%50 == 0 {
			n, span = 5000+r.IntN(20000), int64(1+r.IntN(1_000_000)) // two tree levels
		}
		starts, ends := randomIntervals(r, n, span, []int{0, 1, 3, 30, 100}[r.IntN(5)])
		iv := NewIntervals(starts, ends)
		if iv.Len() != n {
			t.Fatalf("Len() = %d; want %d", iv.Len(), n)
		}
		base := uint32(r.IntN(1000))
		for range 10 {
			qs := r.Int64N(span+40) - 20
			qe := qs + r.Int64N(span/4+3) - 1 // sometimes empty or inverted
			e0 := r.Int64N(span+40) - 20
			e1 := e0 + r.Int64N(span+3)

			var wantOv, wantBr, wantAt []int
			for i := range starts {
				if starts[i] < qe && effEnd(starts[i], ends[i]) > qs {
					wantOv = append(wantOv, i)
				}
				if starts[i] >= qs && starts[i] < qe && ends[i] >= e0 && ends[i] < e1 {
					wantBr = append(wantBr, i)
				}
				if starts[i] == qs {
					wantAt = append(wantAt, i)
				}
			}
			check := func(what string, got, want []int) {
				t.Helper()
				if !slices.Equal(got, want) {
					t.Fatalf("case %d n=%d %s(qs=%d qe=%d e0=%d e1=%d):\n got %v\nwant %v", c, n, what, qs, qe, e0, e1, got, want)
				}
			}
			check("Overlap", collect(func(fn func(int) bool) { iv.Overlap(qs, qe, fn) }), wantOv)
			check("Bracket", collect(func(fn func(int) bool) { iv.Bracket(qs, qe, e0, e1, fn) }), wantBr)
			check("StartsAt", collect(func(fn func(int) bool) { iv.StartsAt(qs, fn) }), wantAt)

			dst := roaring.New()
			iv.OverlapTo(qs, qe, base, dst)
			check("OverlapTo", bitmapRows(dst, base), wantOv)
			dst.Clear()
			iv.StartsAtTo(qs, base, dst)
			check("StartsAtTo", bitmapRows(dst, base), wantAt)

			// Early stop: fn returning false ends the walk after the first k rows.
			if len(wantOv) > 0 {
				k := 1 + r.IntN(len(wantOv))
				var got []int
				iv.Overlap(qs, qe, func(i int) bool { got = append(got, i); return len(got) < k })
				check("Overlap(stop)", got, wantOv[:k])
			}
			lo, hi := iv.StartRange(qs, qe)
			wlo := sort.Search(n, func(i int) bool { return starts[i] >= qs })
			whi := max(wlo, sort.Search(n, func(i int) bool { return starts[i] >= qe }))
			if lo != wlo || hi != whi {
				t.Fatalf("StartRange(%d,%d) = %d,%d; want %d,%d", qs, qe, lo, hi, wlo, whi)
			}
		}
	}
}

func TestMaxTreeNext(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for c := range 200 {
		n := 1 + r.IntN(2000)
		if c%20 == 0 {
			n = 300_000 + r.IntN(100_000) // three levels
		}
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = r.Int64N(1_000_000)
		}
		tr := newMaxTree(vals)
		bm := blockMax(vals)
		for range 50 {
			thr := 1_000_000 - 1 - r.Int64N(1+r.Int64N(1_000_000)) // often only a few blocks qualify
			from, limit := r.IntN(len(bm)+1), r.IntN(len(bm)+1)
			want := max(from, limit)
			if from < limit {
				want = limit
				for b := from; b < limit; b++ {
					if bm[b] > thr {
						want = b
						break
					}
				}
			}
			if got := tr.next(from, limit, thr); got != want && !(from >= limit && got == limit) {
				t.Fatalf("n=%d next(%d, %d, %d) = %d; want %d", n, from, limit, thr, got, want)
			}
		}
	}
}

func TestIntervalsEdges(t *testing.T) {
	// A single huge interval at row 0 must be found from the far end of a long chromosome.
	n := 200_000
	starts, ends := make([]int64, n), make([]int64, n)
	for i := range starts {
		starts[i] = int64(i) * 10
		ends[i] = starts[i] + 1
	}
	ends[0] = int64(n) * 10
	iv := NewIntervals(starts, ends)
	got := collect(func(fn func(int) bool) { iv.Overlap(1_999_000, 1_999_015, fn) })
	if want := []int{0, 199_900, 199_901}; !slices.Equal(got, want) {
		t.Errorf("Overlap = %v; want %v", got, want)
	}
	// Insertion at 50 (end == start) overlaps a query on base 50 only.
	iv = NewIntervals([]int64{50}, []int64{50})
	for _, tc := range []struct {
		qs, qe int64
		want   bool
	}{{50, 51, true}, {49, 50, false}, {51, 52, false}, {0, 100, true}} {
		hit := false
		iv.Overlap(tc.qs, tc.qe, func(int) bool { hit = true; return true })
		if hit != tc.want {
			t.Errorf("insertion Overlap(%d,%d) = %v; want %v", tc.qs, tc.qe, hit, tc.want)
		}
	}
	// Rows exactly as long as the short bound L (here 8) sit on the window's edge.
	starts, ends = make([]int64, 1000), make([]int64, 1000)
	for i := range starts {
		starts[i], ends[i] = int64(i)*10, int64(i)*10+8
	}
	iv = NewIntervals(starts, ends)
	if iv.shortMax != 8 {
		t.Fatalf("shortMax = %d; want 8", iv.shortMax)
	}
	if got := collect(func(fn func(int) bool) { iv.Bracket(0, 1e9, 508, 509, fn) }); !slices.Equal(got, []int{50}) {
		t.Errorf("Bracket on the L edge = %v; want [50]", got)
	}
	if got := collect(func(fn func(int) bool) { iv.Overlap(507, 508, fn) }); !slices.Equal(got, []int{50}) {
		t.Errorf("Overlap on the L edge = %v; want [50]", got)
	}

	empty := NewIntervals(nil, nil)
	empty.Overlap(0, 10, func(int) bool { t.Error("empty index reported a row"); return true })
	empty.Bracket(0, 10, 0, 10, func(int) bool { t.Error("empty index reported a row"); return true })
	empty.StartsAt(0, func(int) bool { t.Error("empty index reported a row"); return true })
}

func TestNewIntervalsPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"length":   func() { NewIntervals([]int64{1}, nil) },
		"unsorted": func() { NewIntervals([]int64{2, 1}, []int64{3, 3}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: want panic", name)
				}
			}()
			f()
		}()
	}
}
