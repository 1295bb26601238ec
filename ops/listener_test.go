package ops

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// flakyListener fails its first n accepts with EMFILE, as accept4 does when the process is
// out of descriptors.
type flakyListener struct {
	net.Listener
	fails atomic.Int32
}

func (f *flakyListener) Accept() (net.Conn, error) {
	if f.fails.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return f.Listener.Accept()
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// EMFILE is waited out: Accept returns the next connection, not the error (defect 1 of
// issue 12: fasthttp stopped serving on it).
func TestAcceptSurvivesEMFILE(t *testing.T) {
	raw := listen(t)
	fl := &flakyListener{Listener: raw}
	fl.fails.Store(3)
	var logged atomic.Int32
	l := &Listener{Listener: fl, Max: 10, OnAcceptError: func(error) { logged.Add(1) }}
	go func() {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err == nil {
			defer c.Close()
			time.Sleep(2 * time.Second)
		}
	}()
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("Accept returned %v after EMFILE; want the next connection", err)
	}
	c.Close()
	if logged.Load() != 1 {
		t.Errorf("EMFILE logged %d times within a second, want once", logged.Load())
	}
	if l.Open() != 0 {
		t.Errorf("open after close: %d", l.Open())
	}
	// A permanent error still ends Accept.
	raw.Close()
	if _, err := l.Accept(); err == nil || temporaryAccept(err) {
		t.Errorf("closed listener: %v", err)
	}
}

// Past Max a connection gets Reject, in full, and is closed; closing an accepted one frees
// its place.
func TestListenerCapRejects(t *testing.T) {
	const reject = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
	var rejected atomic.Int32
	l := &Listener{Listener: listen(t), Max: 2, Reject: []byte(reject), OnReject: func() { rejected.Add(1) }}
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	addr := l.Addr().String()
	var server []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		server = append(server, <-accepted)
	}
	// The third connection sends a request and reads the 503.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /info HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("rejected connection: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || string(body) != "{}" {
		t.Errorf("rejected connection got %d %q", resp.StatusCode, body)
	}
	if rejected.Load() != 1 || l.Open() != 2 {
		t.Errorf("rejected %d, open %d; want 1, 2", rejected.Load(), l.Open())
	}
	select {
	case a := <-accepted:
		t.Fatalf("a connection past the cap was accepted: %v", a.RemoteAddr())
	default:
	}
	// Closing an accepted connection (twice: once counts) frees one place.
	server[0].Close()
	server[0].Close()
	if l.Open() != 1 {
		t.Fatalf("open after one close: %d", l.Open())
	}
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("a connection under the cap was not accepted")
	}
}

// PeerGone sees a client that closed its side, and not one with a request waiting.
func TestPeerGone(t *testing.T) {
	ln := listen(t)
	for _, c := range []struct {
		name string
		act  func(net.Conn)
		want bool
	}{
		{"idle", func(net.Conn) {}, false},
		{"pipelined request waiting", func(c net.Conn) { io.WriteString(c, "GET / HTTP/1.1\r\n\r\n") }, false},
		{"closed", func(c net.Conn) { c.Close() }, true},
	} {
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		server, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c.act(client)
		time.Sleep(20 * time.Millisecond)
		wrapped := &conn{Conn: server, l: &Listener{}}
		if got := PeerGone(wrapped); got != c.want {
			t.Errorf("%s: PeerGone %v, want %v", c.name, got, c.want)
		}
		client.Close()
		server.Close()
	}
}
