package compare

import (
	"github.com/bitbeacon/bitbeacon/release"
)

// eachCarrier calls fn with every (variant row, dataset index, sample index) of the release,
// decoding the roaring carrier bitmaps (no SQL engine reads them).
func eachCarrier(r *release.Reader, lay *layout, fn func(vrow, ds, sample int32) error) error {
	for i, ds := range lay.m.Datasets {
		if ds.Files[release.GenomicVariation] == "" {
			continue
		}
		row := int32(lay.offsets[release.GenomicVariation][i])
		err := r.ReadVariants(ds.ID, func(v *release.Variant) error {
			if v.CarrierBits != nil {
				it := v.CarrierBits.Iterator()
				for it.HasNext() {
					if err := fn(row, int32(i), int32(it.Next())); err != nil {
						return err
					}
				}
			}
			row++
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
