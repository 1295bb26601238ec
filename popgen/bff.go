package popgen

import (
	"bufio"
	"encoding/json"
	"strconv"
)

// variantWriter renders variants as BFF genomicVariation records by hand:
// caseLevelData dominates the output at scale, so every per-sample fragment
// is precomputed and a record is a series of appends into one reused buffer.
type variantWriter struct {
	p        *plan
	buf      []byte
	clPrefix []byte  // all samples' `{"biosampleId":"DEMO0001-BS","zygosity":`
	clOff    []int32 // clPrefix offsets: sample i is clPrefix[clOff[i]:clOff[i+1]]
	zygJSON  [3]string
	freqHead string // frequencyInPopulations up to the allele frequency value
	effects  map[term]string
}

func newVariantWriter(p *plan) *variantWriter {
	w := &variantWriter{p: p, buf: make([]byte, 0, 64<<10), effects: map[term]string{}}
	w.clOff = make([]int32, 0, len(p.samples)+1)
	for i := range p.samples {
		w.clOff = append(w.clOff, int32(len(w.clPrefix)))
		w.clPrefix = append(w.clPrefix, `{"biosampleId":"`...)
		w.clPrefix = p.appendIndividualID(w.clPrefix, i)
		w.clPrefix = append(w.clPrefix, `-BS","zygosity":`...)
	}
	w.clOff = append(w.clOff, int32(len(w.clPrefix)))
	w.zygJSON[zygHet] = termJSON(termHet) + "}"
	w.zygJSON[zygHom] = termJSON(termHom) + "}"
	w.zygJSON[zygHemi] = termJSON(termHemi) + "}"
	w.freqHead = `,"frequencyInPopulations":[{"source":"bitbeacon popgen synthetic population",` +
		`"sourceReference":"https://github.com/bitbeacon/bitbeacon",` +
		`"version":` + jsonString("popgen seed "+strconv.FormatUint(p.cfg.Seed, 10)) +
		`,"frequencies":[{"population":` + jsonString(p.cfg.DatasetID) + `,"alleleFrequency":`
	return w
}

func termJSON(t term) string {
	return `{"id":` + jsonString(t.ID) + `,"label":` + jsonString(t.Label) + `}`
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

func appendInt(b []byte, x int64) []byte { return strconv.AppendInt(b, x, 10) }

var variantTypes = [...]string{kindSNV: "SNP", kindDel: "INDEL", kindIns: "INDEL", kindSVDel: "DEL", kindSVDup: "DUP"}

// appendVariant appends v as one BFF genomicVariation record.
func (w *variantWriter) appendVariant(b []byte, v *variant) []byte {
	c := v.chrom
	// variantInternalId: <chrom>_<POS>_<ref>_<alt>, the SV type as alt for SVs.
	b = append(b, `{"variantInternalId":"`...)
	b = append(b, c.name...)
	b = append(b, '_')
	b = appendInt(b, v.pos)
	b = append(b, '_')
	b = append(b, v.ref...)
	b = append(b, '_')
	if v.kind == kindSVDel || v.kind == kindSVDup {
		b = append(b, variantTypes[v.kind]...)
	} else {
		b = append(b, v.alt...)
	}

	b = append(b, `","variation":{"variantType":"`...)
	b = append(b, variantTypes[v.kind]...)
	b = append(b, `","referenceBases":"`...)
	b = append(b, v.ref...)
	b = append(b, `","alternateBases":"`...)
	b = append(b, v.alt...)
	b = append(b, `","location":{"type":"SequenceLocation","sequence_id":"refseq:`...)
	b = append(b, c.refseq...)
	b = append(b, `","interval":{"type":"SequenceInterval","start":{"type":"Number","value":`...)
	b = appendInt(b, v.start)
	b = append(b, `},"end":{"type":"Number","value":`...)
	b = appendInt(b, v.end)
	b = append(b, `}}}}`...)

	b = append(b, `,"identifiers":{"genomicHGVSId":"`...)
	b = w.appendHGVS(b, v)
	b = append(b, `"}`...)

	b = append(b, `,"molecularAttributes":{`...)
	if len(v.genes) > 0 {
		b = append(b, `"geneIds":[`...)
		for i, g := range v.genes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, g.Symbol...)
			b = append(b, '"')
		}
		b = append(b, `],`...)
	}
	b = append(b, `"molecularEffects":[`...)
	b = append(b, w.effectJSON(v.effect)...)
	b = append(b, ']')
	if len(v.aaChange) > 0 {
		b = append(b, `,"aminoacidChanges":["`...)
		b = append(b, v.aaChange...)
		b = append(b, `"]`...)
	}
	b = append(b, '}')

	b = append(b, `,"caseLevelData":[`...)
	for i, s := range v.carriers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, w.clPrefix[w.clOff[s]:w.clOff[s+1]]...)
		b = append(b, w.zygJSON[v.zyg[i]]...)
	}
	b = append(b, ']')

	b = append(b, w.freqHead...)
	b = strconv.AppendFloat(b, v.af, 'g', 6, 64)
	b = append(b, `}]}]}`...)
	return b
}

func (w *variantWriter) effectJSON(t term) string {
	s, ok := w.effects[t]
	if !ok {
		s = termJSON(t)
		w.effects[t] = s
	}
	return s
}

// appendHGVS appends the genomic HGVS expression of v on its RefSeq
// sequence (1-based positions).
func (w *variantWriter) appendHGVS(b []byte, v *variant) []byte {
	b = append(b, v.chrom.refseq...)
	b = append(b, ":g."...)
	switch v.kind {
	case kindSNV:
		b = appendInt(b, v.pos)
		b = append(b, v.ref...)
		b = append(b, '>')
		b = append(b, v.alt...)
	case kindDel: // deleted: pos+1 .. pos+len(ref)-1
		b = appendInt(b, v.pos+1)
		if last := v.pos + int64(len(v.ref)) - 1; last > v.pos+1 {
			b = append(b, '_')
			b = appendInt(b, last)
		}
		b = append(b, "del"...)
	case kindIns: // inserted between pos and pos+1
		b = appendInt(b, v.pos)
		b = append(b, '_')
		b = appendInt(b, v.pos+1)
		b = append(b, "ins"...)
		b = append(b, v.alt[1:]...)
	case kindSVDel, kindSVDup: // affected: start+1 .. end
		b = appendInt(b, v.start+1)
		b = append(b, '_')
		b = appendInt(b, v.end)
		if v.kind == kindSVDel {
			b = append(b, "del"...)
		} else {
			b = append(b, "dup"...)
		}
	}
	return b
}

// writeVariants streams genomicVariations.json.
func (p *plan) writeVariants(bw *bufio.Writer) error {
	s := newVariantStream(p)
	w := newVariantWriter(p)
	a := arrayWriter{w: bw}
	a.begin()
	for v := s.next(); v != nil; v = s.next() {
		w.buf = w.appendVariant(w.buf[:0], v)
		a.record(w.buf)
	}
	a.end()
	return nil
}
