// Package sibling finds the project's other executables: each command looks for the
// binaries it runs (bitbeacon-bench, bitbeacon-compare, bitbeacon) beside itself first, as
// `make build` and `make bench` put them, then on PATH.
package sibling

import (
	"os"
	"os/exec"
	"path/filepath"
)

// Find returns the executable name beside the running binary, else on PATH, else "".
func Find(name string) string {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return ""
}
