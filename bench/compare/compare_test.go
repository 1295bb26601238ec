package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bitbeacon/bitbeacon/bench/workload"
	"github.com/bitbeacon/bitbeacon/internal/testserver"
	"github.com/bitbeacon/bitbeacon/popgen"
	"github.com/bitbeacon/bitbeacon/release"
)

var (
	fixOnce sync.Once
	fixMix  *workload.Mix
	fixErr  error
)

// fixture generates the popgen demo population (500 individuals, 2,000 variants), ingests
// it and draws the test queries from it, once per process.
func fixture(t *testing.T) (string, *workload.Mix) {
	t.Helper()
	dir := testserver.Popgen(t, "demo", popgen.Demo())
	fixOnce.Do(func() { fixMix, fixErr = testMix(dir) })
	if fixErr != nil {
		t.Fatalf("fixture: %v", fixErr)
	}
	return dir, fixMix
}

func TestMain(m *testing.M) { testserver.Main(m) }

// body builds a Beacon POST body.
func body(filters []any, params map[string]any, granularity string, skip, limit int) json.RawMessage {
	q := map[string]any{"requestedGranularity": granularity}
	if filters != nil {
		q["filters"] = filters
	}
	if params != nil {
		q["requestParameters"] = params
	}
	if granularity == "record" {
		q["pagination"] = map[string]any{"skip": skip, "limit": limit}
	}
	b, _ := json.Marshal(map[string]any{"meta": map[string]any{"apiVersion": "2.0"}, "query": q})
	return b
}

func onto(id string) map[string]any { return map[string]any{"id": id} }
func alpha(id, op, v string) map[string]any {
	return map[string]any{"id": id, "operator": op, "value": v}
}

// testMix covers every query kind the comparators translate, with parameters drawn from the
// release: a mid-chromosome SNV on chromosome 1, a gene and an individual with carriers.
func testMix(dir string) (*workload.Mix, error) {
	r, err := release.Open(dir)
	if err != nil {
		return nil, err
	}
	ds := r.Manifest().Datasets[0].ID
	var snvs []*release.Variant
	gene := ""
	err = r.ReadVariants(ds, func(v *release.Variant) error {
		if v.Chrom == "1" && len(v.Ref) == 1 && len(v.Alt) == 1 && v.CarrierBits != nil && !v.CarrierBits.IsEmpty() {
			snvs = append(snvs, v)
		}
		if gene == "" && len(v.GeneIDs) > 0 {
			gene = v.GeneIDs[0]
		}
		return nil
	})
	if err != nil || len(snvs) == 0 || gene == "" {
		return nil, fmt.Errorf("no SNV with carriers on chromosome 1 or no gene (%v)", err)
	}
	v := snvs[len(snvs)/2]
	samples, err := r.ReadSamples(ds)
	if err != nil {
		return nil, err
	}
	carrier := samples[v.CarrierBits.Minimum()] // a biosample id
	var individual string
	err = r.ReadRecords(ds, release.Biosample, func(rec *release.Record) error {
		if rec.ID == carrier {
			individual = rec.IndividualID
		}
		return nil
	})
	if err != nil || individual == "" {
		return nil, fmt.Errorf("carrier %s has no individual (%v)", carrier, err)
	}
	asm := popgen.DefaultAssembly
	seq := map[string]any{"assemblyId": asm, "referenceName": "1", "start": []int64{v.Start},
		"referenceBases": v.Ref, "alternateBases": v.Alt}
	seqN := map[string]any{"referenceName": "chr1", "start": []int64{v.Start}, "referenceBases": "N", "alternateBases": v.Alt}
	rng := map[string]any{"assemblyId": asm, "referenceName": "1", "start": []int64{v.Start - 2_000_000}, "end": []int64{v.Start + 2_000_000}}
	bracket := map[string]any{"referenceName": "1", "start": []int64{v.Start - 5_000_000, v.Start + 1}, "end": []int64{v.End, v.End + 5_000_000}}
	female, european, england := onto("NCIT:C16576"), onto("NCIT:C43851"), onto("GAZ:00002641")
	bmi := alpha("LOINC:39156-5", ">", "25")
	onset := alpha("diseases.ageOfOnset.iso8601duration", ">=", "P40Y")
	var qs []workload.Query
	add := func(kind, path string, b json.RawMessage, g string) {
		qs = append(qs, workload.Query{Name: fmt.Sprintf("%s/%02d", kind, len(qs)), Kind: kind, Path: path, Body: b, Granularity: g})
	}
	add("count-filters-1", "/individuals", body([]any{female}, nil, "count", 0, 0), "count")
	add("count-filters-1", "/individuals", body([]any{onto("MONDO:0000001")}, nil, "count", 0, 0), "count") // parent term
	add("count-filters-1", "/individuals", body([]any{bmi}, nil, "count", 0, 0), "count")
	add("count-filters-1", "/individuals", body([]any{onset}, nil, "count", 0, 0), "count")
	add("count-filters-1", "/individuals", body([]any{alpha("sex.label", "=", "fem%")}, nil, "count", 0, 0), "count")
	add("count-filters-1", "/individuals", body([]any{alpha("sex.label", "!", "female")}, nil, "count", 0, 0), "count")
	add("count-filters-1", "/individuals", body([]any{map[string]any{"id": "MONDO:0000001", "includeDescendantTerms": false}}, nil, "count", 0, 0), "count")
	add("count-filters-1", "/individuals", body([]any{onto("NOPE:0000000")}, nil, "count", 0, 0), "count") // unknown
	add("count-filters-1", "/biosamples", body([]any{female}, nil, "count", 0, 0), "count")                // individual term on biosamples
	add("count-filters-2", "/individuals", body([]any{female, european}, nil, "count", 0, 0), "count")
	add("count-filters-3", "/individuals", body([]any{female, european, england}, nil, "count", 0, 0), "count")
	add("count-filters-4", "/individuals", body([]any{female, european, england, bmi}, nil, "count", 0, 0), "count")
	add("count-filters-5", "/individuals", body([]any{female, european, england, bmi, onto("MONDO:0000001")}, nil, "count", 0, 0), "count")
	add("boolean-filters-1", "/individuals", body([]any{european}, nil, "boolean", 0, 0), "boolean")
	add("boolean-filters-1", "/biosamples", body([]any{onto("UBERON:0000178")}, nil, "boolean", 0, 0), "boolean")
	add("boolean-filters-1", "/individuals", body([]any{onto("NOPE:0000000")}, nil, "boolean", 0, 0), "boolean")
	add("count-sequence", "/g_variants", body(nil, seq, "count", 0, 0), "count")
	add("count-sequence", "/g_variants", body(nil, seqN, "count", 0, 0), "count")
	add("count-range", "/g_variants", body(nil, rng, "count", 0, 0), "count")
	add("count-bracket", "/g_variants", body(nil, bracket, "count", 0, 0), "count")
	add("count-gene", "/g_variants", body(nil, map[string]any{"geneId": strings.ToLower(gene)}, "count", 0, 0), "count")
	add("count-mixed", "/individuals", body([]any{female}, rng, "count", 0, 0), "count")
	add("count-mixed", "/g_variants", body([]any{female}, rng, "count", 0, 0), "count") // variants carried by women
	add("record-page", "/individuals", body([]any{female}, nil, "record", 2, 10), "record")
	add("record-page", "/individuals", body([]any{european, bmi}, nil, "record", 0, 10), "record")
	add("cross-entry", "/individuals/"+individual+"/g_variants", body(nil, nil, "count", 0, 0), "count")
	return &workload.Mix{Seed: 1, Release: r.Manifest().ReleaseID, Queries: qs}, nil
}

// checkResults fails on every query whose answer differs from bitbeacon's, and checks that
// the mix is not trivially answered (most answers non-empty).
func checkResults(t *testing.T, res *Results, engine string, mix *workload.Mix) {
	t.Helper()
	n, nonEmpty := 0, 0
	for _, q := range res.Queries {
		if q.Engine != engine {
			continue
		}
		n++
		if q.Error != "" {
			t.Errorf("%s %s: %s\nSQL: %s", engine, q.Name, q.Error, q.SQL)
			continue
		}
		if !q.Match {
			t.Errorf("%s %s: answer %+v, bitbeacon %+v\nSQL: %s", engine, q.Name, *q.Answer, *q.BitbeaconAnswer, q.SQL)
		}
		if q.BitbeaconAnswer.Exists {
			nonEmpty++
		}
		if q.Latency.Count != res.Repeat {
			t.Errorf("%s %s: %d timed runs, want %d", engine, q.Name, q.Latency.Count, res.Repeat)
		}
	}
	if n != len(mix.Queries) {
		t.Errorf("%s: %d results for %d queries", engine, n, len(mix.Queries))
	}
	if nonEmpty < n-4 {
		t.Errorf("%s: only %d of %d answers are non-empty; the mix tests little", engine, nonEmpty, n)
	}
	want := map[string]bool{}
	for _, q := range mix.Queries {
		want[q.Kind] = true
	}
	var kinds int
	for _, k := range res.Kinds {
		if k.Engine == engine {
			kinds++
			if k.Latency.Count == 0 {
				t.Errorf("%s %s: no latencies", engine, k.Kind)
			}
		}
	}
	if kinds != len(want) {
		t.Errorf("%s: %d kinds summarised, want %d", engine, kinds, len(want))
	}
}

func TestDuckDB(t *testing.T) {
	dir, mix := fixture(t)
	res, err := Run(context.Background(), Options{Release: dir, Mix: mix, Engines: []string{"duckdb"}, Repeat: 2, Bitbeacon: true})
	if err != nil {
		t.Fatal(err)
	}
	checkResults(t, res, "duckdb", mix)
	if len(res.Engines) != 1 || res.Engines[0].CarrierRows == 0 || res.Engines[0].SetupSeconds <= 0 {
		t.Errorf("setup figures: %+v", res.Engines)
	}
}

func TestPostgres(t *testing.T) {
	// Tests never skip on a missing resource: `make test` installs the server (make pg).
	if _, err := FindPostgres(); err != nil {
		t.Fatalf("%v (make pg installs it)", err)
	}
	dir, mix := fixture(t)
	res, err := Run(context.Background(), Options{Release: dir, Mix: mix, Engines: []string{"postgres"}, Repeat: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkResults(t, res, "postgres", mix)
	e := res.Engines[0]
	if e.CarrierRows == 0 || e.DatabaseBytes == 0 || e.IndexSeconds <= 0 {
		t.Errorf("setup figures: %+v", e)
	}
}

// TestGeneratedMix runs the benchmark's own query mix (bench/workload) through both
// comparators: every kind the generator draws must translate and agree with bitbeacon.
func TestGeneratedMix(t *testing.T) {
	engines := []string{"duckdb", "postgres"}
	dir, _ := fixture(t)
	mix, err := workload.Generate(dir, workload.Options{Seed: 5, PerKind: 3})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{Release: dir, Mix: mix, Engines: engines, Repeat: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines {
		checkResults(t, res, e, mix)
	}
}
