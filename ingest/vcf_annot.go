package ingest

import (
	"bytes"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// Functional annotations of a VCF: SnpEff's INFO/ANN (the "VCF annotation format" v1.0:
// Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID |
// Transcript_BioType | Rank | HGVS.c | HGVS.p | ...) and Ensembl VEP's INFO/CSQ (sub-fields
// named by the "Format: ..." of its ##INFO header line). Only the annotations of the ALT
// allele a variant stands for are used.

// effectTerm is one molecular effect of a variant: the id its consequence is written under
// (release.Effect.ID) and the name as the annotator wrote it.
type effectTerm struct{ id, label string }

// annEntry is one annotation (one transcript or feature) of one allele, as byte slices into
// the INFO column.
type annEntry struct {
	allele      []byte
	alleleNum   int // VEP ALLELE_NUM (1-based ALT index), 0 if not given
	effect      []byte
	impact      []byte
	gene        []byte
	featureType []byte
	feature     []byte
	hgvsC       []byte
	hgvsP       []byte
	vep         bool
}

// annLayout says where the sub-fields ingest reads sit in one annotation (-1 when absent):
// fixed by the format for SnpEff's ANN (snpEffLayout), named by the ##INFO header for VEP's
// CSQ (newCSQLayout). One parser (parseAnnotations) reads both through it.
type annLayout struct {
	allele, alleleNum, consequence, impact, symbol, gene, featureType, feature, hgvsc, hgvsp int
	// minSubfields is the fewest sub-fields an annotation must have to be read at all.
	minSubfields int
	// vep marks CSQ: its alleles are written VEP's way (vepAllele) and its HGVS ids carry
	// their accession ("ENST...:c.", "ENSP...:p.").
	vep bool
}

// snpEffLayout is the SnpEff ANN sub-fields ingest reads, at the positions the ANN format
// fixes ("Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type |
// Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | ..."). ANN has no allele
// number, and its gene is Gene_Name only (Gene_ID is not read). An annotation without
// Allele and Annotation says nothing.
var snpEffLayout = annLayout{
	allele:       0,  // Allele
	consequence:  1,  // Annotation
	impact:       2,  // Annotation_Impact
	symbol:       3,  // Gene_Name
	featureType:  5,  // Feature_Type
	feature:      6,  // Feature_ID
	hgvsc:        9,  // HGVS.c
	hgvsp:        10, // HGVS.p
	alleleNum:    -1,
	gene:         -1,
	minSubfields: 2,
}

// newCSQLayout finds the CSQ sub-fields by the names of the header's "Format: ..." list
// (case-insensitively); nil when the header gives none.
func newCSQLayout(names []string) *annLayout {
	if len(names) == 0 {
		return nil
	}
	l := &annLayout{vep: true}
	idx := func(name string) int {
		for i, n := range names {
			if strings.EqualFold(strings.TrimSpace(n), name) {
				return i
			}
		}
		return -1
	}
	l.allele, l.alleleNum, l.consequence, l.impact = idx("Allele"), idx("ALLELE_NUM"), idx("Consequence"), idx("IMPACT")
	l.symbol, l.gene, l.featureType, l.feature = idx("SYMBOL"), idx("Gene"), idx("Feature_type"), idx("Feature")
	l.hgvsc, l.hgvsp = idx("HGVSc"), idx("HGVSp")
	return l
}

// splitPipes splits one annotation into its '|'-separated sub-fields (into dst).
func splitPipes(dst [][]byte, s []byte) [][]byte {
	dst = dst[:0]
	for {
		i := bytes.IndexByte(s, '|')
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
}

func at(f [][]byte, i int) []byte {
	if i < 0 || i >= len(f) {
		return nil
	}
	return f[i]
}

// parseAnnotations appends the annotations of an ANN or CSQ value (comma-separated, each
// '|'-separated), reading the sub-fields where l says they are. A missing gene symbol falls
// back to the gene id, where the layout has one (CSQ's Gene).
func (p *vcfParser) parseAnnotations(v []byte, l *annLayout) {
	for len(v) > 0 {
		var one []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			one, v = v[:i], v[i+1:]
		} else {
			one, v = v, nil
		}
		p.sub = splitPipes(p.sub, one)
		f := p.sub
		if len(f) < l.minSubfields {
			continue
		}
		e := annEntry{vep: l.vep, allele: at(f, l.allele), effect: at(f, l.consequence), impact: at(f, l.impact),
			gene: at(f, l.symbol), featureType: at(f, l.featureType), feature: at(f, l.feature),
			hgvsC: at(f, l.hgvsc), hgvsP: at(f, l.hgvsp)}
		if len(e.gene) == 0 {
			e.gene = at(f, l.gene)
		}
		if n := at(f, l.alleleNum); len(n) > 0 {
			e.alleleNum = atoiSmall(n)
		}
		p.ann = append(p.ann, e)
	}
}

// atoiSmall reads a small decimal number (an allele number); 0 when b is not one.
func atoiSmall(b []byte) int {
	n := 0
	for _, c := range b {
		if !lexical.IsDigit(c) || n > 1<<20 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// vepAllele is how VEP writes an ALT allele in CSQ: when REF and every ALT share their first
// base, that base is dropped (an empty remainder is "-"); otherwise the ALT as it is.
func vepAllele(ref []byte, alts [][]byte, k int) []byte {
	alt := alts[k]
	if len(ref) == 0 || alt[0] == '<' {
		return alt
	}
	for _, a := range alts {
		if len(a) == 0 || a[0] == '<' || a[0] == '*' || a[0] == '.' {
			continue
		}
		if a[0] != ref[0] {
			return alt
		}
	}
	if len(alt) == 1 {
		return []byte("-")
	}
	return alt[1:]
}

// annotations is what the annotations of one ALT allele give a variant.
type annotations struct {
	genes, impacts, aaRecord, aaIndex, txHGVS, protHGVS []string
	effects                                             []effectTerm
}

func (a *annotations) reset() {
	a.genes, a.impacts, a.aaRecord, a.aaIndex = a.genes[:0], a.impacts[:0], a.aaRecord[:0], a.aaIndex[:0]
	a.txHGVS, a.protHGVS, a.effects = a.txHGVS[:0], a.protHGVS[:0], a.effects[:0]
}

// collect fills p.out from the annotations of ALT k (1-based) whose text is alt.
func (p *vcfParser) collect(k int, alt []byte, vep []byte, single bool) {
	out := &p.out
	out.reset()
	for i := range p.ann {
		e := &p.ann[i]
		switch {
		case e.alleleNum > 0:
			if e.alleleNum != k {
				continue
			}
		case e.vep:
			if !single && !bytes.EqualFold(e.allele, vep) && !bytes.EqualFold(e.allele, alt) {
				continue
			}
		default:
			if !single && !bytes.EqualFold(e.allele, alt) {
				continue
			}
		}
		if g := bytes.TrimSpace(e.gene); len(g) > 0 {
			out.genes = appendUniq(out.genes, p.intern(g))
		}
		if imp := bytes.TrimSpace(e.impact); len(imp) > 0 {
			out.impacts = appendUniq(out.impacts, p.intern(imp))
		}
		for ef := range bytes.SplitSeq(e.effect, []byte{'&'}) {
			ef = bytes.TrimSpace(ef)
			if len(ef) == 0 {
				continue
			}
			eff, ok := release.EffectByName(string(ef))
			if !ok {
				p.unknownEffects[string(ef)]++
				continue
			}
			name := p.intern(ef)
			if id := eff.ID(); !containsTerm(out.effects, id) {
				out.effects = append(out.effects, effectTerm{id, name})
			}
		}
		if hp := cleanHGVS(e.hgvsP); len(hp) > 0 {
			if e.vep {
				// VEP: "ENSP00000288602.6:p.Val600Glu"
				out.protHGVS = appendUniq(out.protHGVS, string(hp))
				if c := bytes.IndexByte(hp, ':'); c >= 0 {
					hp = hp[c+1:]
				}
			}
			if one, three, ok := aminoacidChange(hp); ok {
				out.aaRecord = appendUniq(out.aaRecord, one)
				out.aaIndex = appendUniq(out.aaIndex, one)
				out.aaIndex = appendUniq(out.aaIndex, three)
			}
		}
		if hc := cleanHGVS(e.hgvsC); len(hc) > 0 {
			switch {
			case e.vep:
				// VEP: "ENST00000288602.11:c.1799T>A"
				if bytes.IndexByte(hc, ':') > 0 {
					out.txHGVS = appendUniq(out.txHGVS, string(hc))
				}
			case bytes.EqualFold(e.featureType, []byte("transcript")) && len(e.feature) > 0:
				// SnpEff: Feature_ID + ":" + HGVS.c; intergenic "n." notations have no
				// transcript to refer to.
				out.txHGVS = appendUniq(out.txHGVS, string(e.feature)+":"+string(hc))
			}
		}
	}
}

func containsTerm(ts []effectTerm, id string) bool {
	for _, t := range ts {
		if t.id == id {
			return true
		}
	}
	return false
}

func appendUniq(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// cleanHGVS trims an HGVS value and decodes VEP's URI escapes of '=' (%3D); "." and empty
// mean none.
func cleanHGVS(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) == 1 && b[0] == '.' {
		return nil
	}
	if bytes.Contains(b, []byte("%3D")) {
		b = bytes.ReplaceAll(b, []byte("%3D"), []byte("="))
	}
	return b
}

// aminoAcids maps the HGVS three-letter amino-acid codes to one letter.
var aminoAcids = map[string]byte{
	"Ala": 'A', "Arg": 'R', "Asn": 'N', "Asp": 'D', "Cys": 'C', "Gln": 'Q', "Glu": 'E',
	"Gly": 'G', "His": 'H', "Ile": 'I', "Leu": 'L', "Lys": 'K', "Met": 'M', "Phe": 'F',
	"Pro": 'P', "Ser": 'S', "Thr": 'T', "Trp": 'W', "Tyr": 'Y', "Val": 'V', "Sec": 'U',
	"Pyl": 'O', "Ter": '*', "Xaa": 'X', "Asx": 'B', "Glx": 'Z',
}

// aminoacidChange turns an HGVS protein change ("p.Val600Glu", "p.(Gly12Asp)",
// "p.Leu36_Leu38del", "p.Gln5fs", "p.Trp24Ter") into the one-letter form Beacon queries use
// ("V600E", "G12D", "L36_L38del", "Q5fs", "W24*") and the three-letter form without "p."
// ("Val600Glu"), which is what vcf2bff stores. ok is false for values without a position
// ("p.?", "p.=", "p.0").
func aminoacidChange(hp []byte) (one, three string, ok bool) {
	s := string(bytes.TrimPrefix(hp, []byte("p.")))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	if s == "" || !strings.ContainsAny(s, "0123456789") || s == "0" {
		return "", "", false
	}
	three = s
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 'A' && c <= 'Z' && i+3 <= len(s) {
			if aa, ok := aminoAcids[s[i:i+3]]; ok {
				b = append(b, aa)
				i += 3
				continue
			}
			// An unknown capitalised code: leave the whole change as it is.
			return three, three, true
		}
		b = append(b, c)
		i++
	}
	return string(b), three, true
}
