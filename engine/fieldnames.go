package engine

import (
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// An alphanumeric filter names a field the way the other Beacons accept it, not only by the
// dotted path of a scalar leaf (diseases.ageOfOnset.iso8601duration):
//
//   - a field whose values are ontology terms by its own name (geographicOrigin, ethnicity,
//     sex, diseases.diseaseCode), which compares the term's label and its id, so that
//     "geographicOrigin = Wales" and "ethnicity = %pean%" work as on EGA's servers, whose
//     filters compare <field>.label;
//   - an age by the field holding it (diseases.ageOfOnset for its iso8601duration);
//   - a measure by its assay term's label as well as its id ("body mass index" > 25 is the
//     measures whose assayCode is labelled so, as the filter LOINC:39156-5 > 25 would be).
//
// fieldPaths resolves an id on one table to the paths it compares, into buf; none when the
// table has no such field.
func (s *Snapshot) fieldPaths(t *table, id string, buf []string) []string {
	if t.values.Has(id) {
		return append(buf, id)
	}
	if !strings.HasSuffix(id, ".") {
		// The candidates are put together in a stack buffer and only a path that exists
		// becomes a string: 64 wildcard filters tried every leaf of every entity, 4,000
		// strings a request.
		var name [128]byte
		for _, leaf := range termLeaves {
			p := append(append(name[:0], id...), leaf...)
			if t.values.HasBytes(p) {
				buf = append(buf, string(p))
			}
		}
		if len(buf) > 0 {
			return buf
		}
	}
	// A measure's value is indexed under its assay term id (ingest); find the assay terms
	// labelled id. Only an id that names nothing else gets here, so the walk over the paths
	// (a few hundred at most) is not on the path of ordinary filters.
	for _, p := range t.values.Paths() {
		if !strings.Contains(p, ":") {
			continue
		}
		if l := s.labels[p]; l != "" && strings.EqualFold(l, id) {
			buf = append(buf, p)
		}
	}
	return buf
}

// termLeaves are the leaves of an object that a filter naming the object compares: an
// ontology term's label first, as the other servers do, and its id; an age's ISO 8601
// duration (a timeElement, "diseases.ageOfOnset" > 31).
var termLeaves = [...]string{".label", ".id", ".iso8601duration", ".age.iso8601duration"}

// matchPaths evaluates op value on the union of paths of one table: a row matches when one
// of its values at any of the paths does; "!" is every row that "=" does not match.
func (t *table) matchPaths(paths []string, op, value string) (*roaring.Bitmap, error) {
	if len(paths) == 1 {
		return t.values.Match(paths[0], op, value)
	}
	neg := op == "!" || op == "!="
	if neg {
		op = "="
	}
	var out *roaring.Bitmap
	for _, p := range paths {
		bm, err := t.values.Match(p, op, value)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = bm
		} else {
			out.Or(bm)
		}
	}
	if neg {
		return roaring.AndNot(t.all, out), nil
	}
	return out, nil
}
