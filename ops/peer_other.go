//go:build !linux

package ops

import "net"

// PeerGone is only implemented on Linux; elsewhere a client is never seen to leave and a
// request ends at its deadline or budget.
func PeerGone(c net.Conn) bool { return false }
