package suite

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"syscall"
	"time"

	"github.com/bitbeacon/bitbeacon/engine"
)

// indexBuild is one build of a release's index files.
type indexBuild struct {
	elapsed time.Duration
	// peakRSS is the build process's maximum resident set (getrusage ru_maxrss), what
	// /usr/bin/time reports; 0 when the build ran inside the suite's own process, whose
	// peak also holds everything measured before it.
	peakRSS int64
	// cpu is the build process's user and system time, 0 in process: on a shared machine
	// it moves less with the load than elapsed does.
	cpu time.Duration
}

// buildIndex writes the index files of the release at dir. With the bitbeacon binary it
// runs `bitbeacon index --data dir` as a process of its own, so that the report carries the
// build's own peak RSS at its default memory budget, as an operator's batch job would see
// it; without one it calls engine.WriteIndex in process.
func buildIndex(ctx context.Context, bin, dir string, log *slog.Logger) (indexBuild, error) {
	t0 := time.Now()
	if bin == "" {
		_, err := engine.WriteIndex(dir, engine.Options{Log: log})
		return indexBuild{elapsed: time.Since(t0)}, err
	}
	cmd := exec.CommandContext(ctx, bin, "index", "--data", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return indexBuild{}, fmt.Errorf("%s index: %w: %s", bin, err, tail(stderr.Bytes(), 500))
	}
	b := indexBuild{elapsed: time.Since(t0)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		b.peakRSS = int64(ru.Maxrss) << 10 // kilobytes on Linux
	}
	b.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return b, nil
}
