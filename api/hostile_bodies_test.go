package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/engine"
)

// hostileBodyBound is how long any one hostile request may take to be answered here: a
// generous deadline, not a performance figure (the limits stop each within
// limits.requestTimeout, 10 s, or refuse it at once). Before issue 12 one of them, 10,000
// copies of a filter on /g_variants, held a core for 70 s.
const hostileBodyBound = 40 * time.Second

// hostileBody is one abusive POST, where it goes and the statuses it may get.
type hostileBody struct {
	name, path string
	body       string
	statuses   []int
}

// hostileBodiesOf builds the abusive bodies of issue 12 (and a few more) for the demo
// release: every ontology term as a filter, 10,000 copies of one, wildcard filters by the
// dozens and the thousands, a 4 MiB filter id, a body nested 100,000 deep and one over the
// size limit.
func hostileBodiesOf(t *testing.T, h func(method, uri string) (int, []byte)) []hostileBody {
	t.Helper()
	status, tb := h("GET", "/filtering_terms")
	var terms struct {
		Response struct {
			FilteringTerms []struct{ Type, ID string } `json:"filteringTerms"`
		} `json:"response"`
	}
	if err := json.Unmarshal(tb, &terms); err != nil || status != 200 {
		t.Fatalf("/filtering_terms: %d %v", status, err)
	}
	query := func(filters []string) string {
		return `{"query":{"filters":[` + strings.Join(filters, ",") + `],"requestedGranularity":"count"}}`
	}
	var onto, copies, wild64, wild5000 []string
	for _, ft := range terms.Response.FilteringTerms {
		if ft.Type == "ontologyTerm" && len(onto) < 64 {
			onto = append(onto, fmt.Sprintf(`{"id":%q}`, ft.ID))
		}
	}
	if len(onto) < 8 {
		t.Fatalf("the demo has %d ontology terms", len(onto))
	}
	for i := range 10000 {
		copies = append(copies, `{"id":"NCIT:C16576"}`)
		if i < 5000 {
			w := fmt.Sprintf(`{"id":"geographicOrigin","operator":"=","value":"%%a%d%%"}`, i)
			wild5000 = append(wild5000, w)
			if i < 64 {
				wild64 = append(wild64, w)
			}
		}
	}
	ok := []int{200, 400, 503} // answered, or refused by a cap, the budget or the deadline
	return []hostileBody{
		{"every ontology term on /g_variants", "/g_variants", query(onto), ok},
		{"10,000 copies of a filter on /g_variants", "/g_variants", query(copies), ok},
		{"64 wildcard filters on /g_variants", "/g_variants", query(wild64), ok},
		{"5,000 wildcard filters", "/individuals", query(wild5000), []int{400, 413}},
		{"a 4 MiB unknown filter id", "/individuals", query([]string{`{"id":"X:` + strings.Repeat("a", 4<<20) + `"}`}), []int{400, 413}},
		{"filters nested 100,000 deep", "/individuals", `{"query":{"filters":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`, []int{400, 413}},
		{"a body over the limit", "/individuals", query([]string{`{"id":"NCIT:C16576"}`}) + strings.Repeat(" ", 2<<20), []int{413}},
	}
}

// Hostile bodies are answered within a bound, all at once on one server, and a plain
// query sent while they run is answered too: each gets one of its statuses, an error as a
// Beacon error body with its code.
func TestHostileBodiesAnsweredInTime(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "demo"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(eng, &cfg, nil)
	addr := serveLoopback(t, srv)
	bodies := hostileBodiesOf(t, func(method, uri string) (int, []byte) { return do(srv.Handler(), method, uri, nil) })
	normal := hostileBody{"a plain count", "/individuals", `{"query":{"filters":[{"id":"NCIT:C16576"}],"requestedGranularity":"count"}}`, []int{200}}

	var wg sync.WaitGroup
	post := func(b hostileBody) {
		defer wg.Done()
		start := time.Now()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Errorf("%s: %v", b.name, err)
			return
		}
		defer c.Close()
		c.SetDeadline(start.Add(hostileBodyBound))
		go fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", b.path, len(b.body), b.body)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("%s: no answer within %s: %v", b.name, hostileBodyBound, err)
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Errorf("%s: reading the answer: %v", b.name, err)
			return
		}
		if !slices.Contains(b.statuses, resp.StatusCode) {
			t.Errorf("%s: status %d, want one of %v: %.300s", b.name, resp.StatusCode, b.statuses, body)
			return
		}
		var e summary
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("%s: %d, not JSON: %.300s", b.name, resp.StatusCode, body)
		} else if resp.StatusCode >= 400 && (e.Error == nil || e.Error.ErrorCode != resp.StatusCode) {
			t.Errorf("%s: %d without a Beacon error body of that code: %.300s", b.name, resp.StatusCode, body)
		}
		t.Logf("%s: %d in %s", b.name, resp.StatusCode, time.Since(start).Round(time.Millisecond))
	}
	for _, b := range bodies {
		wg.Add(1)
		go post(b)
	}
	time.Sleep(50 * time.Millisecond) // the hostile requests are being read or evaluated
	wg.Add(1)
	post(normal)
	wg.Wait()
}
