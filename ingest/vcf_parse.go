package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// Zygosity of a carrier of ALT allele k, from its GT (GENO, the zygosity branch under
// GENO:0000391 "disomic zygosity" and GENO:0000134 "hemizygous"):
//
//	k/k              GENO:0000136 homozygous
//	k/0, 0/k         GENO:0000458 simple heterozygous (is_a heterozygous; what vcf2bff writes)
//	k/j, j≠k ALT     GENO:0000402 compound heterozygous (is_a heterozygous)
//	k/. , ./k        GENO:0000135 heterozygous (the other allele is not called)
//	k (haploid)      GENO:0000134 hemizygous (male X/Y, and any haploid call such as MT)
//	polyploid        GENO:0000136 when every allele is k, else GENO:0000135
//
// Phasing ('|' or '/') does not change the zygosity.
type zygosity struct {
	id, label string
}

func newZygosity(id, label string) *zygosity { return &zygosity{id: id, label: label} }

var (
	zygHomozygous   = newZygosity("GENO:0000136", "homozygous")
	zygSimpleHet    = newZygosity("GENO:0000458", "simple heterozygous")
	zygCompoundHet  = newZygosity("GENO:0000402", "compound heterozygous")
	zygHeterozygous = newZygosity("GENO:0000135", "heterozygous")
	zygHemizygous   = newZygosity("GENO:0000134", "hemizygous")
)

// maxZygosities is how many zygosities there are above.
const maxZygosities = 5

// gtCall is the genotype of one sample that carries at least one ALT allele.
type gtCall struct {
	sample int32
	ploidy int32
	a0, a1 int32 // first two alleles, -1 = missing
	more   int32 // ploidy > 2: offset of all alleles in vcfParser.more
}

// Two hom-ref diploid calls of a GT-only FORMAT, as they sit in the line ("0/0\t0/0\t"):
// the genotype scanner skips runs of them with word comparisons, 8 or 2 calls at a time.
var (
	homRefPairUnphased = binary.LittleEndian.Uint64([]byte("0/0\t0/0\t"))
	homRefPairPhased   = binary.LittleEndian.Uint64([]byte("0|0\t0|0\t"))
)

// vcfParser turns lines into variants. Each worker has its own; it reuses its buffers
// from line to line.
type vcfParser struct {
	f         *vcfFile
	datasetID string
	skipBad   bool
	nSamples  int
	csq       *csqLayout

	// Last CHROM seen (input is sorted, so this nearly always hits).
	chromRaw                []byte
	chrom, chromID, seqID   string
	chromKnown              bool
	calls                   []gtCall
	called                  []calledCall            // calls with other than 2 called alleles (vcf_calls.go)
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
	p.calls, p.more, p.called = p.calls[:0], p.more[:0], p.called[:0]
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
		if c < '0' || c > '9' {
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

// formatGT finds GT among the FORMAT keys: its index (-1 if absent) and the number of keys.
func formatGT(f []byte) (gt, n int) {
	gt = -1
	for k := range bytes.SplitSeq(f, []byte{':'}) {
		if gt < 0 && len(k) == 2 && k[0] == 'G' && k[1] == 'T' {
			gt = n
		}
		n++
	}
	return gt, n
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
		p.parseANN(p.annVal)
	}
	if p.csqVal != nil {
		p.parseCSQ(p.csqVal)
	}
}

// genotypes reads the GT of every sample column in s (the text after FORMAT) and keeps, in
// p.calls, the samples with at least one ALT allele. nAlt bounds the allele indexes; gtOnly
// says FORMAT is just "GT", which allows skipping hom-ref pairs 8 bytes at a time. It
// checks the number of columns too. It returns "" or what is wrong.
func (p *vcfParser) genotypes(s []byte, nAlt, gtIdx int, gtOnly bool) string {
	n := p.nSamples
	i, si := 0, 0
	// The hom-ref pair this line writes ("0/0\t0/0\t" or "0|0\t0|0\t").
	pair := homRefPairUnphased
	if len(s) > 1 && s[1] == '|' {
		pair = homRefPairPhased
	}
	for si < n {
		// Runs of hom-ref calls, 8 at a time; on a mismatch, the hom-ref calls before the
		// first byte that differs (4 bytes each) are skipped too, so the call at i is not
		// one (or is too near the end), and the pair compare below would fail.
		differs := false
		for gtOnly && si+8 < n && i+32 <= len(s) {
			w := s[i : i+32]
			x0, x1 := binary.LittleEndian.Uint64(w)^pair, binary.LittleEndian.Uint64(w[8:])^pair
			x2, x3 := binary.LittleEndian.Uint64(w[16:])^pair, binary.LittleEndian.Uint64(w[24:])^pair
			if x0|x1|x2|x3 == 0 {
				i += 32
				si += 8
				continue
			}
			var at int // the first byte that differs
			switch {
			case x0 != 0:
				at = bits.TrailingZeros64(x0) / 8
			case x1 != 0:
				at = 8 + bits.TrailingZeros64(x1)/8
			case x2 != 0:
				at = 16 + bits.TrailingZeros64(x2)/8
			default:
				at = 24 + bits.TrailingZeros64(x3)/8
			}
			i += at &^ 3
			si += at / 4
			differs = true
			break
		}
		if gtOnly && !differs && si+2 < n && i+8 <= len(s) {
			if w := binary.LittleEndian.Uint64(s[i:]); w == homRefPairUnphased || w == homRefPairPhased {
				i += 8
				si += 2
				continue
			}
		}
		// Other calls without an ALT allele (haploid, missing, mixed phasing), by words,
		// then one call of the usual forms, "a/b" or "a" with one-digit alleles. The last
		// column is left to the per-byte parser, which checks the column count.
		if gtOnly {
			if i < len(s) && (s[i] == '0' || s[i] == '.') {
				if j, nc := skipNoAltCalls(s, i, n-si); nc > 0 {
					p.noteRefSpan(s[i:j], si, nc)
					i, si = j, si+nc
					continue
				}
			}
			if ok, msg := p.shortCall(s, i, si, nAlt); msg != "" {
				return msg
			} else if ok > 0 {
				i += ok
				si++
				continue
			}
		}
		// One sample column from i: find its GT sub-field.
		j := i
		if gtIdx > 0 {
			for skip := gtIdx; skip > 0; {
				if j >= len(s) || s[j] == '\t' {
					break // fewer sub-fields than FORMAT keys: GT not given
				}
				if s[j] == ':' {
					skip--
				}
				j++
			}
		}
		var a0, a1 int32 = -1, -1
		ploidy, missing := int32(0), int32(0)
		anyAlt := false
		moreAt := int32(len(p.more))
		if j < len(s) && s[j] != '\t' && s[j] != ':' {
			for {
				if j >= len(s) {
					return p.badGT(s, i, si)
				}
				var a int32
				switch c := s[j]; {
				case c == '.':
					a = -1
					missing++
					j++
				case c >= '0' && c <= '9':
					for j < len(s) && s[j] >= '0' && s[j] <= '9' {
						a = a*10 + int32(s[j]-'0')
						if a > 1<<20 {
							return fmt.Sprintf("sample %s: GT allele index too large", p.f.hdr.samples[si])
						}
						j++
					}
					if int(a) > nAlt {
						return fmt.Sprintf("sample %s: GT allele %d out of range (the line has %d ALT alleles)", p.f.hdr.samples[si], a, nAlt)
					}
				default:
					return p.badGT(s, i, si)
				}
				ploidy++
				switch ploidy {
				case 1:
					a0 = a
				case 2:
					a1 = a
				case 3:
					p.more = append(p.more, a0, a1, a)
				default:
					p.more = append(p.more, a)
				}
				if a > 0 {
					anyAlt = true
				}
				if j < len(s) && (s[j] == '/' || s[j] == '|') {
					j++
					continue
				}
				break
			}
		}
		if j < len(s) && s[j] != '\t' {
			if s[j] != ':' {
				return p.badGT(s, i, si)
			}
			if k := bytes.IndexByte(s[j:], '\t'); k >= 0 {
				j += k
			} else {
				j = len(s)
			}
		}
		if called := ploidy - missing; called != 2 {
			p.called = append(p.called, calledCall{sample: int32(si), alleles: called})
		}
		if anyAlt {
			call := gtCall{sample: int32(si), ploidy: ploidy, a0: a0, a1: a1}
			if ploidy > 2 {
				call.more = moreAt
			}
			p.calls = append(p.calls, call)
		} else if ploidy > 2 {
			p.more = p.more[:moreAt]
		}
		si++
		i = j + 1
		if j >= len(s) && si < n {
			return fmt.Sprintf("%d tab-separated columns, want %d (as the #CHROM line)", 9+si, p.f.hdr.nCols)
		}
	}
	if i <= len(s) {
		return fmt.Sprintf("%d tab-separated columns, want %d (as the #CHROM line)", 9+n+bytes.Count(s[i-1:], []byte{'\t'}), p.f.hdr.nCols)
	}
	return ""
}

func (p *vcfParser) badGT(s []byte, i, si int) string {
	end := bytes.IndexByte(s[i:], '\t')
	if end < 0 {
		end = len(s) - i
	}
	return fmt.Sprintf("sample %s: invalid genotype %q", p.f.hdr.samples[si], clip(s[i:i+end]))
}

// zygosityOf tells whether call carries ALT k and with which zygosity.
func (p *vcfParser) zygosityOf(c *gtCall, k int32) *zygosity {
	switch c.ploidy {
	case 1:
		if c.a0 == k {
			return zygHemizygous
		}
		return nil
	case 2:
		var other int32
		switch {
		case c.a0 == k && c.a1 == k:
			return zygHomozygous
		case c.a0 == k:
			other = c.a1
		case c.a1 == k:
			other = c.a0
		default:
			return nil
		}
		switch {
		case other == 0:
			return zygSimpleHet
		case other < 0:
			return zygHeterozygous
		default:
			return zygCompoundHet
		}
	}
	all := p.more[c.more : c.more+c.ploidy]
	n := 0
	for _, a := range all {
		if a == k {
			n++
		}
	}
	switch {
	case n == 0:
		return nil
	case n == len(all):
		return zygHomozygous
	}
	return zygHeterozygous
}

// skippedAlt reports ALT alleles that stand for no variant: '*' (an upstream deletion),
// '.' (no ALT), and the gVCF reference-block alleles <*> and <NON_REF>.
func skippedAlt(a []byte) bool {
	switch string(a) {
	case "*", ".", "<*>", "<NON_REF>":
		return true
	}
	return false
}

// isBreakend recognises a breakend ALT: "G]17:198982]", "[13:123457[A", or the single
// breakends ".A" and "A.".
func isBreakend(a []byte) bool {
	return bytes.ContainsAny(a, "[]") || len(a) > 1 && (a[0] == '.' || a[len(a)-1] == '.')
}

// svTypes are the symbolic ALT ids (their first ':'-part) that name a variantType.
var svTypes = map[string]string{"DEL": "DEL", "DUP": "DUP", "INS": "INS", "INV": "INV", "CNV": "CNV", "BND": "BND"}

// variant builds the variant of ALT allele k (1-based) of the line.
//
// Coordinates (0-based, half-open, as the release stores them; POS is 1-based):
//   - a sequence ALT (SNV, MNV, indel) covers its REF: start = POS-1, end = start+len(REF);
//   - a symbolic ALT (<DEL>, <DUP>, <DUP:TANDEM>, <CNV>, <CN0>, <INS>, <INV>, <DEL:ME:ALU>...)
//     has its padding base at POS and the event after it: start = POS (0-based POS-1+1);
//     INFO END is the 1-based inclusive last base, i.e. the 0-based exclusive end: end = END;
//     without END, end = start+|SVLEN|; an insertion covers no reference base (end = start);
//   - a breakend (BND, "G]17:198982]") is the point at POS: start = POS-1, end = POS.
func (p *vcfParser) variant(col [9][]byte, pos int64, ref, alt []byte, k int, single bool) (*release.Variant, string) {
	v := &release.Variant{Assembly: p.f.assembly, Chrom: p.chrom}
	v.DatasetID = p.datasetID
	if !p.chromKnown {
		if p.unknownContigs == nil {
			p.unknownContigs = map[string]int{}
		}
		p.unknownContigs[p.chrom]++
	}
	symbolic, breakend := alt[0] == '<', isBreakend(alt)
	annAlt := alt // annotations name the ALT as written
	if !single && !symbolic && !breakend {
		pos, ref, alt = minimalAlleles(pos, ref, alt)
	}
	// variantInternalId: chr<CHROM>_<POS>_<REF>_<ALT>, the vcf2bff scheme, so that VCF and
	// BFF ingest of the same cohort give the same /g_variants/{id}. Ref and Alt share its
	// memory.
	posText := strconv.AppendInt(p.altBuf[:0], pos, 10)
	p.altBuf = posText
	idLen := len(p.chromID) + 1 + len(posText) + 1 + len(ref) + 1 + len(alt)
	idb := make([]byte, 0, idLen)
	idb = append(idb, p.chromID...)
	idb = append(idb, '_')
	idb = append(idb, posText...)
	idb = append(idb, '_')
	refAt := len(idb)
	idb = append(idb, ref...)
	idb = append(idb, '_')
	altAt := len(idb)
	idb = append(idb, alt...)
	id := string(idb)
	v.ID = id
	refS, altS := id[refAt:refAt+len(ref)], id[altAt:]

	var hgvs string
	switch {
	case symbolic:
		v.Start = pos
		v.Alt = altS
		name := string(alt[1 : len(alt)-1])
		t, _, _ := strings.Cut(name, ":")
		vt, ok := svTypes[strings.ToUpper(t)]
		switch {
		case ok:
		case len(p.svType) > 0:
			vt = strings.ToUpper(string(p.svType))
		case len(t) > 2 && strings.HasPrefix(t, "CN") && lexical.AllDigits(t[2:]):
			vt = "CNV"
		default:
			vt = strings.ToUpper(t)
		}
		v.VariantType = vt
		switch {
		case len(p.svEnd) > 0:
			end, ok := parsePos(p.svEnd)
			if !ok {
				return nil, fmt.Sprintf("INFO END %q is not a positive integer", clip(p.svEnd))
			}
			if end < pos {
				return nil, fmt.Sprintf("INFO END %d is before POS %d", end, pos)
			}
			v.End = end
		case vt == "INS":
			v.End = v.Start
		case len(p.svLen) > 0:
			l, ok := svLenAt(p.svLen, k, len(p.alts))
			if !ok {
				return nil, fmt.Sprintf("INFO SVLEN %q is not an integer per ALT allele", clip(p.svLen))
			}
			v.End = v.Start + l
		default:
			return nil, fmt.Sprintf("symbolic ALT %s without INFO END or SVLEN: its end is unknown", alt)
		}
		if v.End-v.Start > 0 {
			switch vt {
			case "DEL", "DUP", "INV":
				// HGVS of an imprecise SV needs no reference sequence.
				hgvs = p.chrom + ":g." + strconv.FormatInt(v.Start+1, 10) + "_" + strconv.FormatInt(v.End, 10) + strings.ToLower(vt)
			}
		}
	case breakend:
		v.Start, v.End = pos-1, pos
		v.Ref, v.Alt, v.VariantType = refS, altS, "BND"
	default:
		v.Start = pos - 1
		v.End = v.Start + int64(len(ref))
		v.Ref, v.Alt = refS, altS
		switch {
		case len(ref) == 1 && len(alt) == 1:
			v.VariantType = "SNP"
		case len(ref) == len(alt):
			v.VariantType = "MNP"
		default:
			v.VariantType = "INDEL"
		}
		// vcf2bff's genomicHGVSId: "<chrom>:g.<POS><REF>><ALT>", for indels too (a true HGVS
		// indel needs the reference sequence to be 3'-shifted).
		hgvs = p.chrom + ":g." + string(posText) + refS + ">" + altS
	}

	// Annotations of this ALT.
	p.out.reset()
	if len(p.ann) > 0 {
		p.collect(k, annAlt, vepAllele(col[3], p.alts, k-1), single)
	}
	p.record(v, hgvs, symbolic, breakend, col[6], k)
	return v, ""
}

// minimalAlleles trims an ALT split from a multi-allelic record to its minimal
// representation, as bcftools norm -m- does: the bases REF and ALT share at the end, then at
// the start (moving POS), keeping at least one base each. "TATATA>AATATA,T" gives the SNV
// T>A at the same POS and the deletion TATATA>T.
func minimalAlleles(pos int64, ref, alt []byte) (int64, []byte, []byte) {
	for len(ref) > 1 && len(alt) > 1 && ref[len(ref)-1] == alt[len(alt)-1] {
		ref, alt = ref[:len(ref)-1], alt[:len(alt)-1]
	}
	for len(ref) > 1 && len(alt) > 1 && ref[0] == alt[0] {
		ref, alt = ref[1:], alt[1:]
		pos++
	}
	return pos, ref, alt
}

// svLenAt is |SVLEN| for ALT k (SVLEN is Number=A, or one value for all).
func svLenAt(b []byte, k, nAlt int) (int64, bool) {
	vals := bytes.Split(b, []byte{','})
	var s []byte
	switch {
	case len(vals) == nAlt:
		s = vals[k-1]
	case len(vals) == 1:
		s = vals[0]
	default:
		return 0, false
	}
	s = bytes.TrimPrefix(s, []byte{'-'})
	n, ok := parsePos(s)
	if !ok && string(s) == "0" {
		return 0, true
	}
	return n, ok
}
