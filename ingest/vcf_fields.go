package ingest

import (
	"strconv"

	"github.com/bitbeacon/bitbeacon/release"
)

// The fields a variant from a VCF is indexed by, recorded while its JSON is written
// (vcf_record.go): the scalar leaves of the record by dotted path, as NormalizeVariant's
// walker finds them in that JSON (TestVCFRecordKeysEqualNormalizeVariant holds them equal).

// field records one scalar leaf, as the walker of NormalizeRecord would.
func (p *vcfParser) field(path, val string) {
	if len(val) <= maxFieldValue {
		p.fields = append(p.fields, release.Field{Path: path, Value: val})
	}
}

// variationFields records the variation leaves, in path order: recorded last, the fields
// are then nearly sorted already and an insertion sort finishes the job.
func (p *vcfParser) variationFields(v *release.Variant, alt string, symbolic bool) {
	p.field("variation.alternateBases", alt)
	p.field("variation.location.interval.end.type", "Number")
	p.field("variation.location.interval.end.value", strconv.FormatInt(v.End, 10))
	p.field("variation.location.interval.start.type", "Number")
	p.field("variation.location.interval.start.value", strconv.FormatInt(v.Start, 10))
	p.field("variation.location.interval.type", "SequenceInterval")
	p.field("variation.location.sequence_id", p.seqID)
	p.field("variation.location.type", "SequenceLocation")
	if !symbolic {
		p.field("variation.referenceBases", v.Ref)
	}
	p.field("variation.variantType", v.VariantType)
}

// insertionSortFields sorts fields by path, then value: the order of NormalizeRecord's.
func insertionSortFields(fs []release.Field) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fieldLess(fs[j], fs[j-1]); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func fieldLess(a, b release.Field) bool {
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	return a.Value < b.Value
}
