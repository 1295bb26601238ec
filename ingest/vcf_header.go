package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// The VCF header: meta-information lines, the #CHROM line, and the assembly they name.

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
