package suite

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/bench/workload"
)

// TestRunSmall runs the whole suite on a tiny population without comparators and checks
// that every part measured something and agreed with itself.
func TestRunSmall(t *testing.T) {
	cfg := Config{
		Scales: []Scale{{Variants: 1500, Samples: 60}},
		Seed:   3, PerKind: 3, EngineIters: 30,
		Conns: []int{1, 2}, Duration: 150 * time.Millisecond, Warmup: 20 * time.Millisecond,
		Work: t.TempDir(),
	}
	var seen []int
	cfg.AfterScale = func(r *Results) { seen = append(seen, len(r.Scales)) }
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != 1 {
		t.Errorf("AfterScale saw %v, want one call with one scale", seen)
	}
	if len(res.Failures) > 0 {
		t.Fatalf("failures: %v", res.Failures)
	}
	if len(res.Scales) != 1 {
		t.Fatalf("%d scales", len(res.Scales))
	}
	sr := res.Scales[0]
	if sr.Ingest.Lines != 1500 || sr.Ingest.Calls != 1500*60 || sr.Ingest.LinesPerSec <= 0 || sr.Ingest.Zcat <= 0 || sr.Ingest.BytesWritten <= 0 {
		t.Errorf("ingest %+v", sr.Ingest)
	}
	needBcftools(t)
	if len(sr.Ingest.Bcftools) != 2 || sr.Ingest.BcftoolsSkipped != "" {
		t.Errorf("bcftools readings %+v, skipped %q", sr.Ingest.Bcftools, sr.Ingest.BcftoolsSkipped)
	}
	for _, r := range sr.Ingest.Bcftools {
		if r.Elapsed <= 0 || r.LinesPerSec != 1500/r.Elapsed.Seconds() {
			t.Errorf("bcftools %s: %+v, want the lines/s of 1,500 lines", r.Name, r)
		}
	}
	if sr.Load.VariantsLoaded < 1500 || sr.Load.IndividualsRows != 60 || sr.Load.Elapsed <= 0 || sr.Load.HeapBytes <= 0 {
		t.Errorf("load %+v", sr.Load)
	}
	for _, k := range workload.Kinds {
		e, ok := sr.Engine[k]
		if !ok || e.N != 30 || e.P50 <= 0 || e.P50 > e.P99 || e.P99 > e.Max || e.AllocsPerQuery <= 0 {
			t.Errorf("in process %s: %+v", k, e)
		}
	}
	groups := map[string]int{}
	for _, l := range sr.HTTP {
		groups[l.Group]++
		if l.Errors != 0 || l.Requests == 0 || l.QPS <= 0 {
			t.Errorf("http %s at %d: %+v", l.Group, l.Conns, l.Result)
		}
	}
	for _, g := range []string{GroupCeiling, GroupCount, GroupRecord} {
		if groups[g] != 2 {
			t.Errorf("group %s measured at %d connection counts, want 2", g, groups[g])
		}
	}
	if res.Machine.Cores < 1 || res.Machine.GoVersion == "" {
		t.Errorf("machine %+v", res.Machine)
	}
}

func TestScaleString(t *testing.T) {
	for _, c := range []struct {
		s    Scale
		want string
	}{
		{Scale{Variants: 10_000, Samples: 2504}, "1e4 variants × 2504 samples"},
		{Scale{Variants: 10_000_000, Samples: 100_000}, "1e7 variants × 1e5 samples"},
		{Scale{Variants: 1500, Samples: 60}, "1500 variants × 60 samples"},
		{Scale{Variants: 10_000, Samples: 2504, Datasets: 1000, Layout: LayoutSplit}, "1e4 variants × 2504 samples split into 1000 datasets"},
		{Scale{Variants: 10_000, Samples: 100, Datasets: 1000, Layout: LayoutShared}, "1e4 variants × 100 samples in 1000 datasets of one cohort"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
}

// A scale whose index build cannot fit in this machine's memory is reported and skipped
// before anything is generated.
func TestRunSkipsWhatCannotFit(t *testing.T) {
	avail := availableMemory()
	if avail == 0 {
		t.Fatal("no MemAvailable in /proc/meminfo: the check has nothing to read on this machine")
	}
	variants := int(avail/buildPeakPerVariant) + 1_000_000
	work := t.TempDir()
	res, err := Run(context.Background(), Config{Scales: []Scale{{Variants: variants, Samples: 10}}, Work: work, Conns: []int{1}, Duration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 1 || !strings.Contains(res.Failures[0], "skipped: building the indexes") {
		t.Fatalf("failures %v", res.Failures)
	}
	if entries, _ := os.ReadDir(work); len(entries) != 0 {
		t.Errorf("generated %d entries before skipping", len(entries))
	}
}

// TestLoadGroup: the HTTP groups keep the boolean/count queries and the record pages of
// every kind but the cohort statistics, which are timed in process only.
func TestLoadGroup(t *testing.T) {
	for _, c := range []struct {
		kind, granularity, group string
		ok                       bool
	}{
		{"count-filters-1", "count", GroupCount, true},
		{"boolean-filters-1", "boolean", GroupCount, true},
		{"record-page", "record", GroupRecord, true},
		{"aggregated", "aggregated", "", false},
		{"count-frequency", "count", "", false},
	} {
		if g, ok := loadGroup(&workload.Query{Kind: c.kind, Granularity: c.granularity}); g != c.group || ok != c.ok {
			t.Errorf("%s: group %q %v, want %q %v", c.kind, g, ok, c.group, c.ok)
		}
	}
	for k := range statisticsKinds {
		if !slices.Contains(workload.Kinds, k) {
			t.Errorf("%s is not a kind of the mix", k)
		}
	}
}
