package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// readBFF streams a Beacon-Friendly-Format file, a JSON array of records, calling fn with
// each record in turn. Only one record is decoded at a time, so the array can be far larger
// than memory. Numbers are kept as json.Number so that the stored JSON keeps them exactly.
// path is only used in error messages.
func readBFF(path string, r io.Reader, fn func(index int, raw map[string]any) error) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return &RecordError{File: path, Index: -1, Msg: "empty file, want a JSON array of records"}
		}
		return &RecordError{File: path, Index: -1, Msg: jsonErrText(err, dec)}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &RecordError{File: path, Index: -1, Msg: fmt.Sprintf("want a JSON array of records, the file starts with %v", tok)}
	}
	index := 0
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			return &RecordError{File: path, Index: index, Msg: jsonErrText(err, dec)}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return &RecordError{File: path, Index: index, Msg: "want a JSON object, got " + jsonKind(v)}
		}
		if err := fn(index, m); err != nil {
			return err
		}
		index++
	}
	if _, err := dec.Token(); err != nil {
		return &RecordError{File: path, Index: index, Msg: jsonErrText(err, dec)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &RecordError{File: path, Index: -1, Msg: "unexpected content after the closing ] of the record array"}
	}
	return nil
}

// jsonErrText explains a decoding error in terms of the input.
func jsonErrText(err error, dec *json.Decoder) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON: the file ends in the middle of the record array"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return fmt.Sprintf("invalid JSON at byte %d: %v", dec.InputOffset(), typ)
	}
	return err.Error()
}

// vcfFileWord is the one file-name word that names an entry type without being a spelling of
// it: the Beacon v2 reference implementation's tools write the variants they convert from a
// VCF to genomicVariationsVcf.json.gz.
const vcfFileWord = "genomicVariationsVcf"

// EntityFromName tells the entity of a BFF file from the words of its base name, e.g.
// "individuals.json", "cineca_uk1_chr22_5002.genomicVariations.bff.json.gz",
// "genomicVariationsVcf.json.gz", "g_variants.json". Words are separated by '.', '-', '_'
// or spaces and read as release.ParseEntity reads an entry type (any spelling, any case); a
// name naming no entity, or two, is an error (the caller can then say which with an override).
func EntityFromName(path string) (release.Entity, error) {
	base := strings.ToLower(filepath.Base(path))
	found := map[release.Entity]bool{}
	// The variants' path element holds the '_' that separates words: found as a whole.
	gv := strings.ToLower(release.GenomicVariation.PathSegment())
	for i := 0; ; {
		j := strings.Index(base[i:], gv)
		if j < 0 {
			break
		}
		if i+j == 0 || strings.ContainsRune(".-_ ", rune(base[i+j-1])) {
			found[release.GenomicVariation] = true
		}
		i += j + 1
	}
	for _, w := range strings.FieldsFunc(base, func(r rune) bool { return r == '.' || r == '-' || r == '_' || r == ' ' }) {
		if e, ok := release.ParseEntity(w); ok {
			found[e] = true
		} else if strings.EqualFold(w, vcfFileWord) {
			found[release.GenomicVariation] = true
		}
	}
	switch len(found) {
	case 1:
		for e := range found {
			return e, nil
		}
	case 0:
		return "", fmt.Errorf("%s: cannot tell the entry type from the file name; name it individuals.json, biosamples.json, ... or give the entity explicitly", path)
	}
	return "", fmt.Errorf("%s: the file name names more than one entry type; give the entity explicitly", path)
}
