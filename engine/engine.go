package engine

import (
	"sync"
	"sync/atomic"

	"github.com/bitbeacon/bitbeacon/release"
)

// Engine serves queries from the current Snapshot and swaps in a new release without
// stopping: requests already holding the old snapshot finish on it.
type Engine struct {
	dir     string
	opts    Options
	current atomic.Pointer[Snapshot]
	mu      sync.Mutex // serialises reloads
}

// NewEngine loads the current release under dir; opts serve its reloads too.
func NewEngine(dir string, opts Options) (*Engine, error) {
	s, err := Open(dir, opts)
	if err != nil {
		return nil, err
	}
	e := &Engine{dir: dir, opts: opts}
	e.current.Store(s)
	return e, nil
}

// Close unmaps the current snapshot's files now, instead of when the garbage collector finds
// the snapshot unreachable. Nothing may use the engine, or anything taken from it, during or
// after Close: it is for a process done with the release (a benchmark handing its files to
// another process, which must fault their pages in itself).
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.current.Swap(nil)
	if s == nil {
		return
	}
	if s.mapping != nil {
		s.mapping.unmap()
	}
	if s.spilled != nil {
		s.spilled.unmap()
	}
}

// Snapshot returns the snapshot to answer one request with.
func (e *Engine) Snapshot() *Snapshot { return e.current.Load() }

// Reload loads the release that is current on disk now and swaps it in if it differs from
// the one serving (a rollback of CURRENT is honoured too). On error the old snapshot keeps
// serving.
func (e *Engine) Reload() (swapped bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	// The same release still current: done, without mapping or building it again (a
	// --watch poll runs this every few seconds).
	if r, err := release.OpenUnverified(e.dir); err == nil {
		if old := e.current.Load(); old != nil && old.ReleaseID == r.Manifest().ReleaseID && old.Dir == r.Dir() {
			return false, nil
		}
	}
	s, err := Open(e.dir, e.opts)
	if err != nil {
		return false, err
	}
	if old := e.current.Load(); old != nil && old.ReleaseID == s.ReleaseID && old.Dir == s.Dir {
		return false, nil
	}
	e.current.Store(s)
	return true, nil
}
