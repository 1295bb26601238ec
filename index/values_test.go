package index

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

func testValueIndex() *ValueIndex {
	b := NewValueIndexBuilder()
	for _, a := range []struct {
		path, value string
		row         uint32
	}{
		{"age", "P70Y", 0}, {"age", "P65Y", 1}, {"age", "P1Y2M", 2}, {"age", "P14M", 3},
		{"age", "P40Y10M05D", 4}, {"age", "unknown", 5},
		{"bmi", "26", 0}, {"bmi", "26.0", 1}, {"bmi", "30.5", 2}, {"bmi", "18", 3},
		{"bmi", "abc", 4}, {"bmi", "100", 5},
		{"disease", "Breast cancer", 0}, {"disease", "diabetes", 0}, {"disease", "lung CANCER", 1},
		{"disease", "diabetes", 2}, {"disease", "cancer of colon", 3}, {"disease", "Cancerous", 6},
		{"sex", "female", 0}, {"sex", "male", 1},
		{"mixed", "31", 7}, {"mixed", "P31Y", 8}, {"mixed", "P40Y", 9},
	} {
		b.Add(a.path, a.value, a.row)
	}
	return b.Build(10)
}

func TestValueIndexMatch(t *testing.T) {
	x := testValueIndex()
	tests := []struct {
		path, op, value string
		want            []uint32
	}{
		// ISO 8601 durations compare as days.
		{"age", ">", "P65Y", []uint32{0}},
		{"age", ">=", "P65Y", []uint32{0, 1}},
		{"age", "<", "P2Y", []uint32{2, 3}},
		{"age", "<=", "P40Y10M5D", []uint32{2, 3, 4}},
		{"age", "=", "P14M", []uint32{2, 3}},
		{"age", "=", "P1Y2M", []uint32{2, 3}},
		{"age", "!", "P14M", []uint32{0, 1, 4, 5, 6, 7, 8, 9}},
		{"age", "=", "unknown", []uint32{5}},
		// A plain number against durations reads as years: "65" is P65Y.
		{"age", ">", "65", []uint32{0}},
		{"age", ">=", "65", []uint32{0, 1}},
		{"age", "<", "2", []uint32{2, 3}},
		{"age", "<=", "1.5", []uint32{2, 3}},
		{"age", "=", "70", []uint32{0}},
		{"age", "!", "70", []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		// A field holding both compares the number with its numbers and, as years, its durations.
		{"mixed", "=", "31", []uint32{7, 8}},
		{"mixed", ">", "30", []uint32{7, 8, 9}},
		{"mixed", ">", "P35Y", []uint32{9}},
		// Numbers compare as numbers, "26" equals "26.0".
		{"bmi", "=", "26", []uint32{0, 1}},
		{"bmi", "=", "26.0", []uint32{0, 1}},
		{"bmi", "=", "2.6e1", []uint32{0, 1}},
		{"bmi", ">", "20", []uint32{0, 1, 2, 5}},
		{"bmi", "<", "20", []uint32{3}},
		{"bmi", "<=", "26", []uint32{0, 1, 3}},
		{"bmi", ">=", "100", []uint32{5}},
		{"bmi", "!", "26", []uint32{2, 3, 4, 5, 6, 7, 8, 9}},
		{"bmi", "!=", "26", []uint32{2, 3, 4, 5, 6, 7, 8, 9}},
		// A query value that is neither compares lexicographically with every value.
		{"bmi", ">", "abb", []uint32{4}},
		{"bmi", "<", "1z", []uint32{3, 5}},
		{"bmi", "<=", "26", []uint32{0, 1, 3}},
		{"sex", ">=", "male", []uint32{1}},
		{"sex", "<", "male", []uint32{0}},
		// Wildcards are case-insensitive LIKE patterns.
		{"disease", "=", "%cancer%", []uint32{0, 1, 3, 6}},
		{"disease", "=", "cancer%", []uint32{3, 6}},
		{"disease", "=", "%cancer", []uint32{0, 1}},
		{"disease", "=", "%CAN%cer%", []uint32{0, 1, 3, 6}},
		{"disease", "=", "b%cancer", []uint32{0}},
		{"disease", "=", "%", []uint32{0, 1, 2, 3, 6}},
		{"disease", "=", "%of%colon%", []uint32{3}},
		{"disease", "=", "cancer%cancer", nil},
		{"disease", "!", "%cancer%", []uint32{2, 4, 5, 7, 8, 9}},
		// Exact equality is case-sensitive; multi-valued rows match on any value.
		{"disease", "=", "diabetes", []uint32{0, 2}},
		{"disease", "=", "Diabetes", nil},
		// Unknown paths match nothing, so their negation matches everything.
		{"nope", "=", "x", nil},
		{"nope", ">", "1", nil},
		{"nope", "!", "x", []uint32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	}
	for _, tc := range tests {
		got, err := x.Match(tc.path, tc.op, tc.value)
		if err != nil {
			t.Errorf("Match(%q %s %q): %v", tc.path, tc.op, tc.value, err)
			continue
		}
		if a := got.ToArray(); !slices.Equal(a, tc.want) && len(a)+len(tc.want) > 0 {
			t.Errorf("Match(%q %s %q) = %v; want %v", tc.path, tc.op, tc.value, a, tc.want)
		}
	}
}

// TestValueIndexYearsWide compares a plain number with many durations, where the bit-sliced
// indexes answer: the same rows as the years written as durations.
func TestValueIndexYearsWide(t *testing.T) {
	b := NewValueIndexBuilder()
	for i := range 300 {
		b.Add("age", "P"+strconv.Itoa(i%150)+"Y", uint32(i))
	}
	x := b.Build(300)
	for _, op := range []string{"<", "<=", ">", ">=", "="} {
		for _, n := range []string{"0", "31", "99", "149", "150"} {
			num, err := x.Match("age", op, n)
			if err != nil {
				t.Fatal(err)
			}
			dur, err := x.Match("age", op, "P"+n+"Y")
			if err != nil {
				t.Fatal(err)
			}
			if !num.Equals(dur) {
				t.Errorf("age %s %s: %d rows, as P%sY %d", op, n, num.GetCardinality(), n, dur.GetCardinality())
			}
		}
	}
	if got, _ := x.Match("age", ">", "100"); got.GetCardinality() != 2*49 {
		t.Errorf("age > 100: %d rows, want 98", got.GetCardinality())
	}
}

func TestValueIndexErrors(t *testing.T) {
	x := testValueIndex()
	if _, err := x.Match("bmi", "~", "1"); !errors.Is(err, ErrUnknownOperator) {
		t.Errorf("unknown operator: got %v; want ErrUnknownOperator", err)
	}
	if _, err := x.Match("", "=", "1"); !errors.Is(err, ErrEmptyPath) {
		t.Errorf("empty path: got %v; want ErrEmptyPath", err)
	}
}

func TestValueIndexOwnership(t *testing.T) {
	x := testValueIndex()
	got, _ := x.Match("bmi", "=", "18")
	got.Add(9)
	again, _ := x.Match("bmi", "=", "18")
	if a := again.ToArray(); !slices.Equal(a, []uint32{3}) {
		t.Errorf("Match result shares the index bitmap: %v", a)
	}
}

func TestValueIndexListing(t *testing.T) {
	x := testValueIndex()
	if got, want := x.Paths(), []string{"age", "bmi", "disease", "mixed", "sex"}; !slices.Equal(got, want) {
		t.Errorf("Paths() = %q; want %q", got, want)
	}
	if got, want := x.Values("disease", 2), []string{"Breast cancer", "Cancerous"}; !slices.Equal(got, want) {
		t.Errorf("Values(disease, 2) = %q; want %q", got, want)
	}
	if got := x.Values("sex", 0); !slices.Equal(got, []string{"female", "male"}) {
		t.Errorf("Values(sex, 0) = %q", got)
	}
	if !x.Has("bmi") || x.Has("nope") || x.Values("nope", 3) != nil {
		t.Errorf("Has/Values on unknown path")
	}
}

func TestValueIndexBuildPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("want panic for a row outside the universe")
		}
	}()
	b := NewValueIndexBuilder()
	b.Add("p", "v", 10)
	b.Build(10)
}

// TestValueIndexRangeProperty checks range and equality predicates against a brute-force
// evaluation, on paths with few and with many distinct readings (bit-sliced indexes), with
// rows holding several values, and on durations.
func TestValueIndexRangeProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for c := range 40 {
		universe := uint32(1 + r.IntN(3000))
		distinct := []int{5, 40, 300, 2000}[c%4]
		multi := c%3 == 0
		dur := c%5 == 0
		b := NewValueIndexBuilder()
		rows := make([][]string, universe)
		format := func(k int) string {
			if dur {
				return fmt.Sprintf("P%dY%dM", k/12, k%12)
			}
			if k%7 == 0 {
				return fmt.Sprintf("%d.0", k/2) // same reading as the integer form
			}
			return strconv.Itoa(k / 2)
		}
		for row := range universe {
			if r.IntN(10) == 0 {
				continue // no value
			}
			nv := 1
			if multi {
				nv += r.IntN(3)
			}
			for range nv {
				v := format(r.IntN(distinct))
				rows[row] = append(rows[row], v)
				b.Add("p", v, row)
			}
		}
		x := b.Build(universe)
		read := func(s string) float64 {
			if dur {
				d, _ := lexical.ParseDurationDays(s)
				return d
			}
			n, _ := lexical.ParseNumber(s)
			return n
		}
		readings := make([][]float64, len(rows))
		for row, vs := range rows {
			for _, v := range vs {
				readings[row] = append(readings[row], read(v))
			}
		}
		for range 40 {
			q := format(r.IntN(distinct + 4))
			if !dur && r.IntN(2) == 0 {
				q = strconv.FormatFloat(float64(r.IntN(distinct+4)-2)/2+0.25*float64(r.IntN(4)), 'f', -1, 64)
			}
			qv := read(q)
			for _, op := range []string{"<", "<=", ">", ">=", "=", "!"} {
				var want []uint32
				for row, fvs := range readings {
					hit := false
					for _, fv := range fvs {
						switch op {
						case "<":
							hit = hit || fv < qv
						case "<=":
							hit = hit || fv <= qv
						case ">":
							hit = hit || fv > qv
						case ">=":
							hit = hit || fv >= qv
						case "=", "!":
							hit = hit || fv == qv
						}
					}
					if hit != (op == "!") {
						want = append(want, uint32(row))
					}
				}
				got, err := x.Match("p", op, q)
				if err != nil {
					t.Fatal(err)
				}
				if a := got.ToArray(); !slices.Equal(a, want) && len(a)+len(want) > 0 {
					t.Fatalf("case %d (distinct=%d multi=%v dur=%v) p %s %q: got %d rows, want %d\n got %v\nwant %v",
						c, distinct, multi, dur, op, q, len(a), len(want), a, want)
				}
			}
		}
	}
}

// TestValueIndexDenseUnion covers a union of many value bitmaps where one of them holds a
// dense (bitmap) container, which must be ORed, not copied, into the scratch words.
func TestValueIndexDenseUnion(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	b := NewValueIndexBuilder()
	const universe = 20000
	for row := range uint32(universe) {
		if r.IntN(2) == 0 {
			b.Add("p", "z-common", row) // sorts last, so it is merged after the rare ones
		} else {
			b.Add("p", fmt.Sprintf("rare-%d", r.IntN(8)), row)
		}
	}
	x := b.Build(universe)
	for _, q := range [][2]string{{"=", "%"}, {">=", "a"}, {"!", "nothing"}} {
		got, err := x.Match("p", q[0], q[1])
		if err != nil {
			t.Fatal(err)
		}
		if n := got.GetCardinality(); n != universe {
			t.Errorf("p %s %q: %d rows; want %d", q[0], q[1], n, universe)
		}
	}
}
