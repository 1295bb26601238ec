package network

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// The tests run real members: bitbeacon api servers on loopback over the fixture release
// (testdata/fixture) ingested under different dataset ids, next to members written here that
// answer slowly, fail, answer non-Beacon JSON or record what they were sent.

var (
	tmpRoot  string
	tmpOnce  sync.Once
	releases sync.Map // dataset id → *releaseOnce
)

type releaseOnce struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpRoot != "" {
		os.RemoveAll(tmpRoot)
	}
	os.Exit(code)
}

// fixtureRelease ingests testdata/fixture as dataset id once per test process.
func fixtureRelease(t testing.TB, id string) string {
	tmpOnce.Do(func() {
		var err error
		if tmpRoot, err = os.MkdirTemp("", "bitbeacon-networktest-"); err != nil {
			t.Fatal(err)
		}
	})
	v, _ := releases.LoadOrStore(id, &releaseOnce{})
	r := v.(*releaseOnce)
	r.once.Do(func() {
		fx := filepath.Join(testenv.RepoRoot(t), "testdata", "fixture")
		var in []string
		for _, f := range []string{"individuals.json", "biosamples.json", "runs.json", "analyses.json",
			"genomicVariations.json", "datasets.json", "cohorts.json", "fixture.obo"} {
			in = append(in, filepath.Join(fx, f))
		}
		r.dir = filepath.Join(tmpRoot, id, "release")
		_, r.err = ingest.Run(context.Background(), ingest.Options{Out: r.dir, DatasetID: id, Assembly: "GRCh38"}, in)
	})
	if r.err != nil {
		t.Fatalf("ingesting the fixture as %s: %v", id, r.err)
	}
	return r.dir
}

// serveFast serves h on a loopback port until the test ends and returns its URL.
func serveFast(t testing.TB, h fasthttp.RequestHandler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.HTTPServer(h)
	go srv.Serve(ln)
	t.Cleanup(func() {
		// fasthttp's Shutdown waits for idle keep-alive connections: close the clients' first.
		http.DefaultClient.CloseIdleConnections()
		benchClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.ShutdownWithContext(ctx)
	})
	return "http://" + ln.Addr().String()
}

// bitbeaconMember serves the fixture as dataset id with the given security level (PUBLIC
// when empty; a non-public one answers exists below its level) and returns its URL.
func bitbeaconMember(t testing.TB, id, level string) string {
	eng, err := engine.NewEngine(fixtureRelease(t, id), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	cfg.BeaconID = "org.test." + strings.ToLower(id)
	if level != "" {
		// belowLevel boolean: a caller below the level (the network asks anonymously) learns
		// whether the dataset has a match, never a count, as a member that opts in answers.
		cfg.Datasets = map[string]api.DatasetConfig{id: {SecurityLevel: level, BelowLevel: "boolean"}}
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return serveFast(t, api.NewServer(eng, &cfg, nil).Handler())
}

// testNetwork builds a network over members, refreshed once, served on loopback.
func testNetwork(t testing.TB, cfg Config) (*Network, string) {
	t.Helper()
	if cfg.BeaconID == "" {
		cfg.BeaconID = "org.test.network"
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	n := New(cfg, "127.0.0.1:0", nil)
	n.Refresh(context.Background())
	url := serveFast(t, n.Handler())
	t.Cleanup(n.Close)
	return n, url
}

// netAnswer is the part of a network answer the tests read.
type netAnswer struct {
	Meta struct {
		BeaconID            string `json:"beaconId"`
		ReturnedGranularity string `json:"returnedGranularity"`
	} `json:"meta"`
	ResponseSummary struct {
		Exists          bool    `json:"exists"`
		NumTotalResults *uint64 `json:"numTotalResults"`
	} `json:"responseSummary"`
	Response struct {
		ResultSets []struct {
			ID           string            `json:"id"`
			Exists       bool              `json:"exists"`
			ResultsCount uint64            `json:"resultsCount"`
			Results      []json.RawMessage `json:"results"`
			Info         map[string]any    `json:"info"`
		} `json:"resultSets"`
		Collections []json.RawMessage `json:"collections"`
	} `json:"response"`
	Info struct {
		Members  []memberStatus `json:"members"`
		Warnings []string       `json:"warnings"`
	} `json:"info"`
	Error *struct {
		ErrorCode int `json:"errorCode"`
	} `json:"error"`
}

func (a netAnswer) status(id string) memberStatus {
	for _, m := range a.Info.Members {
		if m.ID == id {
			return m
		}
	}
	return memberStatus{ID: id, Status: "absent"}
}

// get sends one request to a URL and returns the status and body.
func get(t testing.TB, method, url, body string, hdr map[string]string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func decode(t testing.TB, b []byte) netAnswer {
	t.Helper()
	var a netAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return a
}

// countAnswer is a valid Beacon count answer of a hand-built member.
func countAnswer(beaconID string, n int) string {
	return `{"meta":{"beaconId":"` + beaconID + `","apiVersion":"v2.0.0","returnedSchemas":[{"entityType":"individual","schema":"beacon-individual-v2.0.0"}],` +
		`"returnedGranularity":"count","receivedRequestSummary":{"apiVersion":"v2.0.0","requestedSchemas":[],"pagination":{"skip":0,"limit":10},"requestedGranularity":"count"}},` +
		`"responseSummary":{"exists":` + map[bool]string{true: "true", false: "false"}[n > 0] + `,"numTotalResults":` + itoa(n) + `}}`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
