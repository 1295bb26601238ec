package release

import (
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
)

// FullJSON returns the record of v as it is served: JSON itself, or, for a variant with
// CaseLevelFromCarriers and at least one carrier, a new slice holding JSON with its
// caseLevelData appended before the closing brace (AppendCaseLevelData). samples is the
// dataset's sample list (Reader.ReadSamples).
func (v *Variant) FullJSON(samples []string) ([]byte, error) {
	if !v.CaseLevelFromCarriers || v.CarrierBits == nil || v.CarrierBits.IsEmpty() {
		return v.JSON, nil
	}
	js := v.JSON
	if len(js) < 2 || js[len(js)-1] != '}' {
		return nil, fmt.Errorf("release: variant %q: record JSON is not an object", v.ID)
	}
	out := make([]byte, 0, len(js)+int(v.CarrierBits.GetCardinality())*72+20)
	out = append(out, js[:len(js)-1]...)
	if len(js) > 2 {
		out = append(out, ',')
	}
	out, err := AppendCaseLevelData(out, v.CarrierBits, v.Zygosity, samples)
	if err != nil {
		return nil, fmt.Errorf("release: variant %q: %w", v.ID, err)
	}
	return append(out, '}'), nil
}

// AppendCaseLevelData appends `"caseLevelData":[...]`, the member a variant with
// CaseLevelFromCarriers stands for: one entry per carrier, in sample-index order,
// {"biosampleId":<sample id>,"zygosity":{"id":<id>,"label":<label>}}, without zygosity for
// a carrier in no zygosity set. This is the definition the engine's rendering follows.
func AppendCaseLevelData(dst []byte, carriers *roaring.Bitmap, zyg []ZygositySet, samples []string) ([]byte, error) {
	dst = append(dst, `"caseLevelData":[`...)
	first := true
	var err error
	carriers.Iterate(func(x uint32) bool {
		if int(x) >= len(samples) {
			err = fmt.Errorf("carrier sample index %d, the dataset has %d samples", x, len(samples))
			return false
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, `{"biosampleId":`...)
		dst = AppendJSONString(dst, samples[x])
		for i := range zyg {
			if zyg[i].Bits != nil && zyg[i].Bits.Contains(x) {
				dst = AppendZygosity(dst, zyg[i].ID, zyg[i].Label)
				break
			}
		}
		dst = append(dst, '}')
		return true
	})
	return append(dst, ']'), err
}

// AppendZygosity appends `,"zygosity":{"id":<id>,"label":<label>}`.
func AppendZygosity(dst []byte, id, label string) []byte {
	dst = append(dst, `,"zygosity":{"id":`...)
	dst = AppendJSONString(dst, id)
	dst = append(dst, `,"label":`...)
	dst = AppendJSONString(dst, label)
	return append(dst, '}')
}
