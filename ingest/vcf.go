package ingest

// VCF ingest: a VCF 4.x file (plain, gzip or BGZF) becomes one release.Variant per ALT allele
// of each record, with the samples that carry that allele as a bitmap of sample indexes
// (the dataset's sample list is the header's sample columns, file after file), from which
// the engine renders caseLevelData. See docs/vcf-ingest.md for the conventions
// (coordinates, ids, zygosity, annotations).
//
// The reader is a three-stage pipeline, because a 2,504-sample line is ~10 kB of genotypes
// and parsing them dominates:
//
//	splitter (1 goroutine): decompressed text → chunks of whole lines (~2 MiB), numbered
//	workers (GOMAXPROCS):   chunk → variants (hand-written parser, no per-genotype allocation)
//	writer (the caller):    chunks in file order → DatasetWriter.WriteVariant (Arrow appends)
//	encoder (1 goroutine):  batches of rows → Parquet pages, zstd (inside package release)
//
// so decompression (itself block-parallel for BGZF), parsing and Parquet writing overlap,
// and variants are written in file order whatever the worker that parsed them.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bitbeacon/bitbeacon/release"
)

// LineError is a VCF line that cannot be read: "<file>:<line>: <what>" (line numbers are
// 1-based and count header lines).
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// VCFSummary reports one ingested VCF file.
type VCFSummary struct {
	File     string
	Format   string // bgzf, gzip or plain
	Assembly string
	// AssemblyFrom says where the assembly came from: "--assembly" or the header line.
	AssemblyFrom string
	Samples      int
	Records      int   // data lines read (bad lines included)
	Variants     int   // variants written (one per usable ALT allele)
	Calls        int64 // genotype calls read (records × samples)
	SkippedAlts  int   // '*' and '.' ALT alleles
	// BadLines counts lines skipped with --skip-bad-lines; FirstBadLines holds the first few
	// messages.
	BadLines      int
	FirstBadLines []string
	// Unmatched sample columns: neither a biosample id of the run nor the id of an individual
	// with exactly one biosample; the column name is kept as the carrier id. Only counted when
	// the run has biosample or individual records.
	UnmatchedSamples  int
	UnmatchedExamples []string
	// UnknownContigs counts variants per contig that is no primary chromosome (stored with
	// the contig name as given).
	UnknownContigs map[string]int
	Elapsed        time.Duration
}

// maxBadLineExamples bounds VCFSummary.FirstBadLines and the bad lines logged one by one.
const maxBadLineExamples = 10

// vcfChunkSize is how much text the splitter hands to a worker at once: a few hundred
// 2,504-sample lines, enough to amortise the channel hand-offs.
var vcfChunkSize = 2 << 20 // a variable so tests can force tiny chunks

// vcfHeader is what the meta-information lines and the #CHROM line say.
type vcfHeader struct {
	fileformat string
	samples    []string
	nCols      int // columns of every data line: 8 (sites only) or 9 + samples
	lines      int // header lines, #CHROM included
	hints      []asmHint
	csqFields  []string // VEP CSQ sub-field names, from its ##INFO Description
}

// asmHint is one header line that names an assembly.
type asmHint struct {
	assembly string // normalised
	from     string // e.g. "##reference=...hs37d5.fa.gz"
}

// vcfFile is one VCF source: its header and, once metadata is known, its carrier ids.
type vcfFile struct {
	path         string
	hdr          *vcfHeader
	assembly     string
	assemblyFrom string
	in           *vcfInput // open from prepare until ingest ends

	// Set by vcfSamples: sample columns that match no biosample.
	unmatched         int
	unmatchedExamples []string

	// Set by matchSamples.
	carrierIDs []string // per sample column
	// sampleBase is the dataset sample index of the first sample column: the sample list
	// is the columns of every VCF of the run, file after file.
	sampleBase uint32
}

// readVCFHeader reads the meta-information lines and the #CHROM line.
func readVCFHeader(path string, r *bufio.Reader) (*vcfHeader, error) {
	h := &vcfHeader{}
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A header line longer than the buffer: collect it whole.
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) == 0 && err != nil {
			if h.lines == 0 {
				return nil, &LineError{File: path, Line: 1, Msg: "empty file, want a VCF"}
			}
			return nil, &LineError{File: path, Line: h.lines, Msg: "no #CHROM header line before the end of the file"}
		}
		h.lines++
		line = bytes.TrimRight(line, "\r\n")
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if h.lines == 1 {
			v, ok := bytes.CutPrefix(line, []byte("##fileformat="))
			if !ok || !bytes.HasPrefix(v, []byte("VCFv")) {
				return nil, &LineError{File: path, Line: 1, Msg: "not a VCF: the first line is not ##fileformat=VCFv4.x"}
			}
			h.fileformat = string(v)
			continue
		}
		if bytes.HasPrefix(line, []byte("#CHROM")) {
			return h, h.columns(path, string(line))
		}
		if !bytes.HasPrefix(line, []byte("##")) {
			return nil, &LineError{File: path, Line: h.lines, Msg: "data before the #CHROM header line"}
		}
		h.meta(string(line[2:]))
		if err != nil {
			return nil, &LineError{File: path, Line: h.lines, Msg: "no #CHROM header line before the end of the file"}
		}
	}
}

// vcfFixedColumns are the mandatory columns of the #CHROM line.
var vcfFixedColumns = []string{"#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"}

func (h *vcfHeader) columns(path, line string) error {
	cols := strings.Split(line, "\t")
	bad := func(msg string) error { return &LineError{File: path, Line: h.lines, Msg: msg} }
	if len(cols) < 8 {
		return bad(fmt.Sprintf("#CHROM line has %d tab-separated columns, want at least 8 (%s)", len(cols), strings.Join(vcfFixedColumns, " ")))
	}
	for i, want := range vcfFixedColumns {
		if cols[i] != want {
			return bad(fmt.Sprintf("#CHROM line column %d is %q, want %q", i+1, cols[i], want))
		}
	}
	switch {
	case len(cols) == 8:
		h.nCols = 8
	case cols[8] != "FORMAT":
		return bad(fmt.Sprintf("#CHROM line column 9 is %q, want FORMAT", cols[8]))
	default:
		h.samples = cols[9:]
		h.nCols = len(cols)
		seen := make(map[string]int, len(h.samples))
		for i, s := range h.samples {
			if s == "" {
				return bad(fmt.Sprintf("sample column %d has an empty name", i+10))
			}
			if j, dup := seen[s]; dup {
				return bad(fmt.Sprintf("sample %q named twice (columns %d and %d)", s, j+10, i+10))
			}
			seen[s] = i
		}
	}
	return nil
}

// meta reads one "##key=value" line for what ingest needs: assembly hints and the CSQ format.
func (h *vcfHeader) meta(s string) {
	key, val, ok := strings.Cut(s, "=")
	if !ok {
		return
	}
	switch key {
	case "reference", "assembly":
		if a := assemblyIn(val); a != "" {
			h.hints = append(h.hints, asmHint{a, "##" + key + "=" + val})
		}
	case "contig":
		attrs := structuredMeta(val)
		if a := attrs["assembly"]; a != "" {
			if n := release.NormalizeAssembly(a); n == release.GRCh37 || n == release.GRCh38 {
				h.hints = append(h.hints, asmHint{n, "##contig=<ID=" + attrs["ID"] + ",assembly=" + a + ">"})
				return
			}
		}
		if a := assemblyByLength(attrs["ID"], attrs["length"]); a != "" {
			h.hints = append(h.hints, asmHint{a, "##contig=<ID=" + attrs["ID"] + ",length=" + attrs["length"] + ">"})
		}
	case "INFO":
		attrs := structuredMeta(val)
		if attrs["ID"] == "CSQ" {
			d := attrs["Description"]
			if i := strings.Index(d, "Format: "); i >= 0 {
				h.csqFields = strings.Split(strings.TrimSpace(d[i+len("Format: "):]), "|")
			}
		}
	}
}

// structuredMeta splits "<ID=x,Number=1,Description="a, b">" into its attributes; quoted
// values may contain commas and escaped quotes.
func structuredMeta(s string) map[string]string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	out := map[string]string{}
	for len(s) > 0 {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		k := strings.TrimSpace(s[:eq])
		s = s[eq+1:]
		var v string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			v = b.String()
			s = s[min(i+1, len(s)):]
			if c := strings.IndexByte(s, ','); c >= 0 {
				s = s[c+1:]
			} else {
				s = ""
			}
		} else if c := strings.IndexByte(s, ','); c >= 0 {
			v, s = s[:c], s[c+1:]
		} else {
			v, s = s, ""
		}
		out[k] = v
	}
	return out
}

// assemblyIn finds GRCh37 or GRCh38 in a ##reference or ##assembly value: the whole value
// (GRCh38, hg19, GCF_000001405.25) or one of its path or name parts
// (".../hs37d5.fa.gz", "GRCh38_full_analysis_set_plus_decoy_hla.fa", "human_g1k_v37.fasta").
func assemblyIn(v string) string {
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), "<>"))
	if a := release.NormalizeAssembly(v); a == release.GRCh37 || a == release.GRCh38 {
		return a
	}
	l := strings.ToLower(v)
	if strings.Contains(l, "g1k_v37") {
		return release.GRCh37
	}
	found := ""
	for _, tok := range strings.FieldsFunc(l, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		a := release.NormalizeAssembly(tok)
		if a != release.GRCh37 && a != release.GRCh38 {
			continue
		}
		if found != "" && found != a {
			return "" // names both: no answer
		}
		found = a
	}
	return found
}

// primaryLengths are the lengths of a few primary chromosomes, which differ between the
// assemblies: a ##contig line with one of them tells the assembly without naming it.
var primaryLengths = map[string][2]int64{ // chrom: {GRCh37, GRCh38}
	"1":  {249250621, 248956422},
	"2":  {243199373, 242193529},
	"21": {48129895, 46709983},
	"22": {51304566, 50818468},
	"X":  {155270560, 156040895},
}

func assemblyByLength(id, length string) string {
	c, _, ok := release.NormalizeChrom(id)
	if !ok {
		return ""
	}
	l, ok := primaryLengths[c]
	n, err := strconv.ParseInt(length, 10, 64)
	if !ok || err != nil {
		return ""
	}
	switch n {
	case l[0]:
		return release.GRCh37
	case l[1]:
		return release.GRCh38
	}
	return ""
}

// headerAssembly is the one assembly the header's hints agree on.
func (h *vcfHeader) headerAssembly() (asm, from string, err error) {
	for _, x := range h.hints {
		switch {
		case asm == "":
			asm, from = x.assembly, x.from
		case x.assembly != asm:
			return "", "", fmt.Errorf("the header names two assemblies (%s: %s; %s: %s); pass --assembly", asm, from, x.assembly, x.from)
		}
	}
	return asm, from, nil
}

// prepareVCF opens a VCF, reads its header and decides its assembly: --assembly when given,
// else what the header says; with neither, it fails asking for --assembly. It is called for
// every VCF before anything is written, so a VCF that cannot be placed fails the run early.
func prepareVCF(path string, opts Options, warns *warnSink) (*vcfFile, error) {
	in, err := openVCF(path, opts.Progress)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	hdr, err := readVCFHeader(path, in.Reader)
	if err != nil {
		in.Close()
		return nil, err
	}
	vf := &vcfFile{path: path, hdr: hdr, in: in}
	if !strings.HasPrefix(hdr.fileformat, "VCFv4.") {
		warns.add(path, -1, []Warning{{Field: "##fileformat", Msg: fmt.Sprintf("%s: read as VCF 4.x", hdr.fileformat)}})
	}
	hAsm, hFrom, hErr := hdr.headerAssembly()
	switch flag := strings.TrimSpace(opts.Assembly); {
	case flag != "":
		vf.assembly, vf.assemblyFrom = release.NormalizeAssembly(flag), "--assembly"
		if hErr == nil && hAsm != "" && hAsm != vf.assembly {
			warns.add(path, -1, []Warning{{Field: "assembly", Msg: fmt.Sprintf("the header says %s (%s); using --assembly %s", hAsm, hFrom, vf.assembly)}})
		}
	case hErr != nil:
		in.Close()
		return nil, fmt.Errorf("ingest: %s: %v", path, hErr)
	case hAsm == "":
		in.Close()
		return nil, fmt.Errorf("ingest: %s: the header names no assembly (no ##reference, ##assembly or ##contig assembly= line that says GRCh37/hg19/b37/hs37d5 or GRCh38/hg38); pass --assembly", path)
	default:
		vf.assembly, vf.assemblyFrom = hAsm, hFrom
	}
	return vf, nil
}

// sampleIDs collects the biosample and individual ids of a run, to match VCF sample columns
// to biosamples.
type sampleIDs struct {
	order      []string // biosample ids in the order written
	biosamples map[string]bool
	// byIndividual lists the biosamples of each individual; individuals holds every
	// individual id (with or without biosamples).
	byIndividual map[string][]string
	individuals  map[string]bool
}

func (s *sampleIDs) note(e release.Entity, r *release.Record) {
	switch e {
	case release.Biosample:
		if s.biosamples == nil {
			s.biosamples = map[string]bool{}
			s.byIndividual = map[string][]string{}
		}
		s.biosamples[r.ID] = true
		s.order = append(s.order, r.ID)
		if r.IndividualID != "" {
			s.byIndividual[r.IndividualID] = append(s.byIndividual[r.IndividualID], r.ID)
		}
	case release.Individual:
		if s.individuals == nil {
			s.individuals = map[string]bool{}
		}
		s.individuals[r.ID] = true
	}
}

func (s *sampleIDs) empty() bool { return len(s.biosamples) == 0 && len(s.individuals) == 0 }

// matchSamples gives every sample column its carrier id: the biosample of that id; else the
// only biosample of the individual of that id; else the column name as it is (the engine
// resolves a carrier by biosample id, then by individual id). It returns the column names
// that name no biosample (only when the run has metadata to match against), and how many of
// them are individual ids (with no or several biosamples).
func (vf *vcfFile) matchSamples(ids *sampleIDs) (unmatched []string, individuals int) {
	n := len(vf.hdr.samples)
	vf.carrierIDs = make([]string, n)
	for i, name := range vf.hdr.samples {
		id := name
		switch {
		case ids.empty(), ids.biosamples[name]:
		case len(ids.byIndividual[name]) == 1:
			id = ids.byIndividual[name][0]
		default:
			unmatched = append(unmatched, name)
			if ids.individuals[name] || len(ids.byIndividual[name]) > 0 {
				individuals++
			}
		}
		vf.carrierIDs[i] = id
	}
	return unmatched, individuals
}

// vcfSamples matches the sample columns of every VCF of the run to its biosamples, warns
// about those that match none, and returns the run's sample list: the carrier id of every
// column, file after file (each file's sampleBase set), for DatasetWriter.SetSamples.
func (st *runState) vcfSamples(vcfs []*vcfFile) ([]string, error) {
	var all []string
	for _, vf := range vcfs {
		if uint64(len(all))+uint64(len(vf.hdr.samples)) > 1<<32-1 {
			return nil, fmt.Errorf("ingest: %s: more than 2^32-1 samples in the run's VCFs", vf.path)
		}
		vf.sampleBase = uint32(len(all))
		unmatched, individuals := vf.matchSamples(&st.sampleIDs)
		all = append(all, vf.carrierIDs...)
		if len(unmatched) == 0 {
			continue
		}
		examples := unmatched[:min(len(unmatched), 5)]
		msg := fmt.Sprintf("%d of %d sample columns name no biosample of this run, nor an individual with exactly one biosample (e.g. %s); their names are kept as carrier ids",
			len(unmatched), len(vf.hdr.samples), strings.Join(examples, ", "))
		if individuals > 0 {
			msg += fmt.Sprintf(" (%d of them are individual ids, which queries resolve to the individual)", individuals)
		}
		st.warns.add(vf.path, -1, []Warning{{Field: "samples", Msg: msg}})
		vf.unmatched, vf.unmatchedExamples = len(unmatched), examples
	}
	return all, nil
}

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

// mergeHead is the next variant of one stream in a merge.
type mergeHead struct {
	s    *vcfStream
	v    *release.Variant
	m    variantMeta
	rank int
}

// chromRank orders chromosomes for merging: 1..22, X, Y, MT, then other contigs in the
// order the merge first meets them.
func chromRank(chrom string, others map[string]int) int {
	if r, ok := release.ChromRank(chrom); ok {
		return r
	}
	r, ok := others[chrom]
	if !ok {
		r = 100 + len(others)
		others[chrom] = r
	}
	return r
}

// mergeVCFStreams writes the variants of several sorted VCFs in position order, one
// variant per variantInternalId and position. It returns the variants written and how many
// of them merged copies from more than one stream.
func mergeVCFStreams(streams []*vcfStream, write func(*release.Variant) error) (written, merged int, err error) {
	others := map[string]int{}
	heads := make([]*mergeHead, 0, len(streams))
	advance := func(h *mergeHead) (bool, error) {
		v, m, err := h.s.next()
		if err != nil || v == nil {
			return false, err
		}
		rank := chromRank(v.Chrom, others)
		if h.v != nil && (rank < h.rank || rank == h.rank && m.pos < h.m.pos) {
			return false, &LineError{File: h.s.vf.path, Line: m.line, Msg: fmt.Sprintf(
				"%s:%d comes after %s:%d: VCFs ingested together are merged by position and must each be sorted (bcftools sort)",
				v.Chrom, m.pos, h.v.Chrom, h.m.pos)}
		}
		h.v, h.m, h.rank = v, m, rank
		return true, nil
	}
	for _, s := range streams {
		h := &mergeHead{s: s}
		ok, err := advance(h)
		if err != nil {
			return 0, 0, err
		}
		if ok {
			heads = append(heads, h)
		}
	}
	type group struct {
		v     *release.Variant
		parts []*release.Variant
	}
	var groups []*group
	for len(heads) > 0 {
		// The smallest (chromosome, POS) among the heads, and every variant there.
		min := heads[0]
		for _, h := range heads[1:] {
			if h.rank < min.rank || h.rank == min.rank && h.m.pos < min.m.pos {
				min = h
			}
		}
		rank, pos := min.rank, min.m.pos
		groups = groups[:0]
		for i := 0; i < len(heads); {
			h := heads[i]
			for h.rank == rank && h.m.pos == pos {
				var g *group
				for _, x := range groups {
					if x.v.ID == h.v.ID {
						g = x
						break
					}
				}
				if g == nil {
					groups = append(groups, &group{v: h.v, parts: []*release.Variant{h.v}})
				} else {
					g.parts = append(g.parts, h.v)
				}
				ok, err := advance(h)
				if err != nil {
					return written, merged, err
				}
				if !ok {
					h.rank = -1 // exhausted
					break
				}
			}
			if h.rank == -1 {
				heads = append(heads[:i], heads[i+1:]...)
				continue
			}
			i++
		}
		for _, g := range groups {
			v := g.v
			if len(g.parts) > 1 {
				v = mergeVariants(g.parts)
				merged++
			}
			if err := write(v); err != nil {
				return written, merged, err
			}
			written++
		}
	}
	return written, merged, nil
}

// mergeVariants combines copies of one variant from several files: the first copy's record
// with the carriers of all (their sample ranges are disjoint), zygosity sets united by term,
// terms united.
func mergeVariants(parts []*release.Variant) *release.Variant {
	first := *parts[0]
	v := &first
	v.CarrierBits = nil
	v.Zygosity = nil
	var terms []string
	for _, p := range parts {
		terms = append(terms, p.Terms...)
		if p.CarrierBits == nil || p.CarrierBits.IsEmpty() {
			continue
		}
		if v.CarrierBits == nil {
			v.CarrierBits = p.CarrierBits.Clone()
		} else {
			v.CarrierBits.Or(p.CarrierBits)
		}
		for _, z := range p.Zygosity {
			j := slices.IndexFunc(v.Zygosity, func(x release.ZygositySet) bool { return x.ID == z.ID && x.Label == z.Label })
			if j < 0 {
				v.Zygosity = append(v.Zygosity, release.ZygositySet{ID: z.ID, Label: z.Label, Bits: z.Bits.Clone()})
			} else {
				v.Zygosity[j].Bits.Or(z.Bits)
			}
		}
	}
	v.CaseLevelFromCarriers = v.CarrierBits != nil
	slices.Sort(terms)
	v.Terms = slices.Compact(terms)
	return v
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
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

// dupCheck notices a variantInternalId written twice at the same position (a VCF with the
// same record twice, or a multi-allelic line repeating an ALT). Input is sorted by position
// in practice, so looking back over the current position is enough.
type dupCheck struct {
	chrom string
	start int64
	ids   []string
}

// check reports whether v's id was seen before at this position.
func (d *dupCheck) check(v *release.Variant) bool {
	if v.Chrom != d.chrom || v.Start != d.start {
		d.chrom, d.start, d.ids = v.Chrom, v.Start, d.ids[:0]
	}
	if slices.Contains(d.ids, v.ID) {
		return true
	}
	d.ids = append(d.ids, v.ID)
	return false
}
