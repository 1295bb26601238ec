package index

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

// memSpill keeps spill files in memory, mapping them as aligned copies.
type memSpill struct {
	files int
	err   error
	drops int      // calls of Drop
	names []string // of the files created
}

func (s *memSpill) Create(what string) SpillFile {
	s.files++
	s.names = append(s.names, what)
	return &memSpillFile{}
}
func (s *memSpill) Drop() { s.drops++ }
func (s *memSpill) Fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

type memSpillFile struct{ bytes.Buffer }

func (f *memSpillFile) Size() int64                    { return int64(f.Len()) }
func (f *memSpillFile) ReadBack() (io.ReaderAt, error) { return bytes.NewReader(f.Bytes()), nil }
func (f *memSpillFile) Map() ([]byte, error) {
	if f.Len() == 0 {
		return nil, nil
	}
	return aligned(f.Bytes()), nil
}
func (f *memSpillFile) Close() {}

// TestSpilledPostingsEncodeAsInMemory builds term and value indexes from the same pairs in
// memory and through a Spill with small sorted runs, and requires the same index file bytes
// (a key of many rows merged into its bitmap a part at a time, mergeFoldRows, too).
func TestSpilledPostingsEncodeAsInMemory(t *testing.T) {
	defer func(n, f int) { postingsSpillBytes, mergeFoldRows = n, f }(postingsSpillBytes, mergeFoldRows)
	postingsSpillBytes, mergeFoldRows = 4<<10, 1000
	const rows = 30_000
	rng := rand.New(rand.NewPCG(3, 4))
	plain, spilled := NewTermIndexBuilder(), NewTermIndexBuilder()
	sp := &memSpill{}
	spilled.Spill(sp, "terms")
	pv, sv := NewValueIndexBuilder(), NewValueIndexBuilder()
	sv.Spill(sp)
	for r := uint32(0); r < rows; r++ {
		// A term every row has, one held by a row each, one by few rows, an empty key.
		terms := []string{"PASS", fmt.Sprintf("id%d", r), fmt.Sprintf("g%d", rng.IntN(50))}
		if r%7 == 0 {
			terms = append(terms, "")
		}
		for _, k := range terms {
			plain.Add(k, r)
			spilled.Add(k, r)
		}
		for _, f := range [][2]string{{"start", fmt.Sprint(r * 3)}, {"filter", "PASS"}, {"q", fmt.Sprint(rng.IntN(100))}} {
			pv.Add(f[0], f[1], r)
			sv.Add(f[0], f[1], r)
		}
	}
	encode := func(fn func(e *Encoder)) []byte { return encoded(t, fn) }
	pt, st := plain.Build(nil), spilled.Build(nil)
	pvi, svi := pv.Build(rows), sv.Build(rows)
	if sp.err != nil {
		t.Fatal(sp.err)
	}
	if sp.files < 8 {
		t.Fatalf("%d spill files: the builders did not spill", sp.files)
	}
	if !bytes.Equal(encode(pt.Encode), encode(st.Encode)) {
		t.Error("spilled term index encodes differently")
	}
	// Not ValueIndex.Encode's bytes: numKey's padding is whatever the memory held.
	if !slices.Equal(pvi.paths, svi.paths) {
		t.Fatalf("paths %v and %v", pvi.paths, svi.paths)
	}
	for _, path := range pvi.paths {
		a, b := pvi.fields[path], svi.fields[path]
		if !bytes.Equal(encode(a.p.encode), encode(b.p.encode)) || !slices.Equal(a.nums.keys, b.nums.keys) ||
			!slices.Equal(a.nums.ranks, b.nums.ranks) || (a.nums.lo == nil) != (b.nums.lo == nil) ||
			a.nums.lo != nil && !slices.Equal(a.nums.lo.data, b.nums.lo.data) {
			t.Errorf("spilled value index differs at %q", path)
		}
	}
	if got, err := svi.Match("start", "<=", "30"); err != nil || got.GetCardinality() != 11 {
		t.Errorf("start <= 30: %v %v, want 11 rows", got, err)
	}
}

// failingSpill's files fail when read back.
type failingSpill struct{ memSpill }

func (s *failingSpill) Create(string) SpillFile { return &failingFile{} }

type failingFile struct{ memSpillFile }

func (*failingFile) ReadBack() (io.ReaderAt, error) { return nil, errors.New("disk gone") }

// TestSpilledPostingsReportErrors checks that a spill file's error reaches the Spill and
// leaves the index empty rather than wrong.
func TestSpilledPostingsReportErrors(t *testing.T) {
	defer func(n int) { postingsSpillBytes = n }(postingsSpillBytes)
	postingsSpillBytes = 1 << 10
	b := NewTermIndexBuilder()
	sp := &failingSpill{}
	b.Spill(sp, "terms")
	for r := uint32(0); r < 1000; r++ {
		b.Add(fmt.Sprint(r), r)
	}
	ti := b.Build(nil)
	if sp.err == nil || ti.exact.len() != 0 {
		t.Errorf("error %v, %d keys", sp.err, ti.exact.len())
	}
}
