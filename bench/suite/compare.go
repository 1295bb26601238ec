package suite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/bitbeacon/bitbeacon/bench/compare/results"
	"github.com/bitbeacon/bitbeacon/bench/workload"
)

// CompareResult is the comparator binary's output (bench/cmd/bitbeacon-compare).
type CompareResult = results.Results

// AnswerCheck compares bitbeacon's answer to a query with each comparator's.
type AnswerCheck struct {
	Bitbeacon Answer            `json:"bitbeacon"`
	Others    map[string]Answer `json:"others"`
	Errors    map[string]string `json:"errors,omitempty"`
	Match     bool              `json:"match"`
}

func (a AnswerCheck) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "bitbeacon exists=%v count=%d", a.Bitbeacon.Exists, a.Bitbeacon.Count)
	for _, e := range slices.Sorted(maps.Keys(a.Others)) {
		o := a.Others[e]
		fmt.Fprintf(&b, "; %s exists=%v count=%d", e, o.Exists, o.Count)
	}
	for e, msg := range a.Errors {
		fmt.Fprintf(&b, "; %s error: %s", e, msg)
	}
	return b.String()
}

// runCompare runs the comparator binary on the release and the mix and reads its results.
func runCompare(ctx context.Context, cfg *Config, releaseDir, mixPath, outPath string) (*CompareResult, error) {
	args := []string{"--release", releaseDir, "--workload", mixPath, "--out", outPath}
	if cfg.CompareEngines != "" {
		args = append(args, "--engines", cfg.CompareEngines)
	}
	if cfg.CompareRepeat > 0 {
		args = append(args, "--repeat", strconv.Itoa(cfg.CompareRepeat))
	}
	cmd := exec.CommandContext(ctx, cfg.CompareBin, args...)
	// On cancel, ask it to stop (it then shuts its PostgreSQL down) rather than kill it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", cfg.CompareBin, err, tail(stderr.Bytes(), 2000))
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		return nil, err
	}
	var r CompareResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", outPath, err)
	}
	return &r, nil
}

// checkAnswers puts bitbeacon's answer (measured in this process) beside each comparator's:
// the comparator checks too, but the report trusts only what it compared itself.
func checkAnswers(mix *workload.Mix, bb map[string]Answer, cr *CompareResult) map[string]AnswerCheck {
	out := map[string]AnswerCheck{}
	for _, q := range mix.Queries {
		out[q.Name] = AnswerCheck{Bitbeacon: bb[q.Name], Others: map[string]Answer{}, Match: true}
	}
	for _, qr := range cr.Queries {
		a, ok := out[qr.Name]
		if !ok {
			continue
		}
		if qr.Error != "" || qr.Answer == nil {
			if a.Errors == nil {
				a.Errors = map[string]string{}
			}
			a.Errors[qr.Engine] = qr.Error
			a.Match = false
		} else {
			o := Answer{Answer: *qr.Answer}
			a.Others[qr.Engine] = o
			b := a.Bitbeacon
			same := o.Exists == b.Exists && slices.Equal(o.IDs, b.IDs)
			if q := mixQuery(mix, qr.Name); q != nil && q.Granularity != "boolean" {
				same = same && o.Count == b.Count
			}
			a.Match = a.Match && same
		}
		out[qr.Name] = a
	}
	return out
}

func mixQuery(mix *workload.Mix, name string) *workload.Query {
	for i := range mix.Queries {
		if mix.Queries[i].Name == name {
			return &mix.Queries[i]
		}
	}
	return nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// WriteJSON writes v as indented JSON to path.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
