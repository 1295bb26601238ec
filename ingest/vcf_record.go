package ingest

import (
	"slices"
	"strconv"

	"github.com/bitbeacon/bitbeacon/release"
)

// A variant's stored record: its JSON written by hand, with the fields the index keys it by
// recorded alongside (vcf_fields.go), and its carriers and calls from the genotypes
// (vcf_carriers.go, vcf_calls.go).

// record writes v's JSON (by hand), carriers, terms and fields. Fields follow
// NormalizeVariant's walker: every scalar leaf except variantInternalId and caseLevelData,
// by dotted path, arrays transparent. The carriers go to CarrierBits and Zygosity as sample
// indexes, and the JSON has no caseLevelData: the engine renders it from them.
func (p *vcfParser) record(v *release.Variant, hgvs string, symbolic, breakend bool, filter []byte, k int) {
	p.fields, p.terms = p.fields[:0], p.terms[:0]
	// A symbolic allele or a breakend has no bases the schema's pattern allows: alternateBases
	// is "N" and variantType says what it is (the allele as written stays in the index
	// column alt).
	alt := v.Alt
	if symbolic || breakend {
		alt = "N"
	}
	b := append(p.js[:0], `{"variantInternalId":`...)
	b = release.AppendJSONString(b, v.ID)
	b = p.appendVariation(b, v, alt, symbolic)
	b = p.appendIdentifiers(b, v, hgvs)
	b = p.appendMolecularAttributes(b, v)
	b = p.appendQuality(b, filter)
	b = append(b, '}')
	p.js = b
	v.JSON = slices.Clone(b)

	p.carriersOf(v, k)
	p.setCalls(v)
	slices.Sort(p.terms)
	if t := slices.Compact(p.terms); len(t) > 0 {
		v.Terms = slices.Clone(t)
	}
	p.variationFields(v, alt, symbolic)
	insertionSortFields(p.fields)
	if f := slices.Compact(p.fields); len(f) > 0 {
		v.Fields = slices.Clone(f)
	}
}

// appendVariation writes "variation", a LegacyVariation. A symbolic allele's padding base
// lies before start, so it has no referenceBases. Its fields are recorded last, by
// variationFields.
func (p *vcfParser) appendVariation(b []byte, v *release.Variant, alt string, symbolic bool) []byte {
	b = append(b, `,"variation":{"variantType":`...)
	b = release.AppendJSONString(b, v.VariantType)
	if !symbolic {
		b = append(b, `,"referenceBases":`...)
		b = release.AppendJSONString(b, v.Ref)
	}
	b = append(b, `,"alternateBases":`...)
	b = release.AppendJSONString(b, alt)
	b = append(b, `,"location":{"type":"SequenceLocation","sequence_id":`...)
	b = release.AppendJSONString(b, p.seqID)
	b = append(b, `,"interval":{"type":"SequenceInterval","start":{"type":"Number","value":`...)
	b = strconv.AppendInt(b, v.Start, 10)
	b = append(b, `},"end":{"type":"Number","value":`...)
	b = strconv.AppendInt(b, v.End, 10)
	return append(b, `}}}}`...)
}

// appendIdentifiers writes "identifiers" (genomic, transcript and protein HGVS ids), when
// there are any, and adds them to the variant's HGVS index keys.
func (p *vcfParser) appendIdentifiers(b []byte, v *release.Variant, hgvs string) []byte {
	o := &p.out
	if hgvs == "" && len(o.txHGVS) == 0 && len(o.protHGVS) == 0 {
		return b
	}
	b = append(b, `,"identifiers":{`...)
	sep := false
	if hgvs != "" {
		b = append(b, `"genomicHGVSId":`...)
		b = release.AppendJSONString(b, hgvs)
		p.field("identifiers.genomicHGVSId", hgvs)
		v.HGVSIDs = append(v.HGVSIDs, hgvs)
		sep = true
	}
	b, sep = p.stringArray(b, sep, "transcriptHGVSIds", "identifiers.transcriptHGVSIds", o.txHGVS)
	b, _ = p.stringArray(b, sep, "proteinHGVSIds", "identifiers.proteinHGVSIds", o.protHGVS)
	v.HGVSIDs = appendUnique(v.HGVSIDs, o.txHGVS...)
	v.HGVSIDs = appendUnique(v.HGVSIDs, o.protHGVS...)
	return append(b, '}')
}

// appendMolecularAttributes writes "molecularAttributes" from the annotations (genes,
// effects as terms, amino-acid changes, impacts), when there are any.
func (p *vcfParser) appendMolecularAttributes(b []byte, v *release.Variant) []byte {
	o := &p.out
	if len(o.genes)+len(o.effects)+len(o.aaRecord)+len(o.impacts) == 0 {
		return b
	}
	b = append(b, `,"molecularAttributes":{`...)
	sep := false
	b, sep = p.stringArray(b, sep, "geneIds", "molecularAttributes.geneIds", o.genes)
	if len(o.effects) > 0 {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"molecularEffects":[`...)
		for i, e := range o.effects {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = release.AppendJSONString(b, e.id)
			b = append(b, `,"label":`...)
			b = release.AppendJSONString(b, e.label)
			b = append(b, '}')
			p.field("molecularAttributes.molecularEffects.id", e.id)
			p.field("molecularAttributes.molecularEffects.label", e.label)
			p.terms = append(p.terms, e.id)
		}
		b = append(b, ']')
		sep = true
	}
	b, sep = p.stringArray(b, sep, "aminoacidChanges", "molecularAttributes.aminoacidChanges", o.aaRecord)
	b, _ = p.stringArray(b, sep, "annotationImpact", "molecularAttributes.annotationImpact", o.impacts)
	v.GeneIDs = slices.Clone(o.genes)
	v.AminoacidChanges = slices.Clone(o.aaIndex)
	return append(b, '}')
}

// appendQuality writes "variantQuality" as vcf2bff writes it (QUAL a number, FILTER as
// given), when either is set.
func (p *vcfParser) appendQuality(b []byte, filter []byte) []byte {
	filterDot := len(filter) == 0 || len(filter) == 1 && filter[0] == '.'
	if len(p.qualBuf) == 0 && filterDot {
		return b
	}
	b = append(b, `,"variantQuality":{`...)
	if len(p.qualBuf) > 0 {
		b = append(b, `"QUAL":`...)
		b = append(b, p.qualBuf...)
		p.field("variantQuality.QUAL", string(p.qualBuf))
	}
	if !filterDot {
		if len(p.qualBuf) > 0 {
			b = append(b, ',')
		}
		f := p.intern(filter)
		b = append(b, `"FILTER":`...)
		b = release.AppendJSONString(b, f)
		p.field("variantQuality.FILTER", f)
	}
	return append(b, '}')
}

// stringArray appends `"key":[...]` (after a comma when sep) for a non-empty list, and its
// values as fields.
func (p *vcfParser) stringArray(b []byte, sep bool, key, path string, vals []string) ([]byte, bool) {
	if len(vals) == 0 {
		return b, sep
	}
	if sep {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `":[`...)
	for i, s := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = release.AppendJSONString(b, s)
		p.field(path, s)
	}
	return append(b, ']'), true
}
