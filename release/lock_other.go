//go:build !unix

package release

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked is returned by Create when another ingest holds the release root.
var ErrLocked = errors.New("release root is locked by another ingest")

// rootLock on systems without flock is an exclusively created file. Unlike flock it survives
// a crash, and then has to be removed by hand; the error says so.
type rootLock struct{ path string }

func lockRoot(path string) (*rootLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("release: %s exists: %w (remove it if no ingest is running)", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("release: lock %s: %w", path, err)
	}
	f.Close()
	return &rootLock{path: path}, nil
}

func (l *rootLock) unlock() error {
	if l == nil || l.path == "" {
		return nil
	}
	err := os.Remove(l.path)
	l.path = ""
	return err
}
