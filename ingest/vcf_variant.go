package ingest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// One ALT allele of a line as a variant: which ALTs stand for none, what kind an ALT is,
// and the coordinates and alleles of the variant.

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
