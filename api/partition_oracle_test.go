package api

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/popgen"
	"github.com/bitbeacon/bitbeacon/release"
)

// TestPartitionedIndexAnswersAsWhole is the oracle of partitioned index builds: a popgen
// release of two datasets (one from a VCF with genotypes, one from BFF) is indexed whole and
// in partitions, and every request of a mix — counts, record pages around the partitions'
// row boundaries, variant ranges crossing them, single variants with their frequencies,
// filters, individuals by variant, aggregations, filtering terms — must get the same answer,
// byte for byte, from the whole index, from the partitions opened together and from their
// merged index files.
func TestPartitionedIndexAnswersAsWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release three ways")
	}
	root := filepath.Join(t.TempDir(), "release")
	in := t.TempDir()
	vcfCfg := popgen.Config{Seed: 15, DatasetID: "POP_VCF", Individuals: 120, Variants: 4000, SkipBFFVariants: true}
	files, err := popgen.WriteBFF(filepath.Join(in, "vcf"), vcfCfg)
	if err != nil {
		t.Fatal(err)
	}
	vcf := filepath.Join(in, "vcf", "variants.vcf.gz")
	if err := popgen.WriteVCF(vcf, vcfCfg); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(context.Background(), ingest.Options{Out: root, DatasetID: vcfCfg.DatasetID, Assembly: "GRCh38"}, append(files.Paths, vcf)); err != nil {
		t.Fatal(err)
	}
	bffCfg := popgen.Config{Seed: 16, DatasetID: "POP_BFF", Individuals: 60, Variants: 1500, Chromosomes: []string{"2", "22"}}
	files, err = popgen.WriteBFF(filepath.Join(in, "bff"), bffCfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(context.Background(), ingest.Options{Out: root, DatasetID: bffCfg.DatasetID, Assembly: "GRCh38"}, files.Paths); err != nil {
		t.Fatal(err)
	}
	r, err := release.Open(root)
	if err != nil {
		t.Fatal(err)
	}

	serve := func() fasthttp.RequestHandler {
		eng, err := engine.NewEngine(root, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(eng.Close)
		cfg := DefaultConfig()
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		return NewServer(eng, &cfg, nil).Handler()
	}
	if _, err := engine.WriteIndex(root, engine.Options{}); err != nil {
		t.Fatal(err)
	}
	whole := serve()
	wholeFiles := testenv.ReadDirFiles(t, release.IndexDir(r.Dir()))
	if err := os.RemoveAll(release.IndexDir(r.Dir())); err != nil {
		t.Fatal(err)
	}

	const n = 6
	const block = 2_000_000
	plan, err := engine.PlanPartitions(root, n, block)
	if err != nil {
		t.Fatal(err)
	}
	for k := range n {
		if _, err := engine.WritePartition(root, engine.PartitionSpec{K: k, N: n, BlockBases: block}, engine.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	parts := serve()
	if _, err := engine.MergePartitions(root, engine.Options{}); err != nil {
		t.Fatal(err)
	}
	merged := serve()
	// The merged index files are those of the whole build, byte for byte.
	testenv.SameDirFiles(t, "merged index", testenv.ReadDirFiles(t, release.IndexDir(r.Dir())), wholeFiles)

	uris := partitionQueryMix(t, whole, plan)
	checked := 0
	for _, uri := range uris {
		method, body := "GET", []byte(nil)
		if u, b, ok := strings.Cut(uri, " "); ok {
			uri, method, body = u, "POST", []byte(b)
		}
		st, want := do(whole, method, uri, body)
		for name, h := range map[string]fasthttp.RequestHandler{"partitions": parts, "merged": merged} {
			gst, got := do(h, method, uri, body)
			if gst != st || string(got) != string(want) {
				t.Fatalf("%s: %s %s %s: %d %s\nwhole index: %d %s", name, method, uri, body, gst, truncate(got), st, truncate(want))
			}
		}
		if st == 200 {
			checked++
		}
	}
	t.Logf("%d requests (%d answered 200), plan %v, %v", len(uris), checked, plan.Variants, plan.Cuts)
	if checked < len(uris)*9/10 {
		t.Fatalf("only %d of %d requests answered 200: the mix tests less than it should", checked, len(uris))
	}
}

// partitionQueryMix returns the requests the oracle compares, several of them placed at the
// partitions' boundaries of plan (in rows and in genomic coordinates): a GET's path and
// query, or a POST's path, a space and its body.
func partitionQueryMix(t *testing.T, h fasthttp.RequestHandler, plan *engine.PartitionPlan) []string {
	t.Helper()
	uris := []string{
		"/g_variants?requestedGranularity=count",
		"/g_variants?requestedGranularity=count&variantType=SNP",
		"/g_variants?requestedGranularity=count&filters=NCIT:C16576",
		"/g_variants?requestedGranularity=record&limit=100",
		"/individuals?requestedGranularity=count&referenceName=1&start=0&end=300000000&assemblyId=GRCh38",
		"/individuals?requestedGranularity=record&limit=20&referenceName=22&start=0&end=60000000&assemblyId=GRCh38",
		"/biosamples?requestedGranularity=count&referenceName=2&start=50000000&end=150000000&assemblyId=GRCh38",
		"/individuals?requestedGranularity=aggregated&aggregators=sex,ethnicity&referenceName=2&start=0&end=250000000&assemblyId=GRCh38",
		"/g_variants?requestedGranularity=aggregated&referenceName=1&start=0&end=250000000&assemblyId=GRCh38",
		"/filtering_terms?limit=0",
		"/datasets?requestedGranularity=record",
	}
	// Record pages across each row boundary between partitions.
	var before int64
	for k := range plan.N - 1 {
		before += plan.Variants[k]
		if before >= 3 {
			uris = append(uris, fmt.Sprintf("/g_variants?requestedGranularity=record&skip=%d&limit=5", before-3))
		}
	}
	// Ranges across each genomic cut that falls inside a chromosome, and the variants
	// around it, one by one (their records carry their frequencies).
	for _, c := range plan.Cuts {
		if c.Assembly != "GRCh38" || c.Start == 0 {
			continue
		}
		rng := fmt.Sprintf("assemblyId=GRCh38&referenceName=%s&start=%d&end=%d", c.Chrom, c.Start-3_000_000, c.Start+3_000_000)
		uris = append(uris,
			"/g_variants?requestedGranularity=count&"+rng,
			"/g_variants?requestedGranularity=record&limit=1000&"+rng,
			"/g_variants?requestedGranularity=count&variantType=SNP&filters=NCIT:C16576&"+rng,
			"/individuals?requestedGranularity=count&"+rng,
			"/individuals?requestedGranularity=count&filters=NCIT:C16576&"+rng)
		// Alphanumeric filters on the variants' fields (their value index) across the cut.
		for _, gran := range []string{"count", "record"} {
			uris = append(uris, fmt.Sprintf(`/g_variants {"query":{"requestedGranularity":%q,"pagination":{"limit":1000},"filters":[`+
				`{"id":"variation.location.interval.start.value","operator":">=","value":"%d"},`+
				`{"id":"variation.location.interval.start.value","operator":"<","value":"%d"}]}}`, gran, c.Start-2_000_000, c.Start+2_000_000))
		}
		uris = append(uris, `/g_variants {"query":{"requestedGranularity":"count","filters":[{"id":"variantQuality.FILTER","operator":"=","value":"PASS"}]}}`,
			`/g_variants {"query":{"requestedGranularity":"count","filters":[{"id":"variation.alternateBases","operator":"=","value":"C"}]}}`)
		_, body := do(h, "GET", "/g_variants?requestedGranularity=record&limit=1000&"+rng, nil)
		for _, id := range variantIDs(t, body) {
			uris = append(uris, "/g_variants/"+id)
			if q, ok := sequenceQuery(id); ok {
				uris = append(uris, "/g_variants?requestedGranularity=record&"+q, "/g_variants?requestedGranularity=count&filters=NCIT:C16576&"+q)
			}
		}
	}
	return uris
}

// variantIDs returns up to 3 ids of each end of the variant records of a response.
func variantIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var resp struct {
		Response struct {
			ResultSets []struct {
				Results []struct {
					ID string `json:"variantInternalId"`
				}
			}
		}
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("%v: %s", err, truncate(body))
	}
	var out []string
	for _, rs := range resp.Response.ResultSets {
		res := rs.Results
		for i, v := range res {
			if i < 3 || i >= len(res)-3 {
				out = append(out, v.ID)
			}
		}
	}
	return out
}

// sequenceQuery turns a VCF variant id (chr<CHROM>_<POS>_<REF>_<ALT>) into the parameters of
// a sequence query for it.
func sequenceQuery(id string) (string, bool) {
	f := strings.Split(strings.TrimPrefix(id, "chr"), "_")
	if len(f) != 4 {
		return "", false
	}
	var pos int
	if _, err := fmt.Sscan(f[1], &pos); err != nil {
		return "", false
	}
	return fmt.Sprintf("assemblyId=GRCh38&referenceName=%s&start=%d&referenceBases=%s&alternateBases=%s", f[0], pos-1, f[2], f[3]), true
}
