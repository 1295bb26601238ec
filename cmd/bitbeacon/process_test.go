package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The tests of this file run bitbeacon as a real process, to send it signals: the test
// binary re-executes itself as the command when asCLI is set.
const asCLI = "BITBEACON_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		if n, err := strconv.ParseUint(os.Getenv(asCLI+"_NOFILE"), 10, 64); err == nil {
			// A descriptor limit low enough for a test to exhaust.
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				panic(err)
			}
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// command is bitbeacon ARGS as a child process, its log in the returned buffer file.
func command(t *testing.T, args ...string) (*exec.Cmd, *os.File) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCLI+"=1")
	log, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	return cmd, log
}

func logOf(f *os.File) string {
	b, _ := os.ReadFile(f.Name())
	return string(b)
}

// fixtureRelease ingests testdata/fixture into a new release root.
func fixtureRelease(t *testing.T) string {
	t.Helper()
	rel := filepath.Join(t.TempDir(), "rel")
	if out, err := run(t, context.Background(), append([]string{"ingest", "--out", rel, "--dataset", "FIXTURE", "--assembly", "GRCh38"}, fixtureFiles(t)...)...); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	return rel
}

// waitReady polls /ready until it answers 200 (bounded: 20 s).
func waitReady(t *testing.T, addr string, proc *exec.Cmd, log *os.File) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			proc.Process.Kill()
			t.Fatalf("server not ready: %v\n%s", err, logOf(log))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// drainForTest is the drain period of the SIGTERM test; BITBEACON_TEST_DRAIN=0s shows what
// happens without one (the requests are reset, as before issue 12).
var drainForTest = cmp.Or(os.Getenv("BITBEACON_TEST_DRAIN"), "700ms")

const countRequest = "GET /individuals?filters=NCIT:C16576&requestedGranularity=count HTTP/1.1\r\nHost: x\r\n\r\n"

// Defect 8 of issue 12: SIGTERM with requests already sent on open keep-alive connections.
// Every request received before the signal is answered, /ready turns 503 during the drain,
// and the process exits 0.
func TestSIGTERMAnswersRequestsInFlight(t *testing.T) {
	rel := fixtureRelease(t)
	addr := freeAddr(t)
	proc, log := command(t, "serve", "--data", rel, "--listen", addr, "--drain", drainForTest)
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	defer proc.Process.Kill()
	waitReady(t, addr, proc, log)

	// Sixteen keep-alive connections, each answered once, then idle.
	const n = 16
	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		conns[i], readers[i] = c, bufio.NewReader(c)
		io.WriteString(c, countRequest)
		resp, err := http.ReadResponse(readers[i], nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("first request on connection %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// One request half received when the signal comes: its headers and half its body now,
	// the rest during the drain.
	const body = `{"query":{"filters":[{"id":"NCIT:C16576"}],"requestedGranularity":"count"}}`
	partial, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer partial.Close()
	partial.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(partial, "POST /individuals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:len(body)/2])
	// A second request on the first half, the signal right after, and a second request on
	// the other half while the server drains: all are answered, and those sent after the
	// signal close their connections.
	for _, c := range conns[:n/2] {
		if _, err := io.WriteString(c, countRequest); err != nil {
			t.Fatal(err)
		}
	}
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	signalled := time.Now()
	// The drain has begun once /ready says so (polled on a connection of its own).
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get("http://" + addr + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 503 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/ready did not turn 503 after SIGTERM (%v)\n%s", err, logOf(log))
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, c := range conns[n/2:] {
		if _, err := io.WriteString(c, countRequest); err != nil {
			t.Fatal(err)
		}
	}
	answered := 0
	for i := range conns {
		resp, err := http.ReadResponse(readers[i], nil)
		if err != nil {
			t.Errorf("request %d: %v", i, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"numTotalResults":3`) {
			t.Errorf("request %d: %d %.200s", i, resp.StatusCode, body)
			continue
		}
		if i >= n/2 && !resp.Close {
			t.Errorf("request %d, sent while draining: its answer must close the connection", i)
		}
		answered++
	}
	// During the drain /ready is 503 and /health 200.
	for path, want := range map[string]int{"/ready": 503, "/health": 200} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Errorf("%s while draining: %v", path, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s while draining: %d, want %d", path, resp.StatusCode, want)
		}
	}
	// The half-received request outlasts the drain: its rest comes once the server has
	// stopped accepting, and it is still answered before the process exits.
	drain, err := time.ParseDuration(drainForTest)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(signalled.Add(drain + 300*time.Millisecond)))
	io.WriteString(partial, body[len(body)/2:])
	if resp, err := http.ReadResponse(bufio.NewReader(partial), nil); err != nil {
		t.Errorf("the request half received at the signal: %v", err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"numTotalResults":3`) {
			t.Errorf("the request half received at the signal: %d %.200s", resp.StatusCode, b)
		}
	}
	done := make(chan error, 1)
	go func() { done <- proc.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, logOf(log))
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not exit after SIGTERM\n%s", logOf(log))
	}
	if answered != n {
		t.Errorf("%d of %d requests answered\n%s", answered, n, logOf(log))
	}
}

// serve --check-config validates the file and the environment against the release, and
// serve refuses to start with a dataset id the release does not hold.
func TestServeCheckConfig(t *testing.T) {
	ctx := context.Background()
	rel := fixtureRelease(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("beaconId: org.example.beacon\ndatasets:\n  FIXTURE:\n    maxGranularity: count\nlimits:\n  maxFilters: 10\n"), 0o644)
	os.WriteFile(bad, []byte("datasets:\n  FIXTUER:\n    maxGranularity: count\n"), 0o644)
	out, err := run(t, ctx, "serve", "--data", rel, "--config", good, "--check-config")
	if err != nil || !strings.Contains(out, "configuration OK for release 000001") {
		t.Errorf("good config: %v %s", err, out)
	}
	if _, err := run(t, ctx, "serve", "--data", rel, "--config", bad, "--check-config"); err == nil || !strings.Contains(err.Error(), `"FIXTUER" not in release`) {
		t.Errorf("--check-config with an unknown dataset: %v", err)
	}
	if _, err := run(t, ctx, "serve", "--data", rel, "--config", bad, "--listen", freeAddr(t)); err == nil || !strings.Contains(err.Error(), `"FIXTUER"`) {
		t.Errorf("serve with an unknown dataset started: %v", err)
	}
	t.Setenv("BITBEACON_LIMITS_MAX_FILTERS", "-1")
	if _, err := run(t, ctx, "serve", "--data", rel, "--config", good, "--check-config"); err == nil || !strings.Contains(err.Error(), "maxFilters") {
		t.Errorf("a bad environment override: %v", err)
	}
}

// Defect 1 of issue 12: a flood of idle connections. With descriptors to spare the excess
// (a cap set, or by default half the descriptor limit)
// gets a 503 past limits.maxConnections; with a cap above the descriptor limit accept fails
// with EMFILE, which the server waits out instead of exiting. Either way a client is served
// once the flood is gone.
func TestConnectionFlood(t *testing.T) {
	rel := fixtureRelease(t)
	for _, c := range []struct {
		name     string
		maxConns string
		want503  bool
	}{
		{"cap under the descriptor limit", "40", true},
		{"cap above the descriptor limit (EMFILE)", "5000", false},
		{"default cap: half the descriptor limit", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := freeAddr(t)
			proc, log := command(t, "serve", "--data", rel, "--listen", addr, "--drain", "0s")
			proc.Env = append(proc.Env, asCLI+"_NOFILE=128")
			if c.maxConns != "" {
				proc.Env = append(proc.Env, "BITBEACON_LIMITS_MAX_CONNECTIONS="+c.maxConns)
			}
			if err := proc.Start(); err != nil {
				t.Fatal(err)
			}
			defer proc.Process.Kill()
			exited := make(chan error, 1)
			go func() { exited <- proc.Wait() }()
			waitReady(t, addr, proc, log)
			var flood []net.Conn
			got503 := 0
			for range 300 {
				conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
				if err != nil {
					break // the backlog is full: the server is not accepting, not gone
				}
				flood = append(flood, conn)
			}
			if c.want503 {
				for _, conn := range flood[len(flood)-20:] {
					io.WriteString(conn, countRequest)
					conn.SetReadDeadline(time.Now().Add(5 * time.Second))
					if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil && resp.StatusCode == 503 {
						got503++
					}
				}
				if got503 != 20 {
					t.Errorf("connections past the cap: %d of 20 answered 503", got503)
				}
			}
			time.Sleep(300 * time.Millisecond)
			select {
			case err := <-exited:
				t.Fatalf("serve exited under the flood: %v\n%s", err, logOf(log))
			default:
			}
			for _, conn := range flood {
				conn.Close()
			}
			// Served again once the flood is gone (within a bounded wait).
			deadline := time.Now().Add(20 * time.Second)
			for {
				resp, err := http.Get("http://" + addr + "/individuals?filters=NCIT:C16576&requestedGranularity=count")
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 && strings.Contains(string(body), `"numTotalResults":3`) {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("not served after the flood: %v\n%s", err, logOf(log))
				}
				time.Sleep(50 * time.Millisecond)
			}
			if !c.want503 && !strings.Contains(logOf(log), "too many open files") {
				t.Errorf("the flood did not exhaust the descriptors (no EMFILE logged):\n%s", logOf(log))
			}
		})
	}
}

// A few release swaps under load, on the real process: clients send count queries over
// keep-alive connections while three more datasets are ingested and SIGHUP swaps each in.
// Every answer is a 200 counting the females of one complete release (3 per fixture
// dataset), never fewer than the client saw before, and the last count is 12.
func TestReleaseSwapsUnderLoad(t *testing.T) {
	rel := fixtureRelease(t)
	addr := freeAddr(t)
	proc, log := command(t, "serve", "--data", rel, "--listen", addr, "--drain", "0s")
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	defer proc.Process.Kill()
	waitReady(t, addr, proc, log)
	url := "http://" + addr + "/individuals?filters=NCIT:C16576&requestedGranularity=count"
	count := func(c *http.Client) (int, error) {
		resp, err := c.Get(url)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var r struct {
			ResponseSummary struct{ NumTotalResults int } `json:"responseSummary"`
		}
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("status %d", resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			return 0, err
		}
		return r.ResponseSummary.NumTotalResults, nil
	}
	stop := make(chan struct{})
	errs := make(chan error, 4)
	var answers atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second}
			last := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				n, err := count(c)
				switch {
				case err != nil:
					errs <- err
					return
				case n%3 != 0 || n < last || n < 3 || n > 12:
					errs <- fmt.Errorf("count %d after %d", n, last)
					return
				}
				last = n
				answers.Add(1)
			}
		}()
	}
	ctx := context.Background()
	for i, ds := range []string{"B", "C", "D"} {
		if out, err := run(t, ctx, append([]string{"ingest", "--out", rel, "--dataset", ds, "--assembly", "GRCh38"}, fixtureFiles(t)...)...); err != nil {
			t.Fatalf("ingest %s: %v\n%s", ds, err, out)
		}
		proc.Process.Signal(syscall.SIGHUP)
		want := 3 * (i + 2)
		deadline := time.Now().Add(20 * time.Second)
		for {
			if n, err := count(http.DefaultClient); err == nil && n == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("release %d not swapped in\n%s", i+2, logOf(log))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("an answer during the swaps: %v", err)
	}
	t.Logf("%d answers checked over 3 swaps", answers.Load())
}
