//go:build !unix

package ops

// DefaultMaxConnections is the connection cap used when none is configured.
func DefaultMaxConnections() int { return 1000 }
