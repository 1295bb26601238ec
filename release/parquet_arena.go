package release

// arenaChunk is the size of an arena's chunks; a batch holds about batchBytes.
const arenaChunk = 1 << 20

// arena holds the bytes a batch copies. A value never straddles chunks, and a chunk is
// never reallocated while the batch refers to it.
type arena struct {
	cur   []byte
	used  [][]byte // earlier chunks of this batch
	spare [][]byte // chunks of earlier batches, for reuse
	w     arenaWriter
}

// grow makes room for n more bytes in cur.
func (a *arena) grow(n int) {
	if cap(a.cur)-len(a.cur) >= n {
		return
	}
	if a.cur != nil {
		a.used = append(a.used, a.cur)
	}
	if k := len(a.spare); n <= arenaChunk && k > 0 {
		a.cur, a.spare = a.spare[k-1][:0], a.spare[:k-1]
		return
	}
	a.cur = make([]byte, 0, max(n, arenaChunk))
}

func (a *arena) copy(p []byte) []byte {
	a.grow(len(p))
	s := len(a.cur)
	a.cur = append(a.cur, p...)
	return a.cur[s:len(a.cur):len(a.cur)]
}

// take returns a writer of a value of about n bytes; done returns the value written.
func (a *arena) take(n int) *arenaWriter {
	a.grow(n)
	a.w = arenaWriter{a: a, start: len(a.cur)}
	return &a.w
}

func (a *arena) done(w *arenaWriter) []byte {
	return a.cur[w.start:len(a.cur):len(a.cur)]
}

// arenaWriter appends to the arena's current chunk. Should the value outgrow the room
// reserved for it, append moves the value's bytes so far, never earlier values, which keep
// the old array.
type arenaWriter struct {
	a     *arena
	start int
}

func (w *arenaWriter) Write(p []byte) (int, error) {
	w.a.cur = append(w.a.cur, p...)
	return len(p), nil
}

func (a *arena) reset() {
	for _, c := range a.used {
		if cap(c) == arenaChunk {
			a.spare = append(a.spare, c[:0])
		}
	}
	clear(a.used)
	a.used = a.used[:0]
	a.cur = a.cur[:0]
}
