//go:build !unix

package ingest

import "time"

// processCPU is not measured here: cpu-us/line is not reported.
func processCPU() time.Duration { return 0 }
