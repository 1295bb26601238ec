package index

import (
	"bufio"
	"container/heap"
	"fmt"
	"io"
	"slices"
	"unsafe"
)

// A numeric path of a variant table (a start, an end) has about as many distinct readings
// as rows, and its sorted keys and distinct readings are 24 bytes a row: at 10^6 variants
// the two paths held 100 MB of a build's heap, more while the slices grew, and what grows
// with the rows on the heap is what a 10^8 build cannot hold. Given a Spill, the keys are
// sorted in runs of readingsRunKeys written to a file and merged into keys and readings
// written to files that are mapped; the index file bytes do not change.

// readingsRunKeys is how many keys a sorter holds before writing a sorted run (16 bytes
// each).
var readingsRunKeys = 1 << 20 // a variable for the tests

// readingsSorter collects the numeric keys of one path, in memory or in sorted runs.
type readingsSorter struct {
	sp     Spill // nil: in memory
	what   string
	keys   []numKey
	runs   SpillFile // nil before the first run
	bounds []int64   // run i is bytes [bounds[i], bounds[i+1]) of runs
}

func (s *readingsSorter) add(k numKey) {
	s.keys = append(s.keys, k)
	if s.sp != nil && len(s.keys) >= readingsRunKeys {
		s.writeRun()
	}
}

// compareReadings orders keys by reading, then slot: slots are distinct, so the order is
// total and a merge of sorted runs gives the keys a sort of all of them gives.
func compareReadings(a, b numKey) int {
	if c := cmpFloat(a.v, b.v); c != 0 {
		return c
	}
	return int(a.slot - b.slot)
}

// keyBytes views keys as their memory image, the layout index files hold.
func keyBytes(keys []numKey) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(keys))), len(keys)*int(unsafe.Sizeof(numKey{})))
}

func (s *readingsSorter) writeRun() {
	slices.SortFunc(s.keys, compareReadings)
	if s.runs == nil {
		s.runs = s.sp.Create(s.what + "-readings-runs")
		s.bounds = []int64{0}
	}
	s.runs.Write(keyBytes(s.keys)) // errors surface when the runs are read back
	s.bounds = append(s.bounds, s.runs.Size())
	s.keys = s.keys[:0]
}

// finish returns the keys sorted and the distinct readings, ascending: mapped when runs
// were written. On a spill file's error the Spill gets it and both are empty.
func (s *readingsSorter) finish() ([]numKey, []float64) {
	if s.runs == nil {
		slices.SortFunc(s.keys, compareReadings)
		var ranks []float64
		for i, k := range s.keys {
			if i == 0 || k.v != s.keys[i-1].v {
				ranks = append(ranks, k.v)
			}
		}
		return s.keys, ranks
	}
	if len(s.keys) > 0 {
		s.writeRun()
	}
	s.keys = nil
	keys, ranks, err := s.merge()
	if err != nil {
		s.sp.Fail(err)
		return nil, nil
	}
	return keys, ranks
}

// readingsRun reads one sorted run key by key.
type readingsRun struct {
	r   *bufio.Reader
	cur numKey
}

func (rr *readingsRun) next() (bool, error) {
	_, err := io.ReadFull(rr.r, unsafe.Slice((*byte)(unsafe.Pointer(&rr.cur)), unsafe.Sizeof(rr.cur)))
	switch err {
	case nil:
		return true, nil
	case io.EOF:
		return false, nil
	}
	return false, fmt.Errorf("readings run: %w", err)
}

// readingsHeap orders the runs by their current key.
type readingsHeap []*readingsRun

func (h readingsHeap) Len() int           { return len(h) }
func (h readingsHeap) Less(i, j int) bool { return compareReadings(h[i].cur, h[j].cur) < 0 }
func (h readingsHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readingsHeap) Push(x any)        { *h = append(*h, x.(*readingsRun)) }
func (h *readingsHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// merge merges the sorted runs into a keys file and a readings file and maps both.
func (s *readingsSorter) merge() ([]numKey, []float64, error) {
	defer s.runs.Close()
	ra, err := s.runs.ReadBack()
	if err != nil {
		return nil, nil, err
	}
	var h readingsHeap
	for i := range len(s.bounds) - 1 {
		rr := &readingsRun{r: bufio.NewReaderSize(io.NewSectionReader(ra, s.bounds[i], s.bounds[i+1]-s.bounds[i]), 64<<10)}
		ok, err := rr.next()
		if err != nil {
			return nil, nil, err
		}
		if ok {
			h = append(h, rr)
		}
	}
	heap.Init(&h)
	kf, rf := s.sp.Create(s.what+"-readings-keys"), s.sp.Create(s.what+"-readings")
	kw, rw := bufio.NewWriterSize(kf, 256<<10), bufio.NewWriterSize(rf, 64<<10)
	var prev numKey
	n := 0
	for h.Len() > 0 {
		rr := h[0]
		k := rr.cur
		kw.Write(keyBytes([]numKey{k}))
		if n == 0 || k.v != prev.v {
			rw.Write(unsafe.Slice((*byte)(unsafe.Pointer(&k.v)), unsafe.Sizeof(k.v)))
		}
		prev, n = k, n+1
		ok, err := rr.next()
		if err != nil {
			return nil, nil, err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	kw.Flush() // errors surface when mapped
	rw.Flush()
	kb, err := kf.Map()
	if err != nil {
		return nil, nil, err
	}
	rb, err := rf.Map()
	if err != nil {
		return nil, nil, err
	}
	keys := mappedKeys(kb)
	if len(keys) != n {
		return nil, nil, fmt.Errorf("readings of %s: %d keys mapped, %d merged", s.what, len(keys), n)
	}
	return keys, mappedWords[float64](rb), nil
}

// mappedKeys views mapped bytes (page-aligned) as numeric keys.
func mappedKeys(b []byte) []numKey {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*numKey)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(numKey{})))
}
