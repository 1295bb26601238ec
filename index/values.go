package index

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// Errors returned by ValueIndex.Match; wrapped with the offending input.
var (
	ErrUnknownOperator = errors.New("index: unknown operator")
	ErrEmptyPath       = errors.New("index: empty field path")
)

// ValueIndexBuilder collects (path, value, row) triples, as pairs in one blob per path (no
// map entry or bitmap per distinct value while loading). It is not safe for concurrent use.
type ValueIndexBuilder struct {
	m     map[string]*postingsBuilder
	spill Spill // nil: in memory (see postingsspill.go)
}

// NewValueIndexBuilder returns an empty builder.
func NewValueIndexBuilder() *ValueIndexBuilder {
	return &ValueIndexBuilder{m: make(map[string]*postingsBuilder)}
}

// Add records that row has value at path. A row may have several values at one path (arrays).
func (b *ValueIndexBuilder) Add(path, value string, row uint32) {
	pb := b.m[path]
	if pb == nil {
		path = strings.Clone(path) // not the caller's batch, which it would keep alive
		pb = &postingsBuilder{spill: b.spill, what: "values"}
		b.m[path] = pb
	}
	pb.add(value, row)
}

// numKey ties a numeric reading of a value to its slot in field.values.
type numKey struct {
	v    float64
	slot int32
	// The blank field is the struct's padding made a field, so that it is zero: index files
	// hold the keys as their memory image, and the builds of a release's partitions must
	// write the same bytes (engine/partitionset.go compares them).
	_ int32
}

// numIndex holds the values of a path that read one way (as numbers, or as durations in
// days): sorted by reading, so equality and small ranges are a binary search and a union of
// a few value bitmaps. With many distinct readings it adds bit-sliced indexes of each row's
// lowest and highest rank, so a wide range costs one pass over dense words instead of a union
// over every value in it. Lowest for < and <=, highest for > and >=: a row with several
// values matches if any of them does.
type numIndex struct {
	keys   []numKey  // by reading, then slot
	ranks  []float64 // distinct readings, ascending; a reading's rank is its index
	lo, hi *bsi      // nil with few ranks; hi == lo when no row has two readings
}

// A path gets bit-sliced indexes when it has at least bsiMinRanks distinct readings and at
// least 1/bsiMinDensity of the rows have one (sparser paths union few rows anyway); a range
// uses them when it covers more than bsiMinSlots values.
const (
	bsiMinRanks   = 64
	bsiMinDensity = 16
	bsiMinSlots   = 16
)

// field is one path: its distinct values sorted with their rows (the value slots), and the
// numeric readings of those values.
type field struct {
	p    postings
	nums numIndex
	durs numIndex // in days
}

// ValueIndex answers alphanumeric filters (= ! < > <= >= with % wildcards) over a row space
// 0..universe-1. It is immutable and safe for concurrent use.
type ValueIndex struct {
	universe uint32
	fields   map[string]*field
	paths    []string
	dense    sync.Pool // *[]uint64 of universe bits, zeroed, for unions of many bitmaps
}

// Build returns the index over rows 0..universe-1. It panics if a row added is >= universe,
// which is a caller bug. The builder must not be used afterwards.
func (b *ValueIndexBuilder) Build(universe uint32) *ValueIndex {
	x := &ValueIndex{universe: universe, fields: make(map[string]*field, len(b.m))}
	var sc rankScratch
	for path, pb := range b.m {
		p, m := pb.build()
		if m >= universe {
			panic(fmt.Sprintf("index: ValueIndex.Build: row %d at %q >= universe %d", m, path, universe))
		}
		x.fields[path] = newField(p, &sc, universe, b.spill)
		x.paths = append(x.paths, path)
		if b.spill != nil {
			b.spill.Drop() // the readings parsed every key, the bit-sliced indexes read the rows
		}
	}
	slices.Sort(x.paths)
	b.m = nil
	return x
}

// newField returns the field of the postings of one path, with the numeric readings of its
// values, sorted through sp unless it is nil (readingsspill.go).
func newField(p postings, sc *rankScratch, universe uint32, sp Spill) *field {
	f := &field{p: p}
	nums, durs := readingsSorter{sp: sp, what: "values"}, readingsSorter{sp: sp, what: "values-durations"}
	for i := range f.p.len() {
		v := f.p.key(i)
		if n, ok := lexical.ParseNumber(v); ok {
			nums.add(numKey{v: n, slot: int32(i)})
		} else if d, ok := lexical.ParseDurationDays(v); ok {
			durs.add(numKey{v: d, slot: int32(i)})
		}
	}
	f.nums.keys, f.nums.ranks = nums.finish()
	f.durs.keys, f.durs.ranks = durs.finish()
	f.nums.build(&f.p, sc, universe, sp)
	f.durs.build(&f.p, sc, universe, sp)
	return f
}

// rankScratch holds per-row rank arrays, reused across the paths of one Build.
type rankScratch struct{ lo, hi []uint32 }

// build builds, when there are many distinct readings, the bit-sliced indexes of each row's
// lowest and highest rank (keys and ranks sorted, readingsSorter.finish), spilled through
// sp unless it is nil (bsispill.go).
func (n *numIndex) build(p *postings, sc *rankScratch, universe uint32, sp Spill) {
	if len(n.ranks) < bsiMinRanks {
		return
	}
	var rows uint64
	for _, k := range n.keys {
		rows += p.card(int(k.slot)) // counts a multi-valued row more than once
	}
	if rows < uint64(universe)/bsiMinDensity {
		return
	}
	if sp != nil {
		n.lo, n.hi = n.spilledBSIs(p, universe, sp, "values")
		return
	}
	if sc.lo == nil {
		sc.lo, sc.hi = make([]uint32, universe), make([]uint32, universe)
	}
	for i := range sc.lo {
		sc.lo[i], sc.hi[i] = noRank, 0
	}
	multi, r := false, uint32(0)
	for i, k := range n.keys {
		if i > 0 && k.v != n.keys[i-1].v {
			r++
		}
		// Keys come in ascending rank, so a row's first rank is its lowest, its last the highest.
		p.iterate(int(k.slot), func(row uint32) {
			if sc.lo[row] == noRank {
				sc.lo[row] = r
			} else if sc.hi[row] != r {
				multi = true
			}
			sc.hi[row] = r
		})
	}
	n.lo = newBSI(sc.lo, uint32(len(n.ranks)))
	n.hi = n.lo
	if multi {
		for i, l := range sc.lo {
			if l == noRank {
				sc.hi[i] = noRank
			}
		}
		n.hi = newBSI(sc.hi, uint32(len(n.ranks)))
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Has reports whether any row has a value at path.
func (x *ValueIndex) Has(path string) bool {
	_, ok := x.fields[path]
	return ok
}

// HasBytes is Has of a path given as bytes, without making it a string.
func (x *ValueIndex) HasBytes(path []byte) bool {
	_, ok := x.fields[string(path)]
	return ok
}

// Paths returns every indexed path, sorted. The slice is shared: callers must not modify it.
func (x *ValueIndex) Paths() []string { return x.paths }

// Distinct is the number of distinct values of path (0 when no row has it): what a LIKE
// pattern (a value with %) scans one by one.
func (x *ValueIndex) Distinct(path string) int {
	if f := x.fields[path]; f != nil {
		return f.p.len()
	}
	return 0
}

// Values returns up to limit distinct values at path, sorted; limit <= 0 means all. The
// slice is the caller's.
func (x *ValueIndex) Values(path string, limit int) []string {
	f := x.fields[path]
	if f == nil {
		return nil
	}
	n := f.p.len()
	if limit > 0 && n > limit {
		n = limit
	}
	out := make([]string, n)
	for i := range out {
		out[i] = f.p.key(i)
	}
	return out
}

// ValuesWithin returns up to limit distinct values at path held by at least one of rows,
// sorted; limit <= 0 means all. It answers "which values does this subset (a dataset) use",
// e.g. for per-dataset filtering terms; it costs one intersection test per distinct value.
func (x *ValueIndex) ValuesWithin(path string, rows *roaring.Bitmap, limit int) []string {
	f := x.fields[path]
	if f == nil {
		return nil
	}
	var out []string
	for i := range f.p.len() {
		if f.p.intersects(i, rows) {
			out = append(out, f.p.key(i))
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

// Match returns the rows whose value at path satisfies op value, as a new bitmap the caller
// owns. A row with several values matches if any of them does.
//
//   - "=": equal; when both sides read as numbers (or both as ISO 8601 durations) equal values
//     match too ("26" = "26.0", "P1Y2M" = "P14M"). A value containing % is a case-insensitive
//     LIKE pattern, % standing for any run of characters.
//   - "!" (or "!="): every row of the universe that "=" does not match, including rows with no
//     value at path.
//   - "<" ">" "<=" ">=": numeric when the query value reads as a number, in days when it reads
//     as a duration (each compared only with field values read the same way), otherwise
//     lexicographic over all values. A plain number is also compared, as years, with the
//     field's durations ("31" is P31Y), for "=" too.
//
// An unknown path is not an error here (the caller decides how to report it): it matches no
// row, so "!" matches the whole universe.
func (x *ValueIndex) Match(path, op, value string) (*roaring.Bitmap, error) {
	if path == "" {
		return nil, ErrEmptyPath
	}
	switch op {
	case "=", "!", "!=", "<", ">", "<=", ">=":
	default:
		return nil, fmt.Errorf("%w %q (want = ! < > <= >=)", ErrUnknownOperator, op)
	}
	f := x.fields[path]
	if f == nil {
		out := roaring.New()
		if op == "!" || op == "!=" {
			out.AddRange(0, uint64(x.universe))
		}
		return out, nil
	}
	var buf [64]int32
	switch op {
	case "=":
		return x.union(f, f.equal(value, buf[:0])), nil
	case "!", "!=":
		return x.complement(f, f.equal(value, buf[:0])), nil
	}
	return x.compare(f, op, value, buf[:0]), nil
}

// equal appends to slots the value slots equal to v (or LIKE v when v holds %).
func (f *field) equal(v string, slots []int32) []int32 {
	if strings.IndexByte(v, '%') >= 0 {
		parts := strings.Split(strings.ToLower(v), "%")
		for i := range f.p.len() {
			if likeMatchKey(parts, f.p.key(i)) {
				slots = append(slots, int32(i))
			}
		}
		return slots
	}
	exact := int32(-1)
	if i, ok := f.p.find(v); ok {
		exact = int32(i)
		slots = append(slots, exact)
	}
	rs, nr := f.readings(v)
	for _, r := range rs[:nr] {
		n, q := r.n, r.q
		lo := sort.Search(len(n.keys), func(i int) bool { return n.keys[i].v >= q })
		for _, k := range n.keys[lo:] {
			if k.v != q {
				break
			}
			if k.slot != exact {
				slots = append(slots, k.slot)
			}
		}
	}
	return slots
}

// reading is one numeric reading of a query value with the field readings it is compared
// with.
type reading struct {
	n *numIndex
	q float64
}

// readings picks the readings of the query value: a number is compared with the field's
// numbers and, read as years, with its durations (an age of "31" is P31Y, as other Beacons
// read it); a duration with its durations. None for text.
func (f *field) readings(v string) (rs [2]reading, n int) {
	if x, ok := lexical.ParseNumber(v); ok {
		if len(f.nums.keys) > 0 {
			rs[n], n = reading{&f.nums, x}, n+1
		}
		if len(f.durs.keys) > 0 {
			rs[n], n = reading{&f.durs, x * lexical.DaysPerYear}, n+1
		}
		if n == 0 { // neither: compare with the (empty) numbers, not as text
			rs[0], n = reading{&f.nums, x}, 1
		}
		return rs, n
	}
	if d, ok := lexical.ParseDurationDays(v); ok {
		rs[0] = reading{&f.durs, d}
		return rs, 1
	}
	return rs, 0
}

// compare answers < > <= >= v: by binary search on the sorted readings (or on the values
// themselves when v is neither number nor duration), then a union of the value bitmaps in
// range, or the bit-sliced indexes when the range is wide.
func (x *ValueIndex) compare(f *field, op, v string, slots []int32) *roaring.Bitmap {
	rs, nr := f.readings(v)
	if nr == 0 {
		return x.compareText(f, op, v, slots)
	}
	out := x.compareReading(f, op, rs[0].n, rs[0].q, slots)
	for _, r := range rs[1:nr] {
		out.Or(x.compareReading(f, op, r.n, r.q, slots))
	}
	return out
}

// compareReading answers < > <= >= q over the readings n of a field.
func (x *ValueIndex) compareReading(f *field, op string, n *numIndex, q float64, slots []int32) *roaring.Bitmap {
	lt := sort.Search(len(n.keys), func(i int) bool { return n.keys[i].v >= q }) // first >= q
	le := sort.Search(len(n.keys), func(i int) bool { return n.keys[i].v > q })  // first > q
	var sel []numKey
	switch op {
	case "<":
		sel = n.keys[:lt]
	case "<=":
		sel = n.keys[:le]
	case ">":
		sel = n.keys[le:]
	case ">=":
		sel = n.keys[lt:]
	}
	if n.lo != nil && len(sel) > bsiMinSlots {
		rlt := uint32(sort.SearchFloat64s(n.ranks, q)) // ranks below q
		rle := rlt                                     // ranks at or below q
		if int(rle) < len(n.ranks) && n.ranks[rle] == q {
			rle++
		}
		words := x.getWords()
		switch op {
		case "<":
			n.lo.below(rlt, words)
		case "<=":
			n.lo.below(rle, words)
		case ">":
			n.hi.atLeast(rle, words)
		default: // ">="
			n.hi.atLeast(rlt, words)
		}
		return x.fromWords(words)
	}
	for _, k := range sel {
		slots = append(slots, k.slot)
	}
	return x.union(f, slots)
}

// compareText answers < > <= >= v lexicographically over the values themselves.
func (x *ValueIndex) compareText(f *field, op, v string, slots []int32) *roaring.Bitmap {
	lt, found := f.p.find(v)
	le := lt
	if found {
		le++
	}
	a, b := 0, f.p.len()
	switch op {
	case "<":
		b = lt
	case "<=":
		b = le
	case ">":
		a = le
	case ">=":
		a = lt
	}
	for i := a; i < b; i++ {
		slots = append(slots, int32(i))
	}
	return x.union(f, slots)
}

// unionFastOrMax is the most bitmaps union merges with roaring.FastOr; beyond it, FastOr's
// array merging grows quadratically and a dense buffer over the universe is cheaper.
const unionFastOrMax = 4

// union returns a new bitmap holding the union of the bitmaps at slots.
func (x *ValueIndex) union(f *field, slots []int32) *roaring.Bitmap {
	switch len(slots) {
	case 0:
		return roaring.New()
	case 1:
		if f.p.one[slots[0]]&multiFlag == 0 {
			return f.p.bitmap(int(slots[0])) // new already
		}
		return f.p.bitmap(int(slots[0])).Clone()
	}
	if len(slots) <= unionFastOrMax {
		var bs [unionFastOrMax]*roaring.Bitmap
		for i, s := range slots {
			bs[i] = f.p.bitmap(int(s))
		}
		return roaring.FastOr(bs[:len(slots)]...)
	}
	words := x.getWords()
	f.orWords(slots, words)
	return x.fromWords(words)
}

// complement returns a new bitmap of the rows of the universe in none of the bitmaps at slots.
func (x *ValueIndex) complement(f *field, slots []int32) *roaring.Bitmap {
	words := x.getWords()
	f.orWords(slots, words)
	for w := range words {
		words[w] = ^words[w]
	}
	if tail := x.universe & 63; tail != 0 {
		words[len(words)-1] &= 1<<tail - 1
	}
	return x.fromWords(words)
}

// orWords ORs the bitmaps at slots into a dense buffer.
func (f *field) orWords(slots []int32, words []uint64) {
	for _, s := range slots {
		f.p.orWords(int(s), words)
	}
}

// getWords returns a zeroed dense buffer of one bit per row from the pool.
func (x *ValueIndex) getWords() []uint64 {
	if wp, _ := x.dense.Get().(*[]uint64); wp != nil {
		return *wp
	}
	return make([]uint64, (uint64(x.universe)+63)/64)
}

// fromWords copies a dense buffer into a new bitmap and returns the buffer, zeroed, to the pool.
func (x *ValueIndex) fromWords(words []uint64) *roaring.Bitmap {
	out := roaring.FromDense(words, true)
	clear(words)
	x.dense.Put(&words)
	return out
}

// likeMatch matches s against a pattern already split on % (so len(parts) >= 2): the first
// part is a prefix, the last a suffix, and the middle ones occur in order, leftmost first.
// likeMatchKey is likeMatch of a stored value against lower-cased parts, the value compared
// lower-cased: an ASCII value (nearly all) byte by byte without a copy, others through
// strings.ToLower. 64 wildcard filters lower-cased every value of their field each, 2,000
// allocations a request that drove the collector (BenchmarkHostileP99).
func likeMatchKey(parts []string, key string) bool {
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			return likeMatch(parts, strings.ToLower(key))
		}
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(key) < len(first) || !asciiLowerEqual(key[:len(first)], first) {
		return false
	}
	key = key[len(first):]
	if len(key) < len(last) || !asciiLowerEqual(key[len(key)-len(last):], last) {
		return false
	}
	key = key[:len(key)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		k := asciiLowerIndex(key, p)
		if k < 0 {
			return false
		}
		key = key[k+len(p):]
	}
	return true
}

// asciiLowerEqual reports whether the ASCII s lower-cased equals lower.
func asciiLowerEqual(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// asciiLowerIndex is strings.Index of lower in the ASCII s lower-cased.
func asciiLowerIndex(s, lower string) int {
	for i := 0; i+len(lower) <= len(s); i++ {
		if asciiLowerEqual(s[i:i+len(lower)], lower) {
			return i
		}
	}
	return -1
}

func likeMatch(parts []string, s string) bool {
	first, last := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	if !strings.HasSuffix(s, last) {
		return false
	}
	s = s[:len(s)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		k := strings.Index(s, p)
		if k < 0 {
			return false
		}
		s = s[k+len(p):]
	}
	return true
}
