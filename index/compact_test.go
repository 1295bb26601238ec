package index

import (
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

func TestCompact(t *testing.T) {
	short := roaring.New() // 600 runs of 3: smaller as runs (2.4 KB) than as an array (3.6 KB)
	for i := uint32(0); i < 600; i++ {
		short.AddRange(uint64(i*4), uint64(i*4+3))
	}
	long := roaring.New() // 10 runs of 100
	for i := uint32(0); i < 10; i++ {
		long.AddRange(uint64(i*1000), uint64(i*1000+100))
	}
	for _, c := range []struct {
		name string
		bm   *roaring.Bitmap
		runs bool
	}{{"short runs", short, false}, {"long runs", long, true}, {"empty", roaring.New(), false}} {
		want := c.bm.Clone()
		got := Compact(c.bm)
		if !got.Equals(want) {
			t.Errorf("%s: contents changed", c.name)
		}
		if st := got.Stats(); (st.RunContainers > 0) != c.runs {
			t.Errorf("%s: run containers %d, want runs=%v", c.name, st.RunContainers, c.runs)
		}
	}
}

func TestCompactRevertsWhatRunOptimizeChose(t *testing.T) {
	bm := roaring.New()
	for i := uint32(0); i < 600; i++ {
		bm.AddRange(uint64(i*4), uint64(i*4+3))
	}
	probe := bm.Clone()
	probe.RunOptimize()
	if probe.Stats().RunContainers == 0 {
		t.Fatal("the short-run case no longer makes roaring choose runs; it tests nothing")
	}
}
