package index

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// benchTerms builds 10^6 rows over a three-level ontology (10 roots x 10 x 10 leaves), each
// row holding three random leaves, so a root folds in about 27% of rows and a mid term 3%.
func benchTerms(b *testing.B) *TermIndex {
	b.Helper()
	var terms []TermParents
	for i := range 10 {
		root := fmt.Sprintf("R:%d", i)
		terms = append(terms, TermParents{ID: root})
		for j := range 10 {
			mid := fmt.Sprintf("M:%d.%d", i, j)
			terms = append(terms, TermParents{ID: mid, Parents: []string{root}})
			for k := range 10 {
				terms = append(terms, TermParents{ID: fmt.Sprintf("L:%d.%d.%d", i, j, k), Parents: []string{mid}})
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	tb := NewTermIndexBuilder()
	for row := range uint32(1_000_000) {
		for range 3 {
			i, j, k := r.IntN(10), r.IntN(10), r.IntN(10)
			tb.Add(fmt.Sprintf("L:%d.%d.%d", i, j, k), row)
		}
	}
	return tb.Build(NewOntology(terms))
}

// BenchmarkTermFoldedAnd measures the intersections a query of three folded terms runs over
// 10^6 rows: Intersect (a query that returns rows), DenseAnd (a count, when the engine's
// planner picks words), CountIn by rank over a dataset of every row, and roaring.FastAnd as
// the library's own answer to compare with.
func BenchmarkTermFoldedAnd(b *testing.B) {
	ti := benchTerms(b)
	q := []*roaring.Bitmap{ti.Folded("R:1"), ti.Folded("R:2"), ti.Folded("M:3.4")}
	all := roaring.New()
	all.AddRange(0, 1_000_000)
	b.Run("Intersect", func(b *testing.B) {
		b.ReportAllocs()
		var n uint64
		for b.Loop() {
			n = Intersect(all, q).GetCardinality()
		}
		b.ReportMetric(float64(n), "rows")
	})
	b.Run("DenseAnd", func(b *testing.B) {
		var d DenseAnd
		d.And(q, 1_000_000) // the buffers a reused Result keeps
		b.ReportAllocs()
		for b.Loop() {
			d.And(q, 1_000_000)
			d.CountIn(all)
		}
	})
	b.Run("CountIn", func(b *testing.B) {
		rows := Intersect(all, q[:2])
		b.ReportAllocs()
		for b.Loop() {
			CountIn(rows, all)
		}
	})
	b.Run("roaring.FastAnd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			roaring.FastAnd(q...)
		}
	})
}

// benchIntervals draws n variants about 100 bp apart: SNVs, plus 1% structural variants of
// 1 kb to 1 Mb. Queries are 1 kb windows.
func benchIntervals(n int) (*Intervals, [][2]int64) {
	r := rand.New(rand.NewPCG(5, 6))
	starts, ends := make([]int64, n), make([]int64, n)
	pos := int64(0)
	for i := range starts {
		pos += r.Int64N(200)
		starts[i] = pos
		ends[i] = pos + 1
		if r.IntN(100) == 0 {
			ends[i] = pos + 1000 + r.Int64N(1_000_000)
		}
	}
	qs := make([][2]int64, 64)
	for i := range qs {
		s := r.Int64N(pos)
		qs[i] = [2]int64{s, s + 1000}
	}
	return NewIntervals(starts, ends), qs
}

func BenchmarkIntervals(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		iv, qs := benchIntervals(n)
		b.Run(fmt.Sprintf("Overlap/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			k, hits := 0, 0
			for b.Loop() {
				q := qs[k%len(qs)]
				k++
				iv.Overlap(q[0], q[1], func(int) bool { hits++; return true })
			}
			b.ReportMetric(float64(hits)/float64(k), "rows/op")
		})
		b.Run(fmt.Sprintf("OverlapTo/n=%d", n), func(b *testing.B) {
			// dst is warmed with every query once, so the loop measures the steady state in
			// which its containers already exist: 0 allocs/op expected.
			dst := roaring.New()
			for _, q := range qs {
				iv.OverlapTo(q[0], q[1], 0, dst)
			}
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				q := qs[k%len(qs)]
				k++
				iv.OverlapTo(q[0], q[1], 0, dst)
			}
		})
		b.Run(fmt.Sprintf("OverlapToFresh/n=%d", n), func(b *testing.B) {
			// A new bitmap per query: what a variant query pays (matchVariants makes one).
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				q := qs[k%len(qs)]
				k++
				iv.OverlapTo(q[0], q[1], 0, roaring.New())
			}
		})
		b.Run(fmt.Sprintf("Bracket/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			k, hits := 0, 0
			for b.Loop() {
				q := qs[k%len(qs)]
				k++
				iv.Bracket(q[0], q[1], q[0], q[1]+500, func(int) bool { hits++; return true })
			}
		})
		b.Run(fmt.Sprintf("StartsAt/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			k, hits := 0, 0
			for b.Loop() {
				q := qs[k%len(qs)]
				k++
				iv.StartsAt(iv.starts[int(q[0])%n], func(int) bool { hits++; return true })
			}
		})
	}
}

// benchValues indexes 10^6 rows with an age (ISO duration, ~1200 distinct), a BMI (number,
// ~300 distinct) and a disease label (~1000 distinct strings).
func benchValues(b *testing.B) *ValueIndex {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	vb := NewValueIndexBuilder()
	labels := make([]string, 1000)
	for i := range labels {
		kind := []string{"cancer", "diabetes", "asthma", "syndrome"}[i%4]
		labels[i] = fmt.Sprintf("Type %d %s variant", i, kind)
	}
	for row := range uint32(1_000_000) {
		vb.Add("age", fmt.Sprintf("P%dY%dM", r.IntN(100), r.IntN(12)), row)
		vb.Add("bmi", fmt.Sprintf("%.1f", 15+r.Float64()*30), row)
		vb.Add("disease", labels[r.IntN(len(labels))], row)
	}
	return vb.Build(1_000_000)
}

func BenchmarkValueIndexMatch(b *testing.B) {
	x := benchValues(b)
	for _, q := range [][3]string{
		{"age", ">", "P65Y"},
		{"age", "<=", "P18Y"},
		{"bmi", ">=", "30"},
		{"bmi", "=", "25"},
		{"disease", "=", "%cancer%"},
		{"disease", "!", "%cancer%"},
	} {
		b.Run(q[0]+q[1]+q[2], func(b *testing.B) {
			b.ReportAllocs()
			var n uint64
			for b.Loop() {
				bm, err := x.Match(q[0], q[1], q[2])
				if err != nil {
					b.Fatal(err)
				}
				n = bm.GetCardinality()
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}
