package engine

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"unsafe"

	"github.com/bitbeacon/bitbeacon/index"
)

// A build from Parquet writes the parts of the variant table that grow with the variants
// and their genotype calls and are written once, in row order — the record JSON and ids,
// the carrier lists and the zygosity codes — to temporary files instead of growing them on
// the Go heap, and maps the files read-only when the build ends. At 10^7 variants × 2,504
// samples they are about 9 GB: as slices they doubled while growing and were copied once
// more when trimmed, and the build did not fit in 24 GiB. Mapped, they are page cache the
// kernel can write back and evict, and an index file is written from them by a sequential
// copy. The files are unlinked as soon as they are created (on systems that allow it), so
// nothing is left behind by a crash after that; the mapping keeps their pages. A kill
// between the create and the unlink leaves one: the next index build removes those beside
// the index files (removeIndexLeftovers), as TestKillNineIngestAndIndex found.

// spillFilePrefix starts the name of every spill file.
const spillFilePrefix = ".bitbeacon-build-"

// spiller creates the spill files of one build in dir, mapping them into mp.
type spiller struct {
	dir   string
	mp    *mapping
	err   error // the first error of any of its files
	files []*spillFile
}

func newSpiller(dir string, mp *mapping) *spiller { return &spiller{dir: dir, mp: mp} }

// abort closes the files not finished (a build given up).
func (sp *spiller) abort() {
	for _, sf := range sp.files {
		sf.close()
	}
	sp.files = nil
}

// spillFile is one spill file being written.
type spillFile struct {
	sp   *spiller
	name string
	f    *os.File
	w    *bufio.Writer
	n    int64
}

// create starts a spill file; errors surface at finish.
func (sp *spiller) create(what string) *spillFile {
	sf := &spillFile{sp: sp, name: what}
	if sp.err != nil {
		return sf
	}
	f, err := os.CreateTemp(sp.dir, spillFilePrefix+what+"-*")
	if err != nil {
		sp.fail(fmt.Errorf("spill file for %s: %w", what, err))
		return sf
	}
	if removeWhileOpen {
		_ = os.Remove(f.Name())
	}
	sf.f, sf.w = f, bufio.NewWriterSize(f, 1<<20)
	sp.files = append(sp.files, sf)
	return sf
}

func (sp *spiller) fail(err error) {
	if sp.err == nil {
		sp.err = err
	}
}

// write appends p.
func (sf *spillFile) write(p []byte) {
	if sf.w == nil || sf.sp.err != nil {
		sf.n += int64(len(p))
		return
	}
	if _, err := sf.w.Write(p); err != nil {
		sf.sp.fail(fmt.Errorf("spill file for %s: %w", sf.name, err))
	}
	sf.n += int64(len(p))
}

// Write appends p (io.Writer; errors surface at finish).
func (sf *spillFile) Write(p []byte) (int, error) {
	sf.write(p)
	return len(p), nil
}

// The index builders spill through index.Spill (their postings, index/postingsspill.go).
var _ index.Spill = indexSpill{}

type indexSpill struct{ sp *spiller }

func (s indexSpill) Create(what string) index.SpillFile { return s.sp.create(what) }
func (s indexSpill) Fail(err error)                     { s.sp.fail(err) }
func (s indexSpill) Drop()                              { s.sp.mp.dropAll() }

// Size, ReadBack, Map and Close make a spill file an index.SpillFile.
func (sf *spillFile) Size() int64                    { return sf.n }
func (sf *spillFile) ReadBack() (io.ReaderAt, error) { return sf.readBack() }
func (sf *spillFile) Map() ([]byte, error)           { return sf.finish() }
func (sf *spillFile) Close()                         { sf.close() }

// readBack flushes the file and returns it for reading (nothing is written to it after);
// the spiller's first error when it cannot.
func (sf *spillFile) readBack() (io.ReaderAt, error) {
	sp := sf.sp
	if sp.err != nil {
		return nil, sp.err
	}
	if sf.f == nil {
		return nil, fmt.Errorf("spill file for %s: closed", sf.name)
	}
	if err := sf.w.Flush(); err != nil {
		sp.fail(fmt.Errorf("spill file for %s: %w", sf.name, err))
		return nil, sp.err
	}
	return sf.f, nil
}

func (sf *spillFile) writeString(s string) {
	sf.write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// finish flushes the file and maps it; its bytes stay valid until the spiller's mapping is
// unmapped. An empty file maps to nil.
func (sf *spillFile) finish() ([]byte, error) {
	sp := sf.sp
	if sf.f == nil {
		return nil, sp.err
	}
	defer sf.close()
	if sp.err != nil {
		return nil, sp.err
	}
	if err := sf.w.Flush(); err != nil {
		sp.fail(fmt.Errorf("spill file for %s: %w", sf.name, err))
		return nil, sp.err
	}
	if sf.n == 0 {
		return nil, nil
	}
	b, err := sp.mp.mapOpen(sf.f, sf.f.Name(), sf.n)
	if err != nil {
		sp.fail(fmt.Errorf("spill file for %s: %w", sf.name, err))
		return nil, sp.err
	}
	return b, nil
}

// close closes and removes the file (its map, if any, lives on).
func (sf *spillFile) close() {
	if sf.f == nil {
		return
	}
	sf.f.Close()
	if !removeWhileOpen {
		os.Remove(sf.f.Name())
	}
	sf.f, sf.w = nil, nil
}

// spillArray appends the memory image of s (the layout index files use).
func spillArray[T uint16 | uint32 | uint64 | int64 | byte](sf *spillFile, s []T) {
	var z T
	sf.write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z))))
}

// mappedArray views mapped bytes (page-aligned) as an array of T.
func mappedArray[T uint16 | uint32 | uint64 | int64](b []byte) []T {
	var z T
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(z)))
}

// spilledArray is an array of numbers, one a variant, appended to a spill file (through a
// small buffer) instead of grown on the heap, and mapped when built: the coordinates and
// the carrier list offsets were 24 bytes a variant of heap, twice that with the garbage
// collector's headroom.
type spilledArray[T uint32 | uint64 | int64] struct {
	f   *spillFile
	buf []T
}

// spillArrayOf starts a spilled array (what names its file).
func spillArrayOf[T uint32 | uint64 | int64](sp *spiller, what string) *spilledArray[T] {
	return &spilledArray[T]{f: sp.create(what), buf: make([]T, 0, 4096)}
}

func (a *spilledArray[T]) add(v T) {
	if len(a.buf) == cap(a.buf) {
		spillArray(a.f, a.buf)
		a.buf = a.buf[:0]
	}
	a.buf = append(a.buf, v)
}

// addAll appends vs.
func (a *spilledArray[T]) addAll(vs []T) {
	spillArray(a.f, a.buf)
	a.buf = a.buf[:0]
	spillArray(a.f, vs)
}

// build maps the array; it is empty (not nil) when nothing was added.
func (a *spilledArray[T]) build() ([]T, error) {
	spillArray(a.f, a.buf)
	a.buf = nil
	b, err := a.f.finish()
	if err != nil {
		return nil, err
	}
	if s := mappedArray[T](b); s != nil {
		return s, nil
	}
	return []T{}, nil
}

// spilledStrings is an index.StringsBuilder whose blob and offsets both go to spill files:
// nothing of it grows on the heap. Kept there, the offsets alone were 8 bytes a string,
// 32 a variant (its id, record, reference and alternate bases), and twice that with the
// garbage collector's headroom: 640 MB of a 10^7 build's peak.
type spilledStrings struct {
	f, offs *spillFile
	n       uint64 // bytes of the blob
}

// strings starts a list of strings in two spill files (what names them).
func (sp *spiller) strings(what string) *spilledStrings {
	s := &spilledStrings{f: sp.create(what), offs: sp.create(what + "-offsets")}
	s.addOffset(0) // n strings have n+1 offsets, from 0
	return s
}

func (s *spilledStrings) Add(str string) {
	s.f.writeString(str)
	s.addOffset(len(str))
}

func (s *spilledStrings) AddBytes(p []byte) {
	s.f.write(p)
	s.addOffset(len(p))
}

// AddAll appends every string of l: its blob in one write, its offsets shifted.
func (s *spilledStrings) AddAll(l index.Strings) {
	data, offs := l.Raw()
	if len(offs) < 2 {
		return
	}
	s.f.writeString(data)
	buf := make([]uint64, 0, 4096)
	for _, o := range offs[1:] {
		if len(buf) == cap(buf) {
			spillArray(s.offs, buf)
			buf = buf[:0]
		}
		buf = append(buf, s.n+o)
	}
	spillArray(s.offs, buf)
	s.n += uint64(len(data))
}

func (s *spilledStrings) addOffset(n int) {
	var b [8]byte
	s.n += uint64(n)
	binary.LittleEndian.PutUint64(b[:], s.n)
	s.offs.write(b[:])
}

// build maps the blob and the offsets and returns the list.
func (s *spilledStrings) build() (index.Strings, error) {
	data, err := s.f.finish()
	if err != nil {
		return index.Strings{}, err
	}
	offs, err := s.offs.finish()
	if err != nil {
		return index.Strings{}, err
	}
	return index.StringsFrom(unsafe.String(unsafe.SliceData(data), len(data)), mappedArray[uint64](offs))
}
