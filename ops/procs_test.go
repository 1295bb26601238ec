package ops

import (
	"runtime"
	"testing"
)

// The reservation adds its Ps once to what the process had, and a GOMAXPROCS from the
// environment is left as it is.
func TestReserveProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)

	t.Setenv("GOMAXPROCS", "")
	if got := ReserveProcs(2); got != before+2 || runtime.GOMAXPROCS(0) != before+2 {
		t.Errorf("ReserveProcs(2) = %d, GOMAXPROCS %d; want both %d", got, runtime.GOMAXPROCS(0), before+2)
	}
	if got := ReserveProcs(0); got != before+2 {
		t.Errorf("ReserveProcs(0) = %d, want %d unchanged", got, before+2)
	}

	runtime.GOMAXPROCS(before)
	t.Setenv("GOMAXPROCS", "1")
	if got := ReserveProcs(3); got != before || runtime.GOMAXPROCS(0) != before {
		t.Errorf("with GOMAXPROCS set, ReserveProcs(3) = %d, GOMAXPROCS %d; want %d kept", got, runtime.GOMAXPROCS(0), before)
	}
}
