package ops

import (
	"os"
	"runtime"
)

// ReserveProcs raises GOMAXPROCS by n, for n goroutines that hold a P of the Go scheduler
// while the kernel runs their threads last (RunLowPriority), and returns the new value. A
// heavy query at nice 19 keeps its P while the kernel lets the cheap queries' threads run
// instead, so with GOMAXPROCS at the number of cores each running heavy query took a P
// from the cheap queries: on 2 cores with one heavy slot they had one P between them and
// queued behind each other (BenchmarkHostileP99: the callers' p99 2.2-3.7x with a heavy
// query running, 1.8-1.9x with the P reserved; docs/benchmarks.md). With the P reserved
// the cheap queries keep a P per core and the kernel, not the Go scheduler, decides by
// priority who runs.
//
// A GOMAXPROCS set in the environment is the operator's choice and is kept. Setting
// GOMAXPROCS stops the runtime from following a container's CPU limit changed later; the
// limit at start is what the default counts.
func ReserveProcs(n int) int {
	procs := runtime.GOMAXPROCS(0)
	if n <= 0 || os.Getenv("GOMAXPROCS") != "" {
		return procs
	}
	runtime.GOMAXPROCS(procs + n)
	return procs + n
}
