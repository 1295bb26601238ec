package suite

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/bench/load"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/popgen"
)

// Layouts of a scale of many datasets (Scale.Layout), popgen.Split's two ways.
const (
	// LayoutSplit: the individuals split into one group per dataset, each dataset a VCF of
	// its own samples with the variants they carry.
	LayoutSplit = "split"
	// LayoutShared: every dataset holds the whole cohort and a part of the variants.
	LayoutShared = "shared"
)

// split is the popgen division of a scale of many datasets.
func (s Scale) split() popgen.Split {
	return popgen.Split{Datasets: s.Datasets, SharedCohort: s.Layout == LayoutShared}
}

// manyDatasets reports whether the scale is generated as popgen.WriteDatasets datasets.
func (s Scale) manyDatasets() bool { return s.Datasets > 1 }

// DatasetsIngest is the ingest of a scale of many datasets, one `bitbeacon ingest` run per
// dataset as an archive's Beacon adds them: each run carries the earlier datasets over.
type DatasetsIngest struct {
	Datasets int `json:"datasets"`
	// First and Last are the runs of the first and the last dataset: what adding a dataset
	// costs to a release of none and of all the others.
	First time.Duration `json:"firstNs"`
	Last  time.Duration `json:"lastNs"`
}

// generateAndIngestDatasets writes the scale's datasets with popgen and ingests them one by
// one into out, filling the ingest figures.
func generateAndIngestDatasets(ctx context.Context, sc Scale, pc popgen.Config, dir, out string, sr *ScaleResult) error {
	t0 := time.Now()
	ds, err := popgen.WriteDatasets(dir, pc, sc.split())
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	sr.Generate = time.Since(t0)
	for _, d := range ds {
		if st, err := os.Stat(d.Paths[len(d.Paths)-1]); err == nil {
			sr.VCFBytes += st.Size()
		}
	}
	in := &sr.Ingest
	in.BcftoolsSkipped = fmt.Sprintf("a scale of %d datasets has as many VCFs", len(ds))
	sr.DatasetsIngest = &DatasetsIngest{Datasets: len(ds)}
	t0 = time.Now()
	for i, d := range ds {
		if err := ctx.Err(); err != nil {
			return err
		}
		t1 := time.Now()
		sum, err := ingest.Run(ctx, ingest.Options{Out: out, DatasetID: d.DatasetID, Assembly: popgen.DefaultAssembly}, d.Paths)
		if err != nil {
			return fmt.Errorf("ingest %s: %w", d.DatasetID, err)
		}
		switch took := time.Since(t1); i {
		case 0:
			sr.DatasetsIngest.First = took
		case len(ds) - 1:
			sr.DatasetsIngest.Last = took
		}
		for _, v := range sum.VCF {
			in.Lines += v.Records
			in.Calls += v.Calls
		}
		in.BytesWritten = dirSize(sum.Dir)
	}
	in.Elapsed = time.Since(t0)
	in.LinesPerSec = float64(in.Lines) / in.Elapsed.Seconds()
	in.CallsPerSec = float64(in.Calls) / in.Elapsed.Seconds()
	return os.RemoveAll(dir)
}

// datasetRequests are the requests whose work may grow with the number of datasets, asked
// in process at every scale: the /datasets listing, /filtering_terms, and one count (female
// individuals) in each includeResultsetResponses mode, and its record page.
var datasetRequests = []struct{ kind, method, uri, body string }{
	{"datasets-listing", fasthttp.MethodGet, "/datasets?limit=10", ""},
	{"filtering-terms", fasthttp.MethodGet, "/filtering_terms?limit=100", ""},
	{"count-HIT", fasthttp.MethodPost, "/individuals", femaleCount("count", "HIT")},
	{"count-ALL", fasthttp.MethodPost, "/individuals", femaleCount("count", "ALL")},
	{"count-MISS", fasthttp.MethodPost, "/individuals", femaleCount("count", "MISS")},
	{"count-NONE", fasthttp.MethodPost, "/individuals", femaleCount("count", "NONE")},
	{"record-HIT", fasthttp.MethodPost, "/individuals", femaleCount("record", "HIT")},
}

func femaleCount(granularity, sets string) string {
	return `{"meta":{"apiVersion":"2.0"},"query":{"filters":[{"id":"NCIT:C16576"}],"requestedGranularity":"` + granularity +
		`","includeResultsetResponses":"` + sets + `","pagination":{"skip":0,"limit":10}}}`
}

// measureDatasetRequests answers iters of each dataset request in process, as
// measureInProcess does the mix, failing on an answer that is not 200.
func measureDatasetRequests(h fasthttp.RequestHandler, iters int) (map[string]EngineKind, error) {
	out := map[string]EngineKind{}
	var ctx fasthttp.RequestCtx
	lat := make([]time.Duration, iters)
	serve := func(method, uri, body string) {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod(method)
		ctx.Request.SetRequestURI(uri)
		if body != "" {
			ctx.Request.Header.SetContentType("application/json")
			ctx.Request.SetBodyString(body)
		}
		h(&ctx)
	}
	for _, r := range datasetRequests {
		serve(r.method, r.uri, r.body)
		if ctx.Response.StatusCode() != fasthttp.StatusOK {
			return nil, fmt.Errorf("%s: status %d: %.300s", r.kind, ctx.Response.StatusCode(), ctx.Response.Body())
		}
		for i := range iters {
			t0 := time.Now()
			serve(r.method, r.uri, r.body)
			lat[i] = time.Since(t0)
		}
		out[r.kind] = EngineKind{Summary: load.Summarize(lat)}
	}
	return out, nil
}
