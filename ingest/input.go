package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/schollz/progressbar/v3"
)

// progressThreshold is the file size above which a progress bar is worth showing.
const progressThreshold = 8 << 20

// input is an opened source file: decompressed when it starts with the gzip magic (BGZF
// included, it is multi-member gzip), whatever its name says.
type input struct {
	io.Reader
	f   *os.File
	gz  *gzip.Reader
	bar *progressbar.ProgressBar
}

// withProgress wraps f in a progress bar on progress when the file is large enough to be
// worth one (bar is nil otherwise).
func withProgress(f *os.File, path string, progress io.Writer) (io.Reader, *progressbar.ProgressBar) {
	if progress == nil {
		return f, nil
	}
	st, err := f.Stat()
	if err != nil || st.Size() <= progressThreshold {
		return f, nil
	}
	bar := progressbar.NewOptions64(st.Size(),
		progressbar.OptionSetWriter(progress),
		progressbar.OptionSetDescription(filepath.Base(path)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(progress) }),
	)
	pr := progressbar.NewReader(f, bar)
	return &pr, bar
}

func openInput(path string, progress io.Writer) (*input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	in := &input{f: f}
	var raw io.Reader
	raw, in.bar = withProgress(f, path, progress)
	br := bufio.NewReaderSize(raw, 1<<20)
	if isGzip(br) {
		if in.gz, err = gzip.NewReader(br); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		in.Reader = bufio.NewReaderSize(in.gz, 1<<20)
	} else {
		in.Reader = br
	}
	return in, nil
}

func isGzip(br *bufio.Reader) bool {
	magic, _ := br.Peek(2)
	return bytes.Equal(magic, []byte{0x1f, 0x8b})
}

func (in *input) Close() error {
	if in.bar != nil {
		in.bar.Finish()
	}
	if in.gz != nil {
		in.gz.Close()
	}
	return in.f.Close()
}
