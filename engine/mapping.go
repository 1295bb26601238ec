package engine

import (
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"time"
)

// mapping is the read-only memory maps of one snapshot's index files. Slices of the
// snapshot point into them, so they must outlive every query of the snapshot.
//
// Lifetime: a snapshot is never unmapped while reachable; once the garbage collector finds it
// unreachable (swapped out by Reload and no request holds it), a cleanup unmaps it after
// unmapGrace. The grace covers values a request may still hold after dropping its snapshot
// pointer (a record's bytes being written out); no request runs that long. Reference counting
// would need every caller to release the snapshot, which the API does not do.
type mapping struct {
	mu    sync.Mutex
	files map[string][]byte
}

// unmapGrace is how long an unreachable snapshot's files stay mapped.
const unmapGrace = time.Minute

// mapFile maps path read-only and returns what the open file's stat said (the state of the
// very file mapped, whatever its name points to later); an empty file maps to an empty slice.
func (m *mapping) mapFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() == 0 {
		return []byte{}, st, nil
	}
	b, err := m.mapOpen(f, path, st.Size())
	return b, st, err
}

// mapOpen maps the first size bytes of the open file f (named name) read-only; the map
// outlives f.
func (m *mapping) mapOpen(f *os.File, name string, size int64) ([]byte, error) {
	if int64(int(size)) != size {
		return nil, fmt.Errorf("%s: %d bytes do not fit the address space", name, size)
	}
	b, err := mapReadOnly(f, int(size))
	if err != nil {
		return nil, fmt.Errorf("mmap %s: %w", name, err)
	}
	m.mu.Lock()
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	m.files[name] = b
	m.mu.Unlock()
	return b, nil
}

// unmap releases every map. Nothing may use them afterwards.
func (m *mapping) unmap() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for p, b := range m.files {
		_ = unmapBytes(b)
		delete(m.files, p)
	}
}

// unmapWhenUnreachable arranges for m to be unmapped unmapGrace after s becomes unreachable.
func unmapWhenUnreachable(s *Snapshot, m *mapping) {
	runtime.AddCleanup(s, func(m *mapping) { time.AfterFunc(unmapGrace, m.unmap) }, m)
}
