//go:build unix

package release

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrLocked is returned by Create when another ingest holds the release root.
var ErrLocked = errors.New("release root is locked by another ingest")

// rootLock is an exclusive flock on root/LOCK. The kernel drops it when the process dies, so
// a crashed ingest never leaves the root locked.
type rootLock struct{ f *os.File }

func lockRoot(path string) (*rootLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("release: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("release: %s is held: %w; wait for the other ingest to finish", path, ErrLocked)
		}
		return nil, fmt.Errorf("release: lock %s: %w", path, err)
	}
	return &rootLock{f: f}, nil
}

func (l *rootLock) unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}
