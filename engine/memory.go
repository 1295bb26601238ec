package engine

// MappedBytes is the size of the index and spill files the snapshot maps: the index memory
// the operating system pages in on demand (the heap is in the Go runtime's metrics).
func (s *Snapshot) MappedBytes() int64 {
	var n int64
	for _, m := range []*mapping{s.mapping, s.spilled} {
		if m == nil {
			continue
		}
		m.mu.Lock()
		for _, b := range m.files {
			n += int64(len(b))
		}
		m.mu.Unlock()
	}
	return n
}
