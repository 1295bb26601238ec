package api

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/engine"
)

// The transport's timeouts come from server.readTimeout, server.writeTimeout and
// server.idleTimeout, or from BITBEACON_ variables; zero takes the default, a negative
// value is refused.
func TestServerTimeoutsConfigured(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "beacon.yaml")
	if err := os.WriteFile(path, []byte("server:\n  readTimeout: 3s\n  writeTimeout: 4s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultServer()
	if c.Server.ReadTimeout != 3*time.Second || c.Server.WriteTimeout != 4*time.Second || c.Server.IdleTimeout != d.IdleTimeout {
		t.Errorf("from the file: %+v", c.Server)
	}
	if _, err := c.ApplyEnv([]string{"BITBEACON_SERVER_READ_TIMEOUT=250ms", "BITBEACON_SERVER_IDLE_TIMEOUT=7s"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	hs := NewServer(nil, &c, nil).HTTPServer()
	if hs.ReadTimeout != 250*time.Millisecond || hs.WriteTimeout != 4*time.Second || hs.IdleTimeout != 7*time.Second {
		t.Errorf("fasthttp runs with read %s, write %s, idle %s", hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout)
	}
	def := DefaultConfig()
	if hs := NewServer(nil, &def, nil).HTTPServer(); hs.ReadTimeout != d.ReadTimeout || d.ReadTimeout <= 0 || hs.WriteTimeout != d.WriteTimeout {
		t.Errorf("defaults: read %s, write %s", hs.ReadTimeout, hs.WriteTimeout)
	}
	bad := DefaultConfig()
	bad.Server.ReadTimeout = -time.Second
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "readTimeout") {
		t.Errorf("a negative readTimeout: %v", err)
	}
}

// A slowloris client, sending its request line and headers a byte at a time and never
// ending them, is cut at server.readTimeout (here a tenth of the default), while other
// callers are answered meanwhile and after.
func TestSlowlorisCutAtReadTimeout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Server.ReadTimeout = 3 * time.Second
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "fixture"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveLoopback(t, NewServer(eng, &cfg, nil))
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	started := time.Now()
	// The reader sees the end of the connection: EOF or a reset, after whatever the server
	// wrote (a 408).
	closed := make(chan []byte, 1)
	go func() {
		slow.SetReadDeadline(time.Now().Add(25 * time.Second)) // the default timeout is 30 s
		got, err := io.ReadAll(slow)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			got = nil // still open when the test gave up
		}
		closed <- got
	}()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		head := "GET /info HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 1<<12)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := slow.Write([]byte{head[i%len(head)]}); err != nil {
				return
			}
		}
	}()
	// Other callers are answered while the slow client trickles its headers in.
	for i := range 3 {
		if status, _ := rawExchange(t, addr, []byte("GET /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); status != 200 {
			t.Fatalf("caller %d beside the slow client: status %d", i, status)
		}
	}
	var got []byte
	select {
	case got = <-closed:
	case <-time.After(30 * time.Second):
	}
	lasted := time.Since(started)
	if got == nil {
		t.Fatalf("the slow client's connection still open after %s; server.readTimeout is %s", lasted, cfg.Server.ReadTimeout)
	}
	// Not cut at once: the trickle kept it alive until the timeout. The bound is loose
	// because the server's deadline starts at accept and is taken from a coarse clock, so
	// the cut can come a little before a full timeout measured from this side.
	if lasted < cfg.Server.ReadTimeout/2 {
		t.Errorf("the slow client was cut after %s, well before server.readTimeout %s", lasted, cfg.Server.ReadTimeout)
	}
	if len(got) > 0 && !strings.HasPrefix(string(got), "HTTP/1.1 408") {
		t.Errorf("the slow client read %.80q; want nothing or a 408", got)
	}
	for i := range 2 {
		if status, _ := rawExchange(t, addr, []byte("GET /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); status != 200 {
			t.Fatalf("caller %d after the slow client: status %d", i, status)
		}
	}
	t.Logf("slow client cut after %s; it read %d bytes (%.40q)", lasted.Round(time.Millisecond), len(got), got)
}

// A client that asks for large answers and never reads them is cut at server.writeTimeout
// (here a twentieth of the default): the server's write blocks once the sockets' buffers
// are full, and the connection is closed at the deadline instead of holding its slot and
// goroutine until the client reads. Both buffers are kept small (the server's on the
// accepted socket, the client's on its own) so that four record pages of chromosome 22,
// 1.5 MB, exceed them; other callers are answered meanwhile.
func TestUnreadAnswerCutAtWriteTimeout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Server.WriteTimeout = 3 * time.Second
	cfg.Pagination.MaxLimit = 1 << 20
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "demo"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &closeWatcher{Listener: raw, closed: make(chan struct{}, 16)}
	hs := NewServer(eng, &cfg, nil).HTTPServer()
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Shutdown() })
	addr := raw.Addr().String()

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.(*net.TCPConn).SetReadBuffer(16 << 10); err != nil {
		t.Fatal(err)
	}
	const pages = 4
	big := "GET /g_variants?referenceName=22&start=0&end=999999999&requestedGranularity=record&limit=100000 HTTP/1.1\r\nHost: x\r\n\r\n"
	if _, err := c.Write([]byte(strings.Repeat(big, pages))); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	// Other callers are answered while the server's write to the unread client blocks.
	for i := range 3 {
		if status, _ := rawExchange(t, addr, []byte("GET /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); status != 200 {
			t.Fatalf("caller %d beside the unread client: status %d", i, status)
		}
	}
	// The callers' own connections close too (Connection: close); the unread one is the
	// connection still open once they are answered, so wait for every accepted one.
	for open := 4; open > 0; open-- {
		select {
		case <-ln.closed:
		case <-time.After(30 * time.Second):
			t.Fatalf("the unread client's connection still open after %s; server.writeTimeout is %s", time.Since(started), cfg.Server.WriteTimeout)
		}
	}
	lasted := time.Since(started)
	// What the client reads now is what the server wrote before it gave up: less than the
	// four answers, ending in EOF or a reset.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the unread client's connection still open on its side after the server closed it: read %d bytes", len(got))
	}
	if n := strings.Count(string(got), "HTTP/1.1 200"); n >= pages || len(got) == 0 {
		t.Errorf("the unread client read %d bytes, %d answers; want a part of the %d answers", len(got), n, pages)
	}
	t.Logf("unread client cut after %s, having been sent %d bytes", lasted.Round(time.Millisecond), len(got))
}

// closeWatcher is a listener whose accepted connections report their Close on closed,
// with a small send buffer so that an unread answer blocks the server's write soon.
type closeWatcher struct {
	net.Listener
	closed chan struct{}
}

func (l *closeWatcher) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return &watchedConn{Conn: c, closed: l.closed}, nil
}

type watchedConn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func (c *watchedConn) Close() error {
	c.once.Do(func() { c.closed <- struct{}{} })
	return c.Conn.Close()
}
