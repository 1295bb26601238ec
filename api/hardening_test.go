package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ops"
)

// Regression tests of the defects of issue 12: each failed before its fix.

// errorBodyOf decodes a Beacon error response and checks its code.
func errorBodyOf(t *testing.T, what string, status int, body []byte, want int) string {
	t.Helper()
	if status != want {
		t.Fatalf("%s: status %d, want %d: %.300s", what, status, want, body)
	}
	var e summary
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
		t.Fatalf("%s: not a Beacon error body (%v): %.300s", what, err, body)
	}
	if e.Error.ErrorCode != want {
		t.Errorf("%s: errorCode %d, want %d", what, e.Error.ErrorCode, want)
	}
	return e.Error.ErrorMessage
}

// Defect 3: skip and limit are clamped before arithmetic; a huge limit panicked (500).
func TestHugeSkipAndLimitClamped(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, uri := range []string{
		"/filtering_terms?skip=3&limit=4611686018427387904",
		"/filtering_terms?skip=4611686018427387904&limit=4611686018427387904",
		"/individuals/filtering_terms?skip=99999999999999999999999&limit=2",
	} {
		status, body := do(h, "GET", uri, nil)
		if status != 200 {
			t.Errorf("%s: %d %.300s", uri, status, body)
			continue
		}
		var r struct {
			Response struct {
				FilteringTerms []json.RawMessage `json:"filteringTerms"`
			} `json:"response"`
		}
		if err := json.Unmarshal(body, &r); err != nil || len(r.Response.FilteringTerms) != 0 {
			t.Errorf("%s: want an empty page past the end, got %d terms (%v)", uri, len(r.Response.FilteringTerms), err)
		}
	}
	cfg := DefaultConfig()
	cfg.Pagination.SkipUnit = "records"
	cfg.Pagination.MaxLimit = 1 << 62
	h = testHandlerWith(t, "fixture", &cfg)
	for _, uri := range []string{
		"/individuals?skip=4611686018427387904&limit=4611686018427387904&requestedGranularity=record",
		"/filtering_terms?skip=4611686018427387904&limit=1",
	} {
		if status, body := do(h, "GET", uri, nil); status != 200 {
			t.Errorf("records unit %s: %d %.300s", uri, status, body)
		}
	}
}

// Defect 7: an unknown filter id is quoted as a short prefix in the warning and echoed as
// one in receivedRequestSummary, however long it is.
func TestLongUnknownFilterQuotedShort(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Limits.MaxParamLength = 8 << 20
	cfg.Limits.MaxBodyBytes = 8 << 20
	h := testHandlerWith(t, "fixture", &cfg)
	for _, n := range []int{1000, 4 << 20} {
		id := "X:" + strings.Repeat("a", n)
		body := []byte(`{"query":{"filters":[{"id":"` + id + `"}],"requestedGranularity":"count"}}`)
		status, out := do(h, "POST", "/individuals", body)
		if status != 200 {
			t.Fatalf("%d-byte id: %d %.300s", n, status, out)
		}
		if len(out) > 4096 {
			t.Errorf("%d-byte unknown id: a %d-byte answer; the id came back", n, len(out))
		}
		var r struct {
			Meta struct {
				ReceivedRequestSummary struct {
					Filters []string `json:"filters"`
				} `json:"receivedRequestSummary"`
			} `json:"meta"`
			Info struct {
				Warnings []string `json:"warnings"`
			} `json:"info"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		echo := r.Meta.ReceivedRequestSummary.Filters
		if len(echo) != 1 || len(echo[0]) > maxEcho+len("…") || !strings.HasPrefix(echo[0], "X:aaa") || !strings.HasSuffix(echo[0], "…") {
			t.Errorf("%d-byte id echoed as %.200q", n, echo)
		}
		if len(r.Info.Warnings) != 1 || len(r.Info.Warnings[0]) > 400 || !strings.Contains(r.Info.Warnings[0], "'X:aaa") {
			t.Errorf("%d-byte id: warnings %.400q", n, r.Info.Warnings)
		}
	}
}

// Defect 2: filters are capped in number and length, and identical ones count once.
func TestFilterCaps(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Limits.MaxFilters = 8
	cfg.Limits.MaxParamLength = 64
	h := testHandlerWith(t, "fixture", &cfg)
	var same, distinct []string
	for i := range 10000 {
		same = append(same, `{"id":"NCIT:C16576"}`)
		if i < 9 {
			distinct = append(distinct, fmt.Sprintf(`{"id":"TST:%07d"}`, i))
		}
	}
	post := func(filters []string) (int, []byte) {
		return do(h, "POST", "/individuals", []byte(`{"query":{"filters":[`+strings.Join(filters, ",")+`],"requestedGranularity":"count"}}`))
	}
	status, out := post(same)
	if status != 200 {
		t.Fatalf("10,000 copies of one filter: %d %.300s", status, out)
	}
	var s summary
	json.Unmarshal(out, &s)
	if s.ResponseSummary.NumTotalResults == nil || *s.ResponseSummary.NumTotalResults != 3 {
		t.Errorf("10,000 copies of NCIT:C16576: %.300s, want the 3 females", out)
	}
	status, out = post(distinct)
	if msg := errorBodyOf(t, "9 distinct filters", status, out, 400); !strings.Contains(msg, "9 distinct filters") || !strings.Contains(msg, "at most 8") {
		t.Errorf("9 distinct filters: %q", msg)
	}
	// The members of OR groups count too, at any depth.
	status, out = post([]string{`["TST:1","TST:2",["TST:3","TST:4"]]`, `["TST:5","TST:6","TST:7","TST:8","TST:9"]`})
	if msg := errorBodyOf(t, "9 filters in groups", status, out, 400); !strings.Contains(msg, "9 distinct filters") {
		t.Errorf("9 filters in groups: %q", msg)
	}
	status, out = post([]string{`["TST:1",{"id":"NCIT:` + strings.Repeat("9", 100) + `"}]`})
	if msg := errorBodyOf(t, "a long id in a group", status, out, 400); !strings.Contains(msg, "105 bytes") {
		t.Errorf("long id in a group: %q", msg)
	}
	status, out = post([]string{`{"id":"NCIT:` + strings.Repeat("9", 100) + `"}`})
	if msg := errorBodyOf(t, "a 105-byte filter id", status, out, 400); !strings.Contains(msg, "105 bytes") {
		t.Errorf("long id: %q", msg)
	}
	status, out = do(h, "GET", "/g_variants?geneId="+strings.Repeat("G", 65), nil)
	if msg := errorBodyOf(t, "a 65-byte geneId", status, out, 400); !strings.Contains(msg, "geneId") {
		t.Errorf("long geneId: %q", msg)
	}
	// The copies are gone before evaluation: one filter spends one filter's budget.
	req := &Request{Query: engine.Query{Filters: []engine.Filter{{ID: "A"}, {ID: "B"}, {ID: "A"}, {ID: "A", Operator: "="}}}}
	srv := NewServer(nil, &cfg, nil)
	if err := srv.guard(req); err != nil || len(req.Query.Filters) != 3 {
		t.Errorf("dedupe: %v %+v", err, req.Query.Filters)
	}
}

// Defect 2: every query runs under a work budget and a deadline.
func TestQueryBudgetAndDeadline(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Limits.WorkBudget = 1500 // one filter (1000 + its rows) passes, two do not
	h := testHandlerWith(t, "fixture", &cfg)
	if status, out := do(h, "GET", "/individuals?filters=NCIT:C16576&requestedGranularity=count", nil); status != 200 {
		t.Fatalf("one filter under the budget: %d %s", status, out)
	}
	status, out := do(h, "GET", "/individuals?filters=NCIT:C16576,NCIT:C20197&requestedGranularity=count", nil)
	if msg := errorBodyOf(t, "over the budget", status, out, 400); !strings.Contains(msg, "more work") {
		t.Errorf("budget: %q", msg)
	}
	// A group's members spend the budget like filters.
	status, out = do(h, "GET", "/individuals?filters=[NCIT:C16576,NCIT:C20197]&requestedGranularity=count", nil)
	if msg := errorBodyOf(t, "a group over the budget", status, out, 400); !strings.Contains(msg, "more work") {
		t.Errorf("budget of a group: %q", msg)
	}
	cfg = DefaultConfig()
	cfg.Limits.RequestTimeout = time.Nanosecond
	h = testHandlerWith(t, "fixture", &cfg)
	status, out = do(h, "GET", "/individuals?filters=NCIT:C16576&requestedGranularity=count", nil)
	if msg := errorBodyOf(t, "past the deadline", status, out, 503); !strings.Contains(msg, "time limit") {
		t.Errorf("deadline: %q", msg)
	}
}

// serveLoopback runs srv's HTTP server on a loopback port behind ops.Listener and returns
// its address.
func serveLoopback(t *testing.T, srv *Server) string {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &ops.Listener{Listener: raw, Max: int64(srv.cfg.Limits.MaxConnections), Reject: srv.RejectResponse(), OnReject: RejectedConnection}
	hs := srv.HTTPServer()
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Shutdown() })
	return raw.Addr().String()
}

// rawExchange sends raw bytes on a new connection and reads one response.
func rawExchange(t *testing.T, addr string, req []byte) (int, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go c.Write(req) // the server may answer before reading it all
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return resp.StatusCode, b
}

// Defect 4: the errors fasthttp answers itself are Beacon error bodies with their codes.
func TestTransportErrorsAreBeaconJSON(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Limits.MaxBodyBytes = 1 << 10
	cfg.Limits.MaxHeaderBytes = 4 << 10
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "fixture"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveLoopback(t, NewServer(eng, &cfg, nil))
	longGET := "GET /individuals?filters=" + strings.Repeat("NCIT:C16576,", 600) + " HTTP/1.1\r\nHost: x\r\n\r\n"
	status, body := rawExchange(t, addr, []byte(longGET))
	if msg := errorBodyOf(t, "a 7 KiB GET", status, body, 431); !strings.Contains(msg, "POST") {
		t.Errorf("431: %q", msg)
	}
	big := bytes.Repeat([]byte(" "), 2<<10)
	post := fmt.Sprintf("POST /individuals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(big), big)
	status, body = rawExchange(t, addr, []byte(post))
	errorBodyOf(t, "a 2 KiB body over a 1 KiB limit", status, body, 413)
	status, body = rawExchange(t, addr, []byte("GET /info HTTP/1.1\r\nHost x\r\nContent-Length: -3\r\n\r\n"))
	errorBodyOf(t, "malformed HTTP", status, body, 400)
}

// Defect 1: past limits.maxConnections a connection is answered 503 with a Beacon body.
func TestConnectionCapAnswers503(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Limits.MaxConnections = 3
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "fixture"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveLoopback(t, NewServer(eng, &cfg, nil))
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	time.Sleep(100 * time.Millisecond) // the idle three are accepted
	status, body := rawExchange(t, addr, []byte("GET /info HTTP/1.1\r\nHost: x\r\n\r\n"))
	if msg := errorBodyOf(t, "a 4th connection", status, body, 503); !strings.Contains(msg, "at most 3 connections") {
		t.Errorf("503: %q", msg)
	}
}

// Defect 2: a query stops when its client disconnects. The heavy-query slots are taken, so
// the hostile request waits for one; its client leaves, and the server lets it go long
// before its 10 s deadline.
func TestQueryStopsWhenClientLeaves(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Limits.WorkBudget = 60_000 // heavy after 10,000 units: ten filters
	cfg.Limits.HeavyQueries = 1
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "fixture"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(eng, &cfg, nil)
	addr := serveLoopback(t, srv)
	srv.life.heavy <- struct{}{} // another heavy query holds the only slot
	defer func() { <-srv.life.heavy }()
	var fs []string
	for i := range 20 {
		fs = append(fs, fmt.Sprintf(`{"id":"TST:%07d"}`, i))
	}
	body := `{"query":{"filters":[` + strings.Join(fs, ",") + `],"requestedGranularity":"count"}}`
	before := rejected("disconnected").Get()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /g_variants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	deadline := time.Now().Add(5 * time.Second)
	for srv.InFlight() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if srv.InFlight() != 1 {
		t.Fatalf("the request is not waiting: %d in flight", srv.InFlight())
	}
	c.Close()
	for srv.InFlight() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := srv.InFlight(); n != 0 {
		t.Fatalf("the request of a departed client is still evaluated (%d in flight)", n)
	}
	if rejected("disconnected").Get() != before+1 {
		t.Errorf("rejected{disconnected} did not count it")
	}
}
