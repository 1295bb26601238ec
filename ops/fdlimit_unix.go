//go:build unix

package ops

import "syscall"

// DefaultMaxConnections is the connection cap used when none is configured: half the
// process's descriptor limit (the rest is for release files, logs and the listener), at
// most 10,000 and at least 64.
func DefaultMaxConnections() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 {
		return 1000
	}
	return int(min(max(rl.Cur/2, 64), 10000))
}
