package ingest

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// maxFieldValue bounds the strings indexed as fields: longer text (descriptions, notes) is
// not something an alphanumeric filter compares against, and would only bloat the index.
const maxFieldValue = 200

// linkKeys are the top-level keys that link a record to records of other entities.
const (
	keyIndividualID = "individualId"
	keyBiosampleID  = "biosampleId"
	keyRunID        = "runId"
	keyAnalysisID   = "analysisId"
	keyDatasetID    = "datasetId"
)

// NormalizeRecord turns one decoded BFF record (any entity but genomicVariation) into a
// release.Record: it checks the id, assigns the dataset, drops tool-private "_" keys, folds
// "PFX:PFX_123" CURIEs to "PFX:123", and extracts terms, fields and links. Deviations from
// the Beacon v2 model that do not stop the record being understood come back as warnings;
// raw is modified in place. A dataset record always gets datasetID as its id, so that it is
// found under the id all other records carry.
func NormalizeRecord(e release.Entity, raw map[string]any, datasetID string) (*release.Record, []Warning, error) {
	if e == release.GenomicVariation {
		return nil, nil, fieldErr("", "genomicVariation records go through NormalizeVariant")
	}
	var warns []Warning
	id, err := requireString(raw, "id")
	if err != nil {
		return nil, nil, err
	}
	if e == release.Dataset && datasetID != "" && id != datasetID {
		warns = append(warns, Warning{Field: "id", Msg: "dataset record id " + strconv.Quote(id) + " differs from the dataset being ingested; stored as " + strconv.Quote(datasetID)})
		raw["id"] = datasetID
		id = datasetID
	}
	warns = assignDataset(raw, datasetID, warns)
	warns = checkRecord(e, raw, warns)
	r := &release.Record{ID: id, DatasetID: datasetID}
	r.IndividualID, warns = link(raw, keyIndividualID, warns)
	r.BiosampleID, warns = link(raw, keyBiosampleID, warns)
	r.RunID, warns = link(raw, keyRunID, warns)
	r.AnalysisID, warns = link(raw, keyAnalysisID, warns)
	w := walker{skipTop: map[string]bool{"id": true}}
	w.object(raw, "", true, false)
	r.Terms, r.Fields = w.result()
	if r.JSON, err = marshal(raw); err != nil {
		return nil, nil, fieldErr("", "cannot encode record: %v", err)
	}
	return r, warns, nil
}

// requireString returns a required non-empty string field.
func requireString(raw map[string]any, key string) (string, error) {
	v, ok := raw[key]
	if !ok || v == nil {
		return "", fieldErr(key, "missing (required)")
	}
	s, ok := v.(string)
	if !ok {
		return "", fieldErr(key, "want a string, got %s", jsonKind(v))
	}
	if strings.TrimSpace(s) == "" {
		return "", fieldErr(key, "empty (required)")
	}
	return s, nil
}

// assignDataset makes the record belong to datasetID: the dataset being ingested owns every
// record in it, whatever the source file said.
func assignDataset(raw map[string]any, datasetID string, warns []Warning) []Warning {
	v, ok := raw[keyDatasetID]
	if !ok {
		return warns
	}
	if s, _ := v.(string); s != datasetID {
		warns = append(warns, Warning{Field: keyDatasetID, Msg: "record says " + shortJSON(v) + ", stored as " + strconv.Quote(datasetID)})
		raw[keyDatasetID] = datasetID
	}
	return warns
}

// link returns a top-level link id; a non-string is kept in the JSON but not used as a link.
func link(raw map[string]any, key string, warns []Warning) (string, []Warning) {
	v, ok := raw[key]
	if !ok || v == nil {
		return "", warns
	}
	s, ok := v.(string)
	if !ok {
		return "", append(warns, Warning{Field: key, Msg: "want a string id, got " + jsonKind(v) + "; not used as a link"})
	}
	return s, warns
}

// walker makes one pass over a record: it deletes "_" keys, normalises CURIEs in place and
// collects ontology terms and scalar fields.
type walker struct {
	skipTop    map[string]bool // top-level keys whose leaves are not fields
	skipFields map[string]bool // top-level subtrees not indexed as fields (still walked)
	terms      []string
	fields     []release.Field
}

func (w *walker) object(m map[string]any, prefix string, top, noField bool) {
	for k, v := range m {
		if strings.HasPrefix(k, "_") {
			// Tool-private annotations (MongoDB _id, vcf2bff _info/_position,
			// _CLINVAR_ALLELEID): not part of the Beacon model, never returned.
			delete(m, k)
			continue
		}
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		if s, ok := v.(string); ok {
			if n, changed := release.NormalizeCURIE(s); changed {
				m[k] = n
				v = n
			}
		}
		if !top && k == "id" {
			if s, ok := v.(string); ok && isCURIE(s) {
				w.terms = append(w.terms, s)
			}
		}
		w.value(v, path, noField || top && (w.skipTop[k] || w.skipFields[k]))
	}
	if !noField {
		w.measurement(m)
	}
}

// measurement indexes a measure's value under its assay term as well, so that an
// alphanumeric filter like "LOINC:35925-4 > 25" (BMI above 25) compares the BMI only and not
// every measurement value of the record, which is what a path filter on
// measures.measurementValue.value would do.
func (w *walker) measurement(m map[string]any) {
	assay, ok := m["assayCode"].(map[string]any)
	if !ok {
		return
	}
	id, ok := assay["id"].(string)
	if !ok || !isCURIE(id) {
		return
	}
	mv, ok := m["measurementValue"].(map[string]any)
	if !ok {
		return
	}
	v, ok := mv["value"]
	if q, isQuantity := mv["quantity"].(map[string]any); !ok && isQuantity {
		v, ok = q["value"]
	}
	if !ok {
		return
	}
	if s, ok := scalarText(v); ok {
		w.fields = append(w.fields, release.Field{Path: id, Value: s})
	}
}

func (w *walker) value(v any, path string, noField bool) {
	switch x := v.(type) {
	case map[string]any:
		w.object(x, path, false, noField)
	case []any:
		for i, e := range x {
			if s, ok := e.(string); ok {
				if n, changed := release.NormalizeCURIE(s); changed {
					x[i] = n
					e = n
				}
			}
			w.value(e, path, noField)
		}
	default:
		if noField {
			return
		}
		if s, ok := scalarText(x); ok {
			w.fields = append(w.fields, release.Field{Path: path, Value: s})
		}
	}
}

// result returns the terms and fields deduplicated and sorted.
func (w *walker) result() ([]string, []release.Field) {
	slices.Sort(w.terms)
	terms := slices.Compact(w.terms)
	slices.SortFunc(w.fields, func(a, b release.Field) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	fields := slices.Compact(w.fields)
	if len(terms) == 0 {
		terms = nil
	}
	if len(fields) == 0 {
		fields = nil
	}
	return terms, fields
}

// scalarText renders a scalar leaf as filter text: numbers in their shortest form (integral
// values without a fraction), booleans as true/false. Long strings and nulls give ok=false.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if len(x) > maxFieldValue {
			return "", false
		}
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case json.Number:
		return numberText(string(x)), true
	case float64:
		return formatFloat(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return "", false
}

func numberText(s string) string {
	if isIntLiteral(s) {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return formatFloat(f)
}

func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func isIntLiteral(s string) bool { return lexical.AllDigits(strings.TrimPrefix(s, "-")) }

// isCURIE reports whether s looks like an ontology term id: a prefix of at least two
// characters starting with a letter ([A-Za-z][A-Za-z0-9_.-]*), a colon, and a local part
// without whitespace. URLs ("https://...") have a prefix too, but their local part starts
// with "//", which no ontology uses.
func isCURIE(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 2 || i == len(s)-1 {
		return false
	}
	c := s[0]
	if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
		return false
	}
	for j := 1; j < i; j++ {
		c := s[j]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	local := s[i+1:]
	if strings.HasPrefix(local, "//") {
		return false
	}
	return strings.IndexFunc(local, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' }) < 0
}

// marshal encodes a record compactly without HTML escaping, so "A>G" stays readable.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// jsonKind names the JSON type of a decoded value, for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "an unknown value"
}

// shortJSON renders a value for a message, cut to a readable length.
func shortJSON(v any) string {
	b, err := marshal(v)
	if err != nil {
		return jsonKind(v)
	}
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}
