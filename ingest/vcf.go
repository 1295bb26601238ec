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
	"fmt"
	"strings"
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
	// runSamples is the number of samples of the run's VCFs together (vcfSamples).
	runSamples uint32
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
