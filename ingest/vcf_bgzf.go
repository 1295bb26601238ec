package ingest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"sync"

	"github.com/klauspost/compress/flate"
)

// bgzfReader inflates BGZF (bgzip) text block-parallel. BGZF is a series of gzip members
// of at most 64 KiB each, whose header says the member's size (SAM/BAM specification §4.1),
// so one goroutine cuts the file into batches of whole members without inflating them,
// GOMAXPROCS workers inflate the batches (klauspost/compress/flate, about a third cheaper
// than the standard library's inflate that biogo/hts/bgzf uses), and Read hands out the
// text in file order. A plain gzip file is one member and cannot be split this way.
type bgzfReader struct {
	ordered chan *bgzfBatch // batches in file order, maybe not inflated yet
	free    chan *bgzfBatch
	stop    chan struct{}
	wg      sync.WaitGroup
	cur     *bgzfBatch
	off     int
	err     error
	once    sync.Once
}

// bgzfBatch is a run of whole BGZF members and, once a worker is done, their text.
type bgzfBatch struct {
	raw     []byte
	members []bgzfMember
	offset  int64 // file offset of the first member, for errors
	text    []byte
	err     error
	done    chan struct{}
}

// bgzfMember locates one member's deflate data in bgzfBatch.raw.
type bgzfMember struct {
	start, end int    // the deflate data
	crc, size  uint32 // CRC32 and length of its text
}

// bgzfBatchMembers is how many members (up to 64 KiB of text each) a worker inflates at
// once: enough to amortise the hand-offs.
const bgzfBatchMembers = 16

// newBGZFReader starts reading BGZF from r with workers inflating goroutines.
func newBGZFReader(r *bufio.Reader, workers int) *bgzfReader {
	workers = max(workers, 1)
	inflight := 2*workers + 2
	b := &bgzfReader{
		ordered: make(chan *bgzfBatch, inflight),
		free:    make(chan *bgzfBatch, inflight+1),
		stop:    make(chan struct{}),
	}
	for range inflight + 1 {
		b.free <- &bgzfBatch{}
	}
	jobs := make(chan *bgzfBatch, inflight)
	b.wg.Add(1 + workers)
	go func() {
		defer b.wg.Done()
		defer close(jobs)
		defer close(b.ordered)
		var offset int64
		for {
			var bt *bgzfBatch
			select {
			case bt = <-b.free:
			case <-b.stop:
				return
			}
			bt.done = make(chan struct{})
			n, err := bt.cut(r, offset)
			offset += int64(n)
			if err != nil {
				bt.err = err
				close(bt.done)
			}
			if len(bt.members) == 0 && err == nil {
				return // end of the file
			}
			select {
			case b.ordered <- bt:
			case <-b.stop:
				return
			}
			if err != nil {
				return
			}
			select {
			case jobs <- bt:
			case <-b.stop:
				close(bt.done)
				return
			}
		}
	}()
	for range workers {
		go func() {
			defer b.wg.Done()
			var z io.ReadCloser
			src := bytes.NewReader(nil)
			for bt := range jobs {
				bt.err = bt.inflate(&z, src)
				close(bt.done)
			}
		}()
	}
	return b
}

// cut reads up to bgzfBatchMembers whole members from r into bt. It returns the bytes read.
func (bt *bgzfBatch) cut(r *bufio.Reader, offset int64) (int, error) {
	bt.raw, bt.members, bt.text, bt.err, bt.offset = bt.raw[:0], bt.members[:0], bt.text[:0], nil, offset
	for len(bt.members) < bgzfBatchMembers {
		at := offset + int64(len(bt.raw))
		h, err := r.Peek(18)
		if len(h) == 0 && errors.Is(err, io.EOF) {
			return len(bt.raw), nil
		}
		if len(h) < 12 {
			return len(bt.raw), fmt.Errorf("bgzf: truncated block header at byte %d", at)
		}
		if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || h[3]&4 == 0 {
			return len(bt.raw), fmt.Errorf("bgzf: no gzip member with extra fields at byte %d (a gzip file appended to BGZF?)", at)
		}
		xlen := int(binary.LittleEndian.Uint16(h[10:12]))
		head, err := r.Peek(12 + xlen)
		if err != nil {
			return len(bt.raw), fmt.Errorf("bgzf: truncated block header at byte %d", at)
		}
		bsize := -1
		for x := head[12:]; len(x) >= 4; {
			sl := int(binary.LittleEndian.Uint16(x[2:4]))
			if x[0] == 'B' && x[1] == 'C' && sl == 2 && len(x) >= 6 {
				bsize = int(binary.LittleEndian.Uint16(x[4:6])) + 1
				break
			}
			x = x[min(4+sl, len(x)):]
		}
		if bsize < 12+xlen+8 {
			return len(bt.raw), fmt.Errorf("bgzf: block at byte %d has no valid BC (block size) field", at)
		}
		start := len(bt.raw)
		bt.raw = slices.Grow(bt.raw, bsize)[:start+bsize] // no clearing: ReadFull fills it
		if _, err := io.ReadFull(r, bt.raw[start:]); err != nil {
			return len(bt.raw), fmt.Errorf("bgzf: block at byte %d: %w", at, io.ErrUnexpectedEOF)
		}
		blk := bt.raw[start:]
		if size := binary.LittleEndian.Uint32(blk[bsize-4:]); size > 1<<16 {
			return len(bt.raw), fmt.Errorf("bgzf: block at byte %d says it holds %d bytes of text, more than BGZF's 64 KiB", at, size)
		}
		bt.members = append(bt.members, bgzfMember{
			start: start + 12 + xlen, end: start + bsize - 8,
			crc: binary.LittleEndian.Uint32(blk[bsize-8:]), size: binary.LittleEndian.Uint32(blk[bsize-4:]),
		})
	}
	return len(bt.raw), nil
}

// inflate inflates bt's members into bt.text and checks their lengths and CRC32s.
func (bt *bgzfBatch) inflate(z *io.ReadCloser, src *bytes.Reader) error {
	total := 0
	for _, m := range bt.members {
		total += int(m.size)
	}
	// Capacity for all of the text without clearing it: every byte is inflated into, and
	// a member that inflates short is an error.
	bt.text = slices.Grow(bt.text[:0], total)
	for _, m := range bt.members {
		src.Reset(bt.raw[m.start:m.end])
		if *z == nil {
			*z = flate.NewReader(src)
		} else if err := (*z).(flate.Resetter).Reset(src, nil); err != nil {
			return err
		}
		at := len(bt.text)
		out := bt.text[at : at+int(m.size)]
		n, err := io.ReadFull(*z, out)
		if err != nil && !(errors.Is(err, io.EOF) && n == 0 && m.size == 0) {
			return fmt.Errorf("bgzf: block at byte %d and on: %w", bt.offset, err)
		}
		// The member must end where its header said.
		var one [1]byte
		if k, err := (*z).Read(one[:]); k != 0 || !errors.Is(err, io.EOF) {
			return fmt.Errorf("bgzf: block at byte %d and on: more text than its header says", bt.offset)
		}
		if crc32.ChecksumIEEE(out) != m.crc {
			return fmt.Errorf("bgzf: block at byte %d and on: CRC32 mismatch", bt.offset)
		}
		bt.text = bt.text[:at+int(m.size)]
	}
	return nil
}

// Read returns the text in file order.
func (b *bgzfReader) Read(p []byte) (int, error) {
	for b.cur == nil || b.off == len(b.cur.text) {
		if b.err != nil {
			return 0, b.err
		}
		if b.cur != nil {
			b.free <- b.cur
			b.cur = nil
		}
		bt, ok := <-b.ordered
		if !ok {
			b.err = io.EOF
			return 0, io.EOF
		}
		<-bt.done
		if bt.err != nil {
			b.err = bt.err
			return 0, bt.err
		}
		b.cur, b.off = bt, 0
	}
	n := copy(p, b.cur.text[b.off:])
	b.off += n
	return n, nil
}

// Close stops the goroutines; it may be called more than once.
func (b *bgzfReader) Close() error {
	b.once.Do(func() {
		close(b.stop)
		for bt := range b.ordered {
			<-bt.done
		}
		b.wg.Wait()
	})
	return nil
}
