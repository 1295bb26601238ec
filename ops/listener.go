package ops

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Listener caps the connections open at once and never fails on a temporary accept error.
//
// fasthttp treats any accept error other than a timeout as permanent and stops serving, so
// a flood of idle connections that exhausts the descriptors (EMFILE) would end the process.
// Listener keeps Max below the descriptor limit, so the server rejects the excess itself,
// and waits out EMFILE and its kin instead of returning them.
type Listener struct {
	net.Listener
	// Max is the most connections open at once; 0 means no cap.
	Max int64
	// Reject is the complete HTTP response written to a connection past Max before it is
	// closed (a 503 with a Beacon error body, built by the API).
	Reject []byte
	// OnReject is called for each rejected connection (a metric); may be nil.
	OnReject func()
	// OnAcceptError is called, at most once a second, with a temporary accept error that
	// was waited out (for the log); may be nil.
	OnAcceptError func(error)

	open      atomic.Int64
	rejecting atomic.Int64
	lastLog   atomic.Int64 // unix nanoseconds of the last OnAcceptError
}

// maxRejecting bounds the goroutines answering rejected connections; past it a rejected
// connection is closed without an answer.
const maxRejecting = 256

// Open is the number of connections accepted and not yet closed.
func (l *Listener) Open() int64 { return l.open.Load() }

// Accept returns the next connection under the cap. Connections past it are answered with
// Reject and closed; temporary errors (EMFILE, ENFILE, ENOBUFS, ENOMEM, ECONNABORTED) are
// waited out with a growing pause of up to a second.
func (l *Listener) Accept() (net.Conn, error) {
	var pause time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !temporaryAccept(err) {
				return nil, err
			}
			if f := l.OnAcceptError; f != nil {
				now := time.Now().UnixNano()
				if last := l.lastLog.Load(); now-last > int64(time.Second) && l.lastLog.CompareAndSwap(last, now) {
					f(err)
				}
			}
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			time.Sleep(pause)
			continue
		}
		pause = 0
		if l.Max > 0 && l.open.Add(1) > l.Max {
			l.open.Add(-1)
			l.reject(c)
			continue
		}
		if l.Max <= 0 {
			l.open.Add(1)
		}
		return &conn{Conn: c, l: l}, nil
	}
}

// reject answers c with Reject and closes it, in a goroutine of its own so that a slow
// client cannot stall the accept loop. The request is read (briefly) before the close, so
// the client sees the answer rather than a reset.
func (l *Listener) reject(c net.Conn) {
	if l.OnReject != nil {
		l.OnReject()
	}
	if len(l.Reject) == 0 || l.rejecting.Add(1) > maxRejecting {
		if len(l.Reject) > 0 {
			l.rejecting.Add(-1)
		}
		c.Close()
		return
	}
	go func() {
		defer l.rejecting.Add(-1)
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Second))
		// Read what the client sent first: closing a socket with unread data resets it.
		var buf [4096]byte
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		c.Read(buf[:])
		c.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := c.Write(l.Reject); err != nil {
			return
		}
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			io.Copy(io.Discard, io.LimitReader(c, 64<<10))
		}
	}()
}

// temporaryAccept reports whether an accept error passes by itself: out of descriptors or
// memory, or a connection reset before it was accepted.
func temporaryAccept(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// conn is an accepted connection; closing it frees its place under the cap once.
type conn struct {
	net.Conn
	l    *Listener
	once sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.open.Add(-1) })
	return err
}

// SyscallConn reaches the socket below, for PeerGone.
func (c *conn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}

// CloseWrite half-closes the connection when the socket supports it.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}
