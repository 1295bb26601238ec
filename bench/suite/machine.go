package suite

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Machine describes where the figures were measured; they mean little without it.
type Machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	MemBytes  int64  `json:"memBytes"`
	OS        string `json:"os"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"goVersion"`
	Revision  string `json:"revision,omitempty"` // VCS revision of the binary, when built from a checkout
	Hostname  string `json:"hostname"`
}

func describeMachine() Machine {
	m := Machine{
		Cores:     runtime.NumCPU(),
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		GoVersion: runtime.Version(),
		CPU:       procField("/proc/cpuinfo", "model name"),
	}
	m.Hostname, _ = os.Hostname()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.MemBytes = procBytes("/proc/meminfo", "MemTotal")
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				m.Revision = s.Value
			}
			if s.Key == "vcs.modified" && s.Value == "true" {
				m.Revision += "+dirty"
			}
		}
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc file, or "".
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// rssBytes is the process's resident set (VmRSS), or 0 where /proc is missing.
func rssBytes() int64 { return procBytes("/proc/self/status", "VmRSS") }

// availableMemory is MemAvailable of /proc/meminfo, 0 where unknown.
func availableMemory() uint64 { return uint64(procBytes("/proc/meminfo", "MemAvailable")) }

// procBytes reads a "key: N kB" line of a /proc file as bytes, 0 when absent.
func procBytes(path, key string) int64 {
	v := procField(path, key)
	if v == "" {
		return 0
	}
	kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
	return kb << 10
}
