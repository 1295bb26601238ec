package api

import (
	"fmt"
	"time"
)

// LimitsConfig bounds what one client or one request may take of the server, so that a
// hostile caller cannot exhaust descriptors, cores or memory for everyone else
// (docs/operations.md lists each limit and what a caller sees past it).
type LimitsConfig struct {
	// MaxConnections is the most connections open at once; past it a connection is answered
	// 503 and closed. 0: half the process's descriptor limit, at most 10,000.
	MaxConnections int `yaml:"maxConnections"`
	// MaxFilters is the most filters one request may carry (identical filters count once).
	MaxFilters int `yaml:"maxFilters"`
	// MaxParamLength is the longest value of one filter or request parameter, in bytes.
	MaxParamLength int `yaml:"maxParamLength"`
	// MaxBodyBytes is the largest POST body; past it the answer is 413.
	MaxBodyBytes int `yaml:"maxBodyBytes"`
	// MaxHeaderBytes is the largest request line plus headers (a GET's query string is in
	// it); past it the answer is 431.
	MaxHeaderBytes int `yaml:"maxHeaderBytes"`
	// RequestTimeout is the deadline of one query's evaluation; past it the answer is 503.
	RequestTimeout time.Duration `yaml:"requestTimeout"`
	// WorkBudget is how many rows one query's evaluation may touch; past it the answer
	// is 400. It bounds a request however fast the machine is.
	WorkBudget int64 `yaml:"workBudget"`
	// HeavyQueries is how many queries that have spent more than a small part of the budget
	// may evaluate at once; the others wait (within their deadline). 0: half the cores,
	// at least 1. It keeps hostile requests off the cores cheap requests run on.
	HeavyQueries int `yaml:"heavyQueries"`
}

// ServerConfig is how `bitbeacon serve` runs: where it listens and how it stops.
type ServerConfig struct {
	// Listen is the address to listen on; the --listen flag wins over it.
	Listen string `yaml:"listen"`
	// DrainPeriod is how long the server keeps answering after SIGTERM with /ready at 503,
	// for load balancers to take it out of rotation.
	DrainPeriod time.Duration `yaml:"drainPeriod"`
	// ShutdownTimeout bounds the wait for requests in flight after the drain period.
	ShutdownTimeout time.Duration `yaml:"shutdownTimeout"`
	// ReadTimeout bounds the reading of one request, headers and body, from its first byte:
	// a slow client (headers or body trickled in) holds its connection slot no longer, and
	// gets 408. The --read-timeout flag wins over it.
	ReadTimeout time.Duration `yaml:"readTimeout"`
	// WriteTimeout bounds the writing of one response to a client that does not read it.
	WriteTimeout time.Duration `yaml:"writeTimeout"`
	// IdleTimeout closes a keep-alive connection with no request for this long.
	IdleTimeout time.Duration `yaml:"idleTimeout"`
}

// DefaultLimits are the limits of a configuration that sets none.
func DefaultLimits() LimitsConfig {
	return LimitsConfig{
		MaxFilters:     64,
		MaxParamLength: 1024,
		MaxBodyBytes:   1 << 20,
		MaxHeaderBytes: 16 << 10,
		RequestTimeout: 10 * time.Second,
		WorkBudget:     200_000_000,
	}
}

// DefaultServer is the serve configuration of a file that sets none.
func DefaultServer() ServerConfig {
	return ServerConfig{DrainPeriod: 5 * time.Second, ShutdownTimeout: 30 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 60 * time.Second}
}

// validateOps checks the limits and server sections, filling zero values with defaults.
func (c *Config) validateOps(bad func(keys []string, format string, args ...any)) {
	d, ds := DefaultLimits(), DefaultServer()
	l := &c.Limits
	for _, f := range []struct {
		key string
		v   *int
		def int
	}{
		{"maxFilters", &l.MaxFilters, d.MaxFilters},
		{"maxParamLength", &l.MaxParamLength, d.MaxParamLength},
		{"maxBodyBytes", &l.MaxBodyBytes, d.MaxBodyBytes},
		{"maxHeaderBytes", &l.MaxHeaderBytes, d.MaxHeaderBytes},
		{"maxConnections", &l.MaxConnections, 0},
		{"heavyQueries", &l.HeavyQueries, 0},
	} {
		switch {
		case *f.v < 0:
			bad([]string{"limits", f.key}, "must not be negative, got %d", *f.v)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	if l.MaxHeaderBytes > 0 && l.MaxHeaderBytes < 1024 {
		bad([]string{"limits", "maxHeaderBytes"}, "must be at least 1024, got %d", l.MaxHeaderBytes)
	}
	if l.WorkBudget < 0 {
		bad([]string{"limits", "workBudget"}, "must not be negative, got %d", l.WorkBudget)
	} else if l.WorkBudget == 0 {
		l.WorkBudget = d.WorkBudget
	}
	for _, f := range []struct {
		keys []string
		v    *time.Duration
		def  time.Duration
	}{
		{[]string{"limits", "requestTimeout"}, &l.RequestTimeout, d.RequestTimeout},
		{[]string{"server", "drainPeriod"}, &c.Server.DrainPeriod, -1},
		{[]string{"server", "shutdownTimeout"}, &c.Server.ShutdownTimeout, ds.ShutdownTimeout},
		{[]string{"server", "readTimeout"}, &c.Server.ReadTimeout, ds.ReadTimeout},
		{[]string{"server", "writeTimeout"}, &c.Server.WriteTimeout, ds.WriteTimeout},
		{[]string{"server", "idleTimeout"}, &c.Server.IdleTimeout, ds.IdleTimeout},
	} {
		switch {
		case *f.v < 0:
			bad(f.keys, "must not be negative, got %s", *f.v)
		case *f.v == 0 && f.def >= 0:
			*f.v = f.def
		}
	}
}

// String shows the limits in a log line.
func (l LimitsConfig) String() string {
	return fmt.Sprintf("maxConnections=%d maxFilters=%d maxParamLength=%d maxBodyBytes=%d maxHeaderBytes=%d requestTimeout=%s workBudget=%d heavyQueries=%d",
		l.MaxConnections, l.MaxFilters, l.MaxParamLength, l.MaxBodyBytes, l.MaxHeaderBytes, l.RequestTimeout, l.WorkBudget, l.HeavyQueries)
}
