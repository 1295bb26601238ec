package ops

import "runtime"

// RunLowPriority runs f on an operating-system thread of its own at the lowest CPU
// priority the system gives an unprivileged thread, and returns when f does (a panic in f
// is raised again in the caller). The server runs its heavy queries so: on a replica whose
// cores are shared (other processes, or the kernel grouping the server's threads as one
// process), a heavy query running at the normal priority charges the process as a whole
// and the cheap queries beside it wait for the CPU; at the lowest priority it takes what
// the others leave. The thread is locked and never unlocked, so that it ends with f and
// its priority, which an unprivileged thread cannot raise again, ends with it.
func RunLowPriority(f func()) {
	var p any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { p = recover() }()
		runtime.LockOSThread()
		lowerThreadPriority()
		f()
	}()
	<-done
	if p != nil {
		panic(p)
	}
}
