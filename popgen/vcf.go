package popgen

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"github.com/biogo/hts/bgzf"
)

// VCFFile is the conventional name of WriteVCF's output next to the BFF
// files of the same Config.
const VCFFile = "genomicVariations.vcf.gz"

// vcfLevel is WriteVCF's deflate level: 6, bgzip's default, so the file
// reads like the VCFs users ingest. Level 1 would write about 5× faster
// but inflate about 2× slower, making decompression, not parsing, the limit
// of a VCF ingest benchmark (docs/benchmarks.md#tuned-constants).
const vcfLevel = 6

// vcfChunk is how much VCF text is handed to the BGZF writer at a time: a
// multiple of bgzf.BlockSize, so that every block but the last is full.
const vcfChunk = 16 * bgzf.BlockSize

// WriteVCF writes the population described by c to path as a
// multi-sample VCF 4.2, BGZF-compressed (readable by gzip, bgzip, tabix and
// parallel BGZF readers; blocks are compressed on runtime.GOMAXPROCS(0)
// goroutines). It describes the same population as WriteBFF(dir, c): the
// same variants in the same order, the same carriers and zygosities.
//
//   - Samples are the biosample ids of biosamples.json ("DEMO0001-BS", ...),
//     in individual order.
//   - CHROM is the canonical name ("1".."22", "X"), as in the BFF
//     variantInternalId; POS, REF and ALT of SNVs and small indels are those
//     of variantInternalId, and BFF interval start = POS-1.
//   - Structural variants (BFF variantType DEL/DUP, referenceBases
//     "N") have the reference base at POS as REF, <DEL> or <DUP> as ALT,
//     and INFO SVTYPE, END = POS+length and SVLEN (negative for DEL). POS is
//     the padding base before the event, which covers POS+1..END (1-based,
//     inclusive); BFF writes the same bases as the 0-based half-open
//     interval [POS, END): BFF start = POS, BFF end = END.
//   - GT is phased: 0|0, 0|1 (heterozygous), 1|1 (homozygous); males are
//     haploid on X: 0, or 1 (hemizygous).
//   - INFO AC, AN, AF: allele count, number and frequency of the genotypes
//     (AF formatted as BFF alleleFrequency). ANN, in SnpEff's format, gives
//     the BFF molecular effect (its SO label) for every variant: one entry
//     per gene of molecularAttributes.geneIds (Gene_Name and Gene_ID are the
//     symbol), one with empty gene fields for intergenic variants. HGVS.p is
//     the BFF aminoacidChanges in 3-letter form (V158M: p.Val158Met, R12*:
//     p.Arg12*), with AA.pos/AA.length. There is no transcript model:
//     Feature_ID, HGVS.c and the cDNA/CDS positions are empty.
//
// The output is streamed; memory does not grow with Variants. The same
// Config always produces byte-identical files. On error, path may hold a
// partial file.
func WriteVCF(path string, c Config) error {
	_, err := writeVCF(path, c, vcfLevel, runtime.GOMAXPROCS(0))
	return err
}

// writeVCF writes the VCF with the given deflate level and number of
// compressing goroutines, and returns the size of the uncompressed text.
func writeVCF(path string, c Config, level, workers int) (raw int64, err error) {
	p, err := newPlan(c)
	if err != nil {
		return 0, err
	}
	out, err := createBGZF(path, level, workers)
	if err != nil {
		return 0, err
	}
	defer out.abort()
	w := newVCFWriter(p, p.cfg.DatasetID, 0, len(p.samples))
	w.buf = w.appendHeader(make([]byte, 0, vcfChunk+64<<10))
	s := newVariantStream(p)
	for v := s.next(); v != nil; v = s.next() {
		w.buf = w.appendRecord(w.buf, v)
		if len(w.buf) >= vcfChunk {
			if err := w.flush(out, false); err != nil {
				return 0, err
			}
		}
	}
	if err := w.flush(out, true); err != nil {
		return 0, err
	}
	return w.raw, out.close()
}

// bgzfFile is a BGZF file being written.
type bgzfFile struct {
	path string
	f    *os.File
	fw   *bufio.Writer
	bg   *bgzf.Writer
}

func createBGZF(path string, level, workers int) (*bgzfFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("popgen: %w", err)
	}
	fw := bufio.NewWriterSize(f, 1<<20)
	bg, err := bgzf.NewWriterLevel(fw, level, workers)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("popgen: %w", err)
	}
	return &bgzfFile{path: path, f: f, fw: fw, bg: bg}, nil
}

func (o *bgzfFile) write(b []byte) error {
	if _, err := o.bg.Write(b); err != nil {
		return fmt.Errorf("popgen: writing %s: %w", o.path, err)
	}
	return nil
}

// close finishes the file. On a write error the BGZF writer has stopped its
// goroutines already; close is only for the success path.
func (o *bgzfFile) close() error {
	err := o.bg.Close()
	if err == nil {
		err = o.fw.Flush()
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	o.f = nil
	if err != nil {
		return fmt.Errorf("popgen: writing %s: %w", o.path, err)
	}
	return nil
}

// abort closes the file of a failed write (a no-op after close).
func (o *bgzfFile) abort() {
	if o.f != nil {
		o.f.Close()
	}
}

// vcfWriter renders variants as VCF lines, with the columns of the samples
// [lo, hi) (a dataset of WriteDatasets holds a part of the population). The
// GT columns are a template per ploidy layout ("\t0|0" per sample, "\t0" for
// males on X), copied and patched at the carriers.
type vcfWriter struct {
	p         *plan
	datasetID string
	lo, hi    int
	buf       []byte
	raw       int64 // bytes handed to the BGZF writer

	gt    [2][]byte  // GT columns with the line end: [0] autosomes, [1] X
	gtOff [2][]int32 // per sample of the range, offset of its GT in gt[k]
	an    [2]int     // alleles of the range's samples: [0] autosomes, [1] X
}

func newVCFWriter(p *plan, datasetID string, lo, hi int) *vcfWriter {
	w := &vcfWriter{p: p, datasetID: datasetID, lo: lo, hi: hi}
	for k := range w.gt {
		t := make([]byte, 0, 4*(hi-lo)+1)
		off := make([]int32, hi-lo)
		for i, s := range p.samples[lo:hi] {
			t = append(t, '\t')
			off[i] = int32(len(t))
			if k == 1 && s.xCopies == 1 {
				t = append(t, '0')
				w.an[k]++
			} else {
				t = append(t, "0|0"...)
				w.an[k] += 2
			}
		}
		w.gt[k], w.gtOff[k] = append(t, '\n'), off
	}
	return w
}

// whole reports whether the writer has every sample of the population.
func (w *vcfWriter) whole() bool { return w.lo == 0 && w.hi == len(w.p.samples) }

// flush hands the buffered text to out: whole blocks, or everything if
// final.
func (w *vcfWriter) flush(out *bgzfFile, final bool) error {
	n := len(w.buf)
	if !final {
		n -= n % bgzf.BlockSize
	}
	if n == 0 {
		return nil
	}
	if err := out.write(w.buf[:n]); err != nil {
		return err
	}
	w.raw += int64(n)
	w.buf = w.buf[:copy(w.buf, w.buf[n:])]
	return nil
}

// vcfInfoLines are the fixed ALT, INFO and FORMAT header lines.
const vcfInfoLines = `##ALT=<ID=DEL,Description="Deletion">
##ALT=<ID=DUP,Description="Duplication">
##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count in genotypes">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in called genotypes">
##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency, AC/AN">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant described in this record">
##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Difference in length between REF and ALT alleles">
##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
`

func (w *vcfWriter) appendHeader(b []byte) []byte {
	p := w.p
	b = append(b, "##fileformat=VCFv4.2\n##source=bitbeacon popgen synthetic population, seed "...)
	b = strconv.AppendUint(b, p.cfg.Seed, 10)
	b = append(b, ", dataset "...)
	b = append(b, w.datasetID...)
	b = append(b, "\n##reference="...)
	b = append(b, p.cfg.Assembly...)
	b = append(b, '\n')
	for _, c := range p.chroms {
		b = append(b, "##contig=<ID="...)
		b = append(b, c.name...)
		b = append(b, ",length="...)
		b = appendInt(b, c.length)
		b = append(b, ",assembly="...)
		b = append(b, p.cfg.Assembly...)
		b = append(b, ">\n"...)
	}
	b = append(b, vcfInfoLines...)
	b = append(b, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT"...)
	for i := w.lo; i < w.hi; i++ {
		b = append(b, '\t')
		b = p.appendIndividualID(b, i)
		b = append(b, "-BS"...)
	}
	return append(b, '\n')
}

// svAlleles are the symbolic ALT alleles of SVs.
var svAlleles = [...]string{kindSVDel: "<DEL>", kindSVDup: "<DUP>"}

// appendRecord appends v as one VCF line.
func (w *vcfWriter) appendRecord(b []byte, v *variant) []byte {
	c := v.chrom
	sv := v.kind == kindSVDel || v.kind == kindSVDup
	b = append(b, c.name...)
	b = append(b, '\t')
	b = appendInt(b, v.pos)
	b = append(b, "\t.\t"...)
	var alt string
	if sv {
		b = append(b, refBase(c.order, v.pos))
		alt = svAlleles[v.kind]
		b = append(b, '\t')
		b = append(b, alt...)
	} else {
		b = append(b, v.ref...)
		b = append(b, '\t')
		b = append(b, v.alt...)
	}
	k := 0
	if c.x {
		k = 1
	}
	ac, an, af := v.ac, v.an, v.af
	if !w.whole() { // the range's own genotypes
		ac, an = w.alleleCount(v), w.an[k]
		af = float64(ac) / float64(an)
	}
	b = append(b, "\t.\tPASS\tAC="...)
	b = appendInt(b, int64(ac))
	b = append(b, ";AF="...)
	b = strconv.AppendFloat(b, af, 'g', 6, 64) // as BFF alleleFrequency
	b = append(b, ";AN="...)
	b = appendInt(b, int64(an))
	if sv {
		b = append(b, ";SVTYPE="...)
		b = append(b, variantTypes[v.kind]...)
		b = append(b, ";END="...)
		b = appendInt(b, v.pos+v.svLen)
		b = append(b, ";SVLEN="...)
		if v.kind == kindSVDel {
			b = append(b, '-')
		}
		b = appendInt(b, v.svLen)
	}
	b = append(b, ";ANN="...)
	b = appendANN(b, v, alt)
	b = append(b, "\tGT"...)

	base := len(b)
	b = append(b, w.gt[k]...)
	off := w.gtOff[k]
	for i, s := range v.carriers {
		if int(s) < w.lo || int(s) >= w.hi {
			continue
		}
		o := base + int(off[int(s)-w.lo])
		switch v.zyg[i] {
		case zygHet:
			b[o+2] = '1'
		case zygHom:
			b[o], b[o+2] = '1', '1'
		case zygHemi:
			b[o] = '1'
		}
	}
	return b
}

// alleleCount is the number of alternate alleles v's carriers in the
// writer's sample range have.
func (w *vcfWriter) alleleCount(v *variant) int {
	n := 0
	for i, s := range v.carriers {
		if int(s) >= w.lo && int(s) < w.hi {
			if v.zyg[i] == zygHom {
				n += 2
			} else {
				n++
			}
		}
	}
	return n
}

// appendANN appends the SnpEff ANN value of v; alt is the symbolic ALT of
// an SV, "" for small variants.
func appendANN(b []byte, v *variant, alt string) []byte {
	impact := effectImpact(v.effect, len(v.genes) > 0)
	entry := func(b []byte, g *Gene, hgvsP bool) []byte {
		if alt != "" {
			b = append(b, alt...)
		} else {
			b = append(b, v.alt...)
		}
		b = append(b, '|')
		b = append(b, v.effect.Label...)
		b = append(b, '|')
		b = append(b, impact...)
		if g == nil {
			return append(b, "|||||||||||||"...) // 16 fields
		}
		b = append(b, '|')
		b = append(b, g.Symbol...)
		b = append(b, '|')
		b = append(b, g.Symbol...)
		b = append(b, "|transcript||protein_coding|||"...) // Feature_Type .. HGVS.c
		if hgvsP && len(v.aaChange) > 0 {
			var aaPos []byte
			b, aaPos = appendHGVSp(b, v.aaChange)
			b = append(b, "|||"...) // cDNA, CDS
			b = append(b, aaPos...)
			b = append(b, '/')
			b = appendInt(b, v.protLen)
			return append(b, "||"...)
		}
		return append(b, "|||||"...)
	}
	if len(v.genes) == 0 {
		return entry(b, nil, false)
	}
	for i, g := range v.genes {
		if i > 0 {
			b = append(b, ',')
		}
		b = entry(b, g, i == 0) // aaChange is on the first gene
	}
	return b
}

// appendHGVSp appends the 3-letter HGVS protein change of a 1-letter one
// ("V158M" gives "p.Val158Met", "R12*" gives "p.Arg12*") and returns the
// position digits.
func appendHGVSp(b, aa []byte) ([]byte, []byte) {
	pos := aa[1 : len(aa)-1]
	b = append(b, "p."...)
	b = append(b, aminoAcid3(aa[0])...)
	b = append(b, pos...)
	if to := aa[len(aa)-1]; to == '*' {
		b = append(b, '*')
	} else {
		b = append(b, aminoAcid3(to)...)
	}
	return b, pos
}

// aminoAcid3 returns the 3-letter code of an amino acid of aminoAcids.
func aminoAcid3(a byte) string {
	switch a {
	case 'A':
		return "Ala"
	case 'C':
		return "Cys"
	case 'D':
		return "Asp"
	case 'E':
		return "Glu"
	case 'F':
		return "Phe"
	case 'G':
		return "Gly"
	case 'H':
		return "His"
	case 'I':
		return "Ile"
	case 'K':
		return "Lys"
	case 'L':
		return "Leu"
	case 'M':
		return "Met"
	case 'N':
		return "Asn"
	case 'P':
		return "Pro"
	case 'Q':
		return "Gln"
	case 'R':
		return "Arg"
	case 'S':
		return "Ser"
	case 'T':
		return "Thr"
	case 'V':
		return "Val"
	case 'W':
		return "Trp"
	case 'Y':
		return "Tyr"
	}
	panic("popgen: unknown amino acid " + string(a))
}

// effectImpact is SnpEff's putative impact of a molecular effect. Copy
// number changes, which SnpEff does not name, are HIGH (loss) or MODERATE
// (gain) over a gene and MODIFIER between genes.
func effectImpact(t term, genic bool) string {
	switch t {
	case soStopGained, soFrameshift:
		return "HIGH"
	case soMissense, soInframeDel, soInframeIns:
		return "MODERATE"
	case soSynonymous:
		return "LOW"
	case soCopyNumLoss:
		if genic {
			return "HIGH"
		}
	case soCopyNumGain:
		if genic {
			return "MODERATE"
		}
	}
	return "MODIFIER"
}
