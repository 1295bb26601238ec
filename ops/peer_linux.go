package ops

import (
	"net"
	"syscall"
)

// PeerGone reports whether the client of c has closed or reset its connection, without
// consuming anything it sent: a non-blocking peek that reads end-of-file or an error.
// Pipelined requests waiting in the socket make it report false, as it should. A
// connection that is not a socket (an in-memory pipe) is never gone.
func PeerGone(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	gone := false
	var buf [1]byte
	cerr := rc.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == nil:
			gone = n == 0 // orderly shutdown by the peer
		case err == syscall.EAGAIN || err == syscall.EINTR:
		default:
			gone = true // reset, or the socket is broken
		}
	})
	return cerr == nil && gone
}
