package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/biogo/hts/bgzf"
)

// bgzfText is a few hundred KiB of VCF-like lines: many BGZF blocks, lines across them.
func bgzfText() []byte {
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "1\t%d\t.\tA\tG\t.\tPASS\t.\tGT\t0|0\t0|1\t1|1\n", i+1)
	}
	return []byte(b.String())
}

func bgzip(t *testing.T, text []byte) []byte {
	var buf bytes.Buffer
	w := bgzf.NewWriter(&buf, 2)
	if _, err := w.Write(text); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readBGZF(data []byte, workers int) ([]byte, error) {
	r := newBGZFReader(bufio.NewReader(bytes.NewReader(data)), workers)
	defer r.Close()
	return io.ReadAll(r)
}

// TestBGZFReader reads BGZF with one and several workers, in file order, and fails on a
// corrupt block, a truncated file and a plain gzip member after the BGZF ones.
func TestBGZFReader(t *testing.T) {
	text := bgzfText()
	data := bgzip(t, text)
	if !isBGZF(data) || len(data) < 3*(64<<10)/20 {
		t.Fatalf("test data: %d bytes, BGZF %v", len(data), isBGZF(data))
	}
	for _, workers := range []int{1, 2, 5} {
		got, err := readBGZF(data, workers)
		if err != nil || !bytes.Equal(got, text) {
			t.Fatalf("%d workers: %d bytes of %d, %v", workers, len(got), len(text), err)
		}
	}

	bad := bytes.Clone(data)
	bad[len(bad)/2] ^= 0xff
	if _, err := readBGZF(bad, 2); err == nil {
		t.Error("corrupt block: no error")
	}
	if _, err := readBGZF(data[:len(data)-100], 2); err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("truncated: %v", err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("more\n"))
	zw.Close()
	if _, err := readBGZF(append(bytes.Clone(data), gz.Bytes()...), 2); err == nil || !strings.Contains(err.Error(), "no gzip member with extra fields") {
		t.Errorf("gzip after BGZF: %v", err)
	}
	// Closing before the end stops the goroutines.
	r := newBGZFReader(bufio.NewReader(bytes.NewReader(data)), 2)
	if _, err := r.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	r.Close()
}
