package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/klauspost/compress/gzip"
	"github.com/schollz/progressbar/v3"
)

// vcfInput is an opened VCF: BGZF (bgzip, the usual .vcf.gz) is inflated block-parallel
// (bgzfReader), other gzip with klauspost/compress on one core (a single gzip member cannot
// be split), anything else is read as is.
type vcfInput struct {
	*bufio.Reader // decompressed text
	f             *os.File
	bg            *bgzfReader
	gz            *gzip.Reader
	bar           *progressbar.ProgressBar
	format        string // "bgzf", "gzip" or "plain", for the log
	closed        bool
}

// vcfReadBuffer is the size of the buffered reader over the decompressed text, which the
// header is read through. The line splitter then reads chunks larger than it, which bufio
// hands straight to the decompressor, without a copy.
const vcfReadBuffer = 64 << 10

func openVCF(path string, progress io.Writer) (*vcfInput, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	in := &vcfInput{f: f, format: "plain"}
	var raw io.Reader
	raw, in.bar = withProgress(f, path, progress)
	br := bufio.NewReaderSize(raw, 256<<10)
	head, _ := br.Peek(18)
	var text io.Reader = br
	switch {
	case isBGZF(head):
		// One inflater per core: blocks are independent 64 KiB deflate members, so
		// they inflate in parallel while the parser works on earlier ones.
		in.bg = newBGZFReader(br, runtime.GOMAXPROCS(0))
		text, in.format = in.bg, "bgzf"
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		if in.gz, err = gzip.NewReader(br); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		text, in.format = in.gz, "gzip"
	}
	in.Reader = bufio.NewReaderSize(text, vcfReadBuffer)
	return in, nil
}

// isBGZF recognises the header of a BGZF block: a gzip member with FEXTRA whose first extra
// subfield is "BC" with a 2-byte payload (SAM/BAM specification §4.1).
func isBGZF(h []byte) bool {
	return len(h) >= 18 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8 && h[3]&4 != 0 &&
		bytes.Equal(h[12:16], []byte{'B', 'C', 2, 0})
}

// Close releases the input; it may be called more than once.
func (in *vcfInput) Close() error {
	if in.closed {
		return nil
	}
	in.closed = true
	if in.bar != nil {
		in.bar.Finish()
	}
	if in.bg != nil {
		in.bg.Close()
	}
	if in.gz != nil {
		in.gz.Close()
	}
	return in.f.Close()
}
