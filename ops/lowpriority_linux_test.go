package ops

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// threadNice reads the calling thread's nice value (field 19 of /proc/thread-self/stat).
func threadNice(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/thread-self/stat")
	if err != nil {
		t.Fatal(err)
	}
	// The command name (field 2) may hold spaces; the fields after its ')' are plain.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	n, err := strconv.Atoi(fields[19-3])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// f runs at nice 19 on its own thread; the caller's thread keeps its priority, and a panic
// in f reaches the caller.
func TestRunLowPriority(t *testing.T) {
	before := threadNice(t)
	inside := -100
	RunLowPriority(func() { inside = threadNice(t) })
	if inside != 19 {
		t.Errorf("f ran at nice %d, want 19", inside)
	}
	if after := threadNice(t); after != before {
		t.Errorf("the caller's thread went from nice %d to %d", before, after)
	}
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("recovered %v, want f's panic", p)
		}
	}()
	RunLowPriority(func() { panic("boom") })
	t.Error("RunLowPriority returned after f panicked")
}
