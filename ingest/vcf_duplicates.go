package ingest

import (
	"slices"

	"github.com/bitbeacon/bitbeacon/release"
)

// dupCheck notices a variantInternalId written twice at the same position (a VCF with the
// same record twice, or a multi-allelic line repeating an ALT). Input is sorted by position
// in practice, so looking back over the current position is enough.
type dupCheck struct {
	chrom string
	start int64
	ids   []string
}

// check reports whether v's id was seen before at this position.
func (d *dupCheck) check(v *release.Variant) bool {
	if v.Chrom != d.chrom || v.Start != d.start {
		d.chrom, d.start, d.ids = v.Chrom, v.Start, d.ids[:0]
	}
	if slices.Contains(d.ids, v.ID) {
		return true
	}
	d.ids = append(d.ids, v.ID)
	return false
}
