package suite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/bench/load"
	"github.com/bitbeacon/bitbeacon/bench/workload"
)

// The memory target (10^7 variants × 2,504 samples served within 4 GiB, docs/benchmarks.md) is
// measured by serving the release the way a deployment would: `bitbeacon serve` as a process
// of its own, started inside a memory cgroup with that limit, driven with the mix over
// loopback. The cgroup charges the process's heap and the page cache of the index files it
// maps; the kernel reclaims those pages to stay under the limit, so what the figures show is
// whether the queries' working set fits, not how large the files are (a process's RSS counts
// every mapped page it has touched, and the checksums at start touch them all).

// ServeLimitResult is the serve-under-a-memory-limit step of one scale.
type ServeLimitResult struct {
	LimitBytes int64  `json:"limitBytes"`
	Cgroup     string `json:"cgroup"` // "v1" or "v2"
	// Ready is from starting the process until it answers /info.
	Ready time.Duration `json:"readyNs"`
	// PeakBytes is the cgroup's highest charge (heap and page cache), Failcnt how often the
	// limit was hit (v1: memory.failcnt, v2: the "max" events) and OOMKills its OOM kills.
	PeakBytes int64 `json:"peakBytes"`
	Failcnt   int64 `json:"failcnt"`
	OOMKills  int64 `json:"oomKills"`
	// RSSAnon and RSSFile are the server's resident memory after the mix: its own
	// (heap, stacks) and the mapped index files' pages.
	RSSAnon int64       `json:"rssAnonBytes"`
	RSSFile int64       `json:"rssFileBytes"`
	HTTP    []HTTPLevel `json:"http"`
}

// memCgroup is a memory cgroup made for one measurement.
type memCgroup struct {
	dir     string
	version string
}

// errNoCgroup says no memory cgroup can be made on this machine: the step is skipped.
var errNoCgroup = errors.New("no memory cgroup can be made here")

// newMemCgroup creates a memory cgroup limited to limit bytes, v2 where the memory controller
// is enabled for the root's children, else v1; errNoCgroup says why neither can be made here
// (not root, no memory controller, a read-only cgroup file system).
func newMemCgroup(limit int64) (*memCgroup, error) {
	name := fmt.Sprintf("bitbeacon-bench-%d", os.Getpid())
	var tried []string
	if c, err := os.ReadFile("/sys/fs/cgroup/cgroup.subtree_control"); err == nil && strings.Contains(string(c), "memory") {
		cg := &memCgroup{dir: filepath.Join("/sys/fs/cgroup", name), version: "v2"}
		if err := cg.create("memory.max", limit); err == nil {
			return cg, nil
		} else {
			tried = append(tried, "v2: "+err.Error())
		}
	} else {
		tried = append(tried, "v2: the memory controller is not enabled at /sys/fs/cgroup")
	}
	cg := &memCgroup{dir: filepath.Join("/sys/fs/cgroup/memory", name), version: "v1"}
	if err := cg.create("memory.limit_in_bytes", limit); err != nil {
		tried = append(tried, "v1: "+err.Error())
		return nil, fmt.Errorf("%w (%s)", errNoCgroup, strings.Join(tried, "; "))
	}
	return cg, nil
}

func (cg *memCgroup) create(limitFile string, limit int64) error {
	if err := os.Mkdir(cg.dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cg.dir, limitFile), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
		os.Remove(cg.dir)
		return err
	}
	return nil
}

// read returns a number from one of the cgroup's files (0 when missing), or the value of
// key in a "key value" file.
func (cg *memCgroup) read(file, key string) int64 {
	b, err := os.ReadFile(filepath.Join(cg.dir, file))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		switch {
		case key == "" && len(f) == 1:
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n
		case len(f) == 2 && f[0] == key:
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// remove deletes the cgroup once its processes have exited.
func (cg *memCgroup) remove() {
	for range 50 {
		if err := os.Remove(cg.dir); err == nil || errors.Is(err, fs.ErrNotExist) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// measureServeLimit runs `bin serve --data release` inside a cgroup limited to cfg's
// ServeMemoryLimit and drives it with the mix's count and record groups at each connection
// count.
func measureServeLimit(ctx context.Context, cfg *Config, release string, mix *workload.Mix) (*ServeLimitResult, error) {
	cg, err := newMemCgroup(cfg.ServeMemoryLimit)
	if err != nil {
		return nil, err
	}
	defer cg.remove()
	res := &ServeLimitResult{LimitBytes: cfg.ServeMemoryLimit, Cgroup: cg.version}

	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	// The shell joins the cgroup, then becomes the server: every page the server maps or
	// allocates, from its first, is charged to the cgroup.
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `echo $$ > "$1/cgroup.procs" && exec "$2" serve --data "$3" --listen "$4"`,
		"sh", cg.dir, cfg.ServeBinary, release, addr)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{}) // closed when the server has exited, waitErr set
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	if err := waitReady(ctx, addr, exited, &waitErr); err != nil {
		stop()
		return nil, fmt.Errorf("serve in a %s cgroup: %w: %s", bytesText(cfg.ServeMemoryLimit), err, lastLine(stderr.String()))
	}
	res.Ready = time.Since(t0)

	groups := map[string][]load.Request{}
	for _, q := range mix.Queries {
		g, ok := loadGroup(&q)
		if !ok {
			continue
		}
		groups[g] = append(groups[g], load.Request{Kind: q.Kind, Method: fasthttp.MethodPost, URI: q.Path, Body: q.Body})
	}
	for _, conns := range cfg.Conns {
		for _, g := range []string{GroupCount, GroupRecord} {
			opt := load.Options{Conns: conns, Duration: cfg.Duration, Warmup: cfg.Warmup}
			r, err := load.Run(ctx, addr, groups[g], opt)
			if err == nil && r.Errors > 0 {
				err = fmt.Errorf("%d errors, first: %s", r.Errors, r.FirstErr)
			}
			if err != nil {
				stop()
				return res, fmt.Errorf("serve in a %s cgroup: %s at %d connections: %w", bytesText(cfg.ServeMemoryLimit), g, conns, err)
			}
			cfg.Log.Info("bench: http under a memory limit", "group", g, "conns", conns, "qps", int(r.QPS), "p99", r.Overall.P99.Round(time.Microsecond))
			res.HTTP = append(res.HTTP, HTTPLevel{Group: g, Result: *r})
		}
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	res.RSSAnon, res.RSSFile = procBytes(status, "RssAnon"), procBytes(status, "RssFile")
	if cg.version == "v1" {
		res.PeakBytes, res.Failcnt = cg.read("memory.max_usage_in_bytes", ""), cg.read("memory.failcnt", "")
		res.OOMKills = cg.read("memory.oom_control", "oom_kill")
	} else {
		res.PeakBytes, res.Failcnt = cg.read("memory.peak", ""), cg.read("memory.events", "max")
		res.OOMKills = cg.read("memory.events", "oom_kill")
	}
	stop()
	return res, nil
}

// freeLoopbackAddr returns a loopback address with a port free a moment ago.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady polls /info until it answers 200, the process exits (exited closed, its error
// in *waitErr) or two minutes pass.
func waitReady(ctx context.Context, addr string, exited <-chan struct{}, waitErr *error) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("the server exited before answering: %v", *waitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		status, _, err := fasthttp.GetTimeout(nil, "http://"+addr+"/info", time.Second)
		if err == nil && status == fasthttp.StatusOK {
			return nil
		}
	}
	return errors.New("no answer from /info within two minutes")
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func bytesText(n int64) string { return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)) }
