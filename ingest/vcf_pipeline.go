package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/bitbeacon/bitbeacon/release"
)

// The VCF reading pipeline: splitter, parsing workers and the in-order writer (see vcf.go).

// vcfChunk is a run of whole lines handed from the splitter to a worker and then, parsed,
// to the writer.
type vcfChunk struct {
	data      []byte
	firstLine int // line number of the first line in data
	done      chan struct{}

	// Filled by the worker.
	variants    []*release.Variant
	meta        []variantMeta // index-aligned with variants
	bad         []*LineError
	records     int
	calls       int64
	skippedAlts int
	contigs     map[string]int // unknown contigs
	effects     map[string]int // effect names without an SO id
}

// variantMeta is what merging needs to know of a variant beyond release.Variant.
type variantMeta struct {
	pos  int64 // POS of its line (the VCF sort key; start differs for symbolic ALTs)
	line int
}

// vcfStream is one VCF being read: its splitter and workers run ahead, next returns its
// variants in file order.
type vcfStream struct {
	st      *runState
	vf      *vcfFile
	sum     VCFSummary
	began   time.Time
	ctx     context.Context
	cancel  context.CancelFunc
	ordered chan *vcfChunk
	free    chan []byte
	split   chan error
	wg      sync.WaitGroup
	cur     *vcfChunk
	i       int
	contigs map[string]int
	effects map[string]int
	dup     dupCheck
}

// startVCF starts reading vf: a splitter goroutine and GOMAXPROCS parsers. chunk and
// inflight size the buffers (chunks in flight per file). vcfSamples must have run.
func (st *runState) startVCF(vf *vcfFile, chunk, inflight int) *vcfStream {
	s := &vcfStream{st: st, vf: vf, began: time.Now(), contigs: map[string]int{}, effects: map[string]int{},
		sum: VCFSummary{File: vf.path, Format: vf.in.format, Assembly: vf.assembly, AssemblyFrom: vf.assemblyFrom, Samples: len(vf.hdr.samples),
			UnmatchedSamples: vf.unmatched, UnmatchedExamples: vf.unmatchedExamples}}
	s.ctx, s.cancel = context.WithCancel(st.ctx)
	workers := max(runtime.GOMAXPROCS(0), 1)
	s.free = make(chan []byte, inflight+1)
	for range inflight + 1 {
		s.free <- make([]byte, chunk)
	}
	jobs := make(chan *vcfChunk, inflight)
	s.ordered = make(chan *vcfChunk, inflight)
	s.split = make(chan error, 1)
	ctx := s.ctx
	go func() {
		defer close(jobs)
		defer close(s.ordered)
		s.split <- splitLines(ctx, vf.in.Reader, vf.hdr.lines+1, s.free, func(c *vcfChunk) bool {
			select {
			case s.ordered <- c:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- c:
				return true
			case <-ctx.Done():
				close(c.done) // the writer drains ordered and waits for it
				return false
			}
		})
	}()
	for range workers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			p := newVCFParser(vf, st.datasetID, st.opts.SkipBadLines)
			for c := range jobs {
				if ctx.Err() == nil {
					p.parseChunk(c)
				}
				close(c.done)
			}
		}()
	}
	return s
}

// next returns the next variant of the file, nil at its end. A bad line is returned as
// its *LineError, unless --skip-bad-lines, which counts it.
func (s *vcfStream) next() (*release.Variant, variantMeta, error) {
	for s.cur == nil || s.i == len(s.cur.variants) {
		if s.cur != nil {
			s.cur.variants, s.cur.meta = nil, nil
			select {
			case s.free <- s.cur.data[:cap(s.cur.data)]:
			default: // the splitter made a larger buffer for a long line; this one can go
			}
			s.cur = nil
		}
		c, ok := <-s.ordered
		if !ok {
			if err := <-s.split; err != nil {
				return nil, variantMeta{}, fmt.Errorf("%s: %w", s.vf.path, err)
			}
			return nil, variantMeta{}, s.ctx.Err()
		}
		select {
		case <-c.done:
		case <-s.ctx.Done():
			return nil, variantMeta{}, s.ctx.Err()
		}
		for _, b := range c.bad {
			if !s.st.opts.SkipBadLines {
				return nil, variantMeta{}, b
			}
			s.sum.BadLines++
			if len(s.sum.FirstBadLines) < maxBadLineExamples {
				s.sum.FirstBadLines = append(s.sum.FirstBadLines, b.Error())
				s.st.log.Warn("bad VCF line skipped", "error", b.Error())
			}
		}
		s.sum.Variants += len(c.variants)
		s.sum.Records += c.records
		s.sum.Calls += c.calls
		s.sum.SkippedAlts += c.skippedAlts
		for k, n := range c.contigs {
			s.contigs[k] += n
		}
		for k, n := range c.effects {
			s.effects[k] += n
		}
		s.cur, s.i = c, 0
	}
	v, m := s.cur.variants[s.i], s.cur.meta[s.i]
	s.i++
	if s.dup.check(v) {
		s.st.warns.add(s.vf.path, -1, []Warning{{Field: "variantInternalId", Msg: fmt.Sprintf("%s appears more than once at this position of the file (copies are kept; with several VCFs, merged)", v.ID)}})
	}
	return v, m, nil
}

// stop ends the stream's goroutines and closes its input; it may be called more than once.
func (s *vcfStream) stop() {
	s.cancel()
	for c := range s.ordered { // drain so the splitter can exit
		<-c.done
	}
	s.wg.Wait()
	s.vf.in.Close()
}

// finish reports a stream read to its end: warnings, summary, log.
func (s *vcfStream) finish() {
	st, vf := s.st, s.vf
	for _, k := range sortedKeys(s.contigs) {
		st.warns.add(vf.path, -1, []Warning{{Field: "CHROM", Msg: fmt.Sprintf("contig %q is no primary chromosome of GRCh37/GRCh38: %d variants stored under that name", k, s.contigs[k])}})
	}
	if len(s.contigs) > 0 {
		s.sum.UnknownContigs = s.contigs
	}
	for _, k := range sortedKeys(s.effects) {
		st.warns.add(vf.path, -1, []Warning{{Field: "INFO/ANN", Msg: fmt.Sprintf("effect %q has no known Sequence Ontology id: left out of molecularEffects (%d annotations)", k, s.effects[k])}})
	}
	if s.sum.BadLines > 0 {
		st.warns.add(vf.path, -1, []Warning{{Field: "lines", Msg: fmt.Sprintf("%d bad lines skipped (--skip-bad-lines); first: %s", s.sum.BadLines, s.sum.FirstBadLines[0])}})
	}
	sum := &s.sum
	sum.Elapsed = time.Since(s.began)
	st.sum.BadLines += sum.BadLines
	st.sum.VCF = append(st.sum.VCF, *sum)
	secs := max(sum.Elapsed.Seconds(), 1e-9)
	st.log.Info("VCF ingested", "file", vf.path, "format", sum.Format, "assembly", sum.Assembly, "assemblyFrom", sum.AssemblyFrom,
		"samples", sum.Samples, "records", sum.Records, "variants", sum.Variants, "badLines", sum.BadLines,
		"elapsed", sum.Elapsed.Round(time.Millisecond), "linesPerSec", int(float64(sum.Records)/secs), "callsPerSec", int(float64(sum.Calls)/secs))
}

// ingestVCFs streams the run's VCFs through write (the dataset's WriteVariant); vcfSamples
// must have numbered their samples. One VCF is written in file order. Several are merged: each must be sorted by position (chromosomes
// 1..22, X, Y, MT, then other contigs), and a variant found in more than one file (the
// same variantInternalId, e.g. per-sample VCFs) is written once with the carriers of all.
func (st *runState) ingestVCFs(vcfs []*vcfFile, write func(*release.Variant) error) error {
	if len(vcfs) == 0 {
		return nil
	}
	chunk, inflight := vcfChunkSize, 2*max(runtime.GOMAXPROCS(0), 1)+2
	if len(vcfs) > 1 {
		// Every file is open at once: keep each one's buffers small.
		chunk, inflight = max(vcfChunkSize/len(vcfs), min(vcfChunkSize, 256<<10)), 3
	}
	streams := make([]*vcfStream, len(vcfs))
	for i, vf := range vcfs {
		streams[i] = st.startVCF(vf, chunk, inflight)
	}
	defer func() {
		for _, s := range streams {
			s.stop()
		}
	}()
	written := 0
	if len(streams) == 1 {
		s := streams[0]
		for {
			v, _, err := s.next()
			if err != nil {
				return err
			}
			if v == nil {
				break
			}
			if err := write(v); err != nil {
				return err
			}
			written++
		}
	} else {
		n, merged, err := mergeVCFStreams(streams, write)
		if err != nil {
			return err
		}
		written = n
		st.sum.VCFMerged += merged
		if merged > 0 {
			st.log.Info("VCF variants merged across files", "variants", merged)
		}
	}
	for _, s := range streams {
		s.finish()
	}
	st.sum.Variants += written
	return nil
}

// splitLines reads r in chunks of whole lines and hands each to emit, numbered from
// firstLine. A line longer than a chunk gets a larger buffer. emit returns false to stop.
func splitLines(ctx context.Context, r io.Reader, firstLine int, free chan []byte, emit func(*vcfChunk) bool) error {
	var carry []byte
	line := firstLine
	for {
		var buf []byte
		select {
		case buf = <-free:
		case <-ctx.Done():
			return nil
		}
		if len(carry) > len(buf)/2 {
			// A line longer than half a chunk: give this one back, use a larger one.
			select {
			case free <- buf:
			default:
			}
			buf = make([]byte, 2*len(carry)+vcfChunkSize)
		}
		n := copy(buf, carry)
		eof := false
		for n < len(buf) {
			m, err := r.Read(buf[n:])
			n += m
			if errors.Is(err, io.EOF) {
				eof = true
				break
			}
			if err != nil {
				return fmt.Errorf("reading line %d and on: %w", line, err)
			}
		}
		cut := n
		if !eof {
			cut = bytes.LastIndexByte(buf[:n], '\n') + 1
			if cut == 0 {
				// No line end in a full buffer: keep everything and read on with a
				// larger one.
				carry = append(carry[:0:0], buf[:n]...)
				select {
				case free <- buf:
				default:
				}
				continue
			}
		}
		carry = append(carry[:0], buf[cut:n]...)
		if cut > 0 {
			c := &vcfChunk{data: buf[:cut], firstLine: line, done: make(chan struct{})}
			line += bytes.Count(c.data, []byte{'\n'})
			if !emit(c) {
				return nil
			}
		}
		if eof {
			return nil
		}
	}
}
