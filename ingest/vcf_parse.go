package ingest

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// vcfParser turns lines into variants. Each worker has its own; it reuses its buffers
// from line to line.
type vcfParser struct {
	f         *vcfFile
	datasetID string
	skipBad   bool
	nSamples  int
	csq       *annLayout

	// Last CHROM seen (input is sorted, so this nearly always hits).
	chromRaw                []byte
	chrom, chromID, seqID   string
	chromKnown              bool
	calls                   []gtCall
	called                  []calledCall            // calls with 0 or 3+ called alleles (vcf_calls.go)
	haploid                 []uint64                // bit per sample: a call of one called allele
	anyHaploid              bool                    // a bit of haploid is set
	lastCalled              []calledCall            // called of the line lastSets were built from
	lastHaploid             []uint64                // and its haploid
	lastSets                []release.CalledSet     // its called-allele sets, shared by its variants
	lastValue               []byte                  // and their value of the calls column
	haveGT                  bool                    // the line's samples have a GT
	carriers                []uint32                // sample indexes of the ALT at hand
	dense                   []uint64                // bitmapOf's words, zero between calls
	zygSamples              [maxZygosities][]uint32 // the same, per zygosity (in the order met)
	more                    []int32
	alts                    [][]byte
	sub                     [][]byte
	ann                     []annEntry
	out                     annotations
	js                      []byte
	fields                  []release.Field
	terms                   []string
	interned                map[string]string
	unknownEffects          map[string]int
	unknownContigs          map[string]int
	svEnd, svLen, svType    []byte
	annVal, csqVal          []byte
	refBuf, altBuf, qualBuf []byte
}

func newVCFParser(f *vcfFile, datasetID string, skipBad bool) *vcfParser {
	return &vcfParser{f: f, datasetID: datasetID, skipBad: skipBad, nSamples: len(f.hdr.samples),
		csq: newCSQLayout(f.hdr.csqFields), interned: map[string]string{}}
}

// intern returns a shared string for a value that repeats from line to line (gene names,
// impacts, effect names), so a million variants do not hold a million copies.
func (p *vcfParser) intern(b []byte) string {
	if s, ok := p.interned[string(b)]; ok {
		return s
	}
	if len(p.interned) > 1<<16 {
		clear(p.interned)
	}
	s := string(b)
	p.interned[s] = s
	return s
}

// parseChunk parses every line of c. Without skipBad it stops at the first bad line (the
// writer then fails the run with it).
func (p *vcfParser) parseChunk(c *vcfChunk) {
	p.unknownEffects = map[string]int{}
	p.unknownContigs = nil
	data := c.data
	line := c.firstLine
	for len(data) > 0 {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		if len(l) > 0 {
			c.records++
			nv, calls, skipped := len(c.variants), c.calls, c.skippedAlts
			if msg := p.parseLine(l, line, c); msg != "" {
				// Nothing of a bad line is kept, not even the ALTs before the bad one.
				c.variants, c.meta, c.calls, c.skippedAlts = c.variants[:nv], c.meta[:nv], calls, skipped
				c.bad = append(c.bad, &LineError{File: p.f.path, Line: line, Msg: msg})
				if !p.skipBad {
					break
				}
			}
		}
		line++
	}
	if len(p.unknownEffects) > 0 {
		c.effects = p.unknownEffects
	}
	c.contigs = p.unknownContigs
}

// parseLine parses one data line and appends its variants to c. It returns "" or what is
// wrong with the line.
func (p *vcfParser) parseLine(l []byte, line int, c *vcfChunk) string {
	if l[0] == '#' {
		return "header line after the #CHROM line"
	}
	// Fixed columns.
	var col [9][]byte
	nfix := 9
	if p.f.hdr.nCols == 8 {
		nfix = 8
	}
	rest := l
	for k := range nfix {
		j := bytes.IndexByte(rest, '\t')
		if k == nfix-1 && p.nSamples == 0 {
			if j >= 0 {
				return p.columnCount(l)
			}
			col[k] = rest
			rest = nil
			break
		}
		if j < 0 {
			return p.columnCount(l)
		}
		col[k], rest = rest[:j], rest[j+1:]
	}

	// CHROM
	if len(col[0]) == 0 {
		return "empty CHROM"
	}
	if !bytes.Equal(col[0], p.chromRaw) {
		p.setChrom(col[0])
	}
	// POS
	pos, ok := parsePos(col[1])
	if !ok {
		return fmt.Sprintf("POS %q is not a positive integer", col[1])
	}
	// REF
	ref, ok := upperBases(col[3], &p.refBuf)
	if !ok {
		return fmt.Sprintf("REF %q has characters other than the bases A, C, G, T, N", clip(col[3]))
	}
	// ALT
	p.alts = p.alts[:0]
	for a := range bytes.SplitSeq(col[4], []byte{','}) {
		p.alts = append(p.alts, a)
	}
	for i, a := range p.alts {
		switch {
		case len(a) == 0:
			return fmt.Sprintf("ALT %q has an empty allele", clip(col[4]))
		case skippedAlt(a):
		case a[0] == '<':
			if a[len(a)-1] != '>' || len(a) < 3 {
				return fmt.Sprintf("ALT allele %q: a symbolic allele is written <ID>", clip(a))
			}
		case isBreakend(a):
		default:
			if !validBases(a) {
				return fmt.Sprintf("ALT allele %q has characters other than the bases A, C, G, T, N", clip(a))
			}
			if !isUpper(a) {
				p.alts[i] = bytes.ToUpper(a)
			}
		}
	}
	// QUAL
	qual := col[5]
	if !(len(qual) == 1 && qual[0] == '.') {
		q, err := strconv.ParseFloat(string(qual), 64)
		if err != nil || math.IsNaN(q) || math.IsInf(q, 0) {
			return fmt.Sprintf("QUAL %q is not a number", clip(qual))
		}
		// As the walker writes numbers: integral values without exponent or fraction.
		p.qualBuf = append(p.qualBuf[:0], formatFloat(q)...)
	} else {
		p.qualBuf = p.qualBuf[:0]
	}
	// INFO
	p.scanInfo(col[7])

	// FORMAT and genotypes.
	p.calls, p.more = p.calls[:0], p.more[:0]
	p.resetCalled()
	p.haveGT = false
	if p.nSamples > 0 {
		gtIdx, nFmt := formatGT(col[8])
		if gtIdx >= 0 {
			p.haveGT = true
			if msg := p.genotypes(rest, len(p.alts), gtIdx, nFmt == 1); msg != "" {
				return msg
			}
		} else if n := bytes.Count(rest, []byte{'\t'}) + 1; n != p.nSamples {
			return p.columnCount(l)
		}
		c.calls += int64(p.nSamples)
	}

	// One variant per usable ALT.
	single := len(p.alts) == 1
	for i, alt := range p.alts {
		if skippedAlt(alt) {
			c.skippedAlts++
			continue
		}
		v, msg := p.variant(col, pos, ref, alt, i+1, single)
		if msg != "" {
			return msg
		}
		c.variants = append(c.variants, v)
		c.meta = append(c.meta, variantMeta{pos: pos, line: line})
	}
	return ""
}

// columnCount is the message for a line with the wrong number of columns.
func (p *vcfParser) columnCount(l []byte) string {
	n := bytes.Count(l, []byte{'\t'}) + 1
	return fmt.Sprintf("%d tab-separated columns, want %d (as the #CHROM line)", n, p.f.hdr.nCols)
}

// setChrom normalises a new CHROM value.
func (p *vcfParser) setChrom(raw []byte) {
	p.chromRaw = append(p.chromRaw[:0], raw...)
	name := string(raw)
	c, _, ok := release.NormalizeChrom(name)
	p.chromKnown = ok
	if !ok {
		c = name
	}
	p.chrom = c
	// variantInternalId: "chr" + the normalised chromosome, as vcf2bff writes it.
	if ok || !strings.HasPrefix(strings.ToLower(c), "chr") {
		p.chromID = "chr" + c
	} else {
		p.chromID = c
	}
	if acc, ok := release.RefSeqAccession(c, p.f.assembly); ok && p.chromKnown {
		p.seqID = "refseq:" + acc
	} else {
		// No RefSeq accession known (a non-primary contig, or an assembly other than
		// GRCh37/GRCh38): an assembly-qualified contig name, still a VRS CURIE.
		asm := p.f.assembly
		if asm == "" {
			asm = "contig"
		}
		p.seqID = asm + ":" + c
	}
}

func parsePos(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !lexical.IsDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n > 0
}

func validBases(b []byte) bool {
	for _, c := range b {
		switch c | 0x20 {
		case 'a', 'c', 'g', 't', 'n':
		default:
			return false
		}
	}
	return len(b) > 0
}

func isUpper(b []byte) bool {
	for _, c := range b {
		if c >= 'a' {
			return false
		}
	}
	return true
}

// upperBases validates REF and returns it upper-cased (in buf when it had lower case).
func upperBases(b []byte, buf *[]byte) ([]byte, bool) {
	if !validBases(b) {
		return nil, false
	}
	if isUpper(b) {
		return b, true
	}
	*buf = append((*buf)[:0], b...)
	for i, c := range *buf {
		if c >= 'a' {
			(*buf)[i] = c - 32
		}
	}
	return *buf, true
}

// clip shortens a value quoted in an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}

// scanInfo picks the INFO keys ingest uses: END, SVLEN, SVTYPE, ANN, CSQ.
func (p *vcfParser) scanInfo(info []byte) {
	p.svEnd, p.svLen, p.svType, p.annVal, p.csqVal = nil, nil, nil, nil, nil
	p.ann = p.ann[:0]
	if len(info) == 1 && info[0] == '.' {
		return
	}
	for len(info) > 0 {
		var kv []byte
		if i := bytes.IndexByte(info, ';'); i >= 0 {
			kv, info = info[:i], info[i+1:]
		} else {
			kv, info = info, nil
		}
		eq := bytes.IndexByte(kv, '=')
		if eq < 0 {
			continue
		}
		k, v := kv[:eq], kv[eq+1:]
		switch string(k) {
		case "END":
			p.svEnd = v
		case "SVLEN":
			p.svLen = v
		case "SVTYPE":
			p.svType = v
		case "ANN":
			p.annVal = v
		case "CSQ":
			p.csqVal = v
		}
	}
	if p.annVal != nil {
		p.parseAnnotations(p.annVal, &snpEffLayout)
	}
	if p.csqVal != nil && p.csq != nil {
		p.parseAnnotations(p.csqVal, p.csq)
	}
}
