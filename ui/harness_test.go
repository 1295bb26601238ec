package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/popgen"
)

// The browser tests run the real server (the demo release, ingested here) on loopback and
// drive Debian's Chromium against it with chromedp. `make test` installs Chromium when it
// is missing (`make chromium`); without it these tests fail, they do not skip.

const chromiumPath = "/usr/bin/chromium"

var tmpRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bitbeacon-uitest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = dir
	code := m.Run()
	if browserCancel != nil {
		browserCancel() // stops the Chromium this process started
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// beacon is a server under test.
type beacon struct {
	base string // http://127.0.0.1:PORT

	mu   sync.Mutex
	seen []seenRequest // every API request, in order
}

// seenRequest is one request the beacon received from outside the page's files.
type seenRequest struct{ path, auth string }

var (
	servers   sync.Map // name → *serverOnce
	secondSet = popgen.Config{Seed: 2, DatasetID: "bitbeacon_demo_b", Individuals: 60, Variants: 200}
)

type serverOnce struct {
	once sync.Once
	b    *beacon
	err  error
}

// demoBeacon serves the demo (make run's data, numbers as a user sees them). multiBeacon
// serves the demo and a second, smaller dataset, so that a count answer is split by
// dataset; cappedBeacon serves the same two with the second capped at boolean granularity,
// so that one dataset answers below the rest.
func demoBeacon(t testing.TB) *beacon   { return startBeacon(t, "demo") }
func multiBeacon(t testing.TB) *beacon  { return startBeacon(t, "multi") }
func cappedBeacon(t testing.TB) *beacon { return startBeacon(t, "capped") }

func startBeacon(t testing.TB, name string) *beacon {
	t.Helper()
	v, _ := servers.LoadOrStore(name, &serverOnce{})
	s := v.(*serverOnce)
	s.once.Do(func() { s.b, s.err = newBeacon(name) })
	if s.err != nil {
		t.Fatalf("starting the %s beacon: %v", name, s.err)
	}
	return s.b
}

var (
	releases sync.Map // "demo" or "multi" → *releaseOnce
)

type releaseOnce struct {
	once sync.Once
	dir  string
	err  error
}

// release ingests the demo ("demo"), or the demo and secondSet ("multi"), once.
func release(name string) (string, error) {
	v, _ := releases.LoadOrStore(name, &releaseOnce{})
	r := v.(*releaseOnce)
	r.once.Do(func() {
		dir := filepath.Join(tmpRoot, name)
		r.dir = filepath.Join(dir, "release")
		sets := []popgen.Config{popgen.Demo()}
		if name == "multi" {
			c := secondSet
			c.Chromosomes = []string{"22"}
			sets = append(sets, c)
		}
		for _, c := range sets {
			files, err := popgen.WriteBFF(filepath.Join(dir, "bff-"+c.DatasetID), c)
			if err != nil {
				r.err = err
				return
			}
			if _, err := ingest.Run(context.Background(), ingest.Options{Out: r.dir, DatasetID: c.DatasetID, Assembly: popgen.DefaultAssembly, MaxWarnings: 5}, files.Paths); err != nil {
				r.err = err
				return
			}
		}
	})
	return r.dir, r.err
}

func newBeacon(name string) (*beacon, error) {
	cfg := api.DemoConfig()
	rel := "multi"
	switch name {
	case "demo":
		rel = "demo"
	case "smallpages":
		rel = "demo"
		cfg.Pagination.MaxLimit = 50
	case "capped":
		cfg.Datasets = map[string]api.DatasetConfig{secondSet.DatasetID: {MaxGranularity: "boolean", SecurityLevel: api.SecurityPublic}}
	}
	return serveRelease(rel, cfg)
}

// serveRelease serves a release ("demo" or "multi") with cfg on a loopback port.
func serveRelease(rel string, cfg api.Config) (*beacon, error) {
	out, err := release(rel)
	if err != nil {
		return nil, err
	}
	eng, err := engine.NewEngine(out, engine.Options{})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &beacon{base: "http://" + ln.Addr().String()}
	cfg.BaseURL = b.base
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := api.NewServer(eng, &cfg, nil).Handler()
	srv := api.HTTPServer(func(ctx *fasthttp.RequestCtx) {
		if !strings.HasPrefix(string(ctx.Path()), "/ui") {
			b.mu.Lock()
			b.seen = append(b.seen, seenRequest{string(ctx.Path()), string(ctx.Request.Header.Peek("Authorization"))})
			b.mu.Unlock()
		}
		h(ctx)
	})
	go srv.Serve(ln) // ends with the test process
	return b, nil
}

// requests returns the API requests seen since the last call.
func (b *beacon) requests() []seenRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.seen)
	b.seen = b.seen[:0]
	return out
}

// authorizations returns the Authorization headers seen since the last call.
func (b *beacon) authorizations() []string {
	var out []string
	for _, r := range b.requests() {
		out = append(out, r.auth)
	}
	return out
}

// getJSON asks the API directly: what the page must show is what the API says.
func (b *beacon) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	b.getJSONWith(t, path, "", v)
}

// getJSONWith is getJSON with an Authorization header (none when empty).
func (b *beacon) getJSONWith(t *testing.T, path, authorization string, v any) {
	t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		t.Fatalf("GET %s: %s\n%s", path, res.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

// postJSON sends a POST body to the API.
func (b *beacon) postJSON(t *testing.T, path, body string, v any) {
	t.Helper()
	res, err := http.Post(b.base+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("POST %s: %v\n%s", path, err, data)
	}
}

// answer is the part of a Beacon response the tests compare with the page.
type answer struct {
	Meta struct {
		ReturnedGranularity string `json:"returnedGranularity"`
	} `json:"meta"`
	ResponseSummary struct {
		Exists          bool `json:"exists"`
		NumTotalResults int  `json:"numTotalResults"`
	} `json:"responseSummary"`
	Response struct {
		ResultSets []struct {
			ID           string            `json:"id"`
			ResultsCount int               `json:"resultsCount"`
			Results      []json.RawMessage `json:"results"`
		} `json:"resultSets"`
	} `json:"response"`
	Error *struct {
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"error"`
}

// ids are the record ids of a record answer, in order.
func (a answer) ids(idField string) []string {
	var out []string
	for _, s := range a.Response.ResultSets {
		for _, r := range s.Results {
			var m map[string]any
			json.Unmarshal(r, &m)
			id, _ := m[idField].(string)
			out = append(out, id)
		}
	}
	return out
}

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
)

// tab opens a new tab of the shared headless Chromium, at a desktop size. Chromium runs
// as root here, hence --no-sandbox; the other flags keep it from reaching the network on
// its own (updates, sync, QUIC) and from reading any profile but a fresh one.
func tab(t testing.TB) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		if _, err := os.Stat(chromiumPath); err != nil {
			browserErr = fmt.Errorf("%s not found: `make chromium` (part of `make test`) installs Debian's chromium", chromiumPath)
			return
		}
		if _, err := exec.LookPath(chromiumPath); err != nil {
			browserErr = err
			return
		}
		profile, err := os.MkdirTemp(tmpRoot, "chromium-profile-")
		if err != nil {
			browserErr = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromiumPath),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.UserDataDir(profile),
			chromedp.WindowSize(1280, 900),
		}
		browserCtx, browserCancel = chromedp.NewExecAllocator(context.Background(), opts...)
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	ctx, cancel2 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}
