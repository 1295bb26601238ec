//go:build !linux

package ops

// lowerThreadPriority is only implemented on Linux (elsewhere setpriority names a process,
// not a thread); the heavy query then runs at the normal priority on its own thread.
func lowerThreadPriority() {}
