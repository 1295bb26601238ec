package ingest

import (
	"fmt"
	"strings"
)

// Warning reports a record that was kept although it deviates from the Beacon v2 model: a
// wrong type in an optional field, an unknown field, a rewritten datasetId. Normalize* leave
// File and Index zero; the driver fills them in.
type Warning struct {
	File  string
	Index int // 0-based record index in File
	Field string
	Msg   string

	// once marks warnings worth reporting only on their first record in a file (an unknown
	// field is usually unknown in every record).
	once bool
}

func (w Warning) String() string { return location(w.File, w.Index, w.Field, w.Msg) }

// RecordError is a record that could not be understood: not an object, no id, a variant
// without a position, broken JSON. Its text is "<file>: record <index>: <field>: <what>".
type RecordError struct {
	File  string
	Index int // 0-based; -1 when the error is about the file, not one record
	Field string
	Msg   string
}

func (e *RecordError) Error() string { return location(e.File, e.Index, e.Field, e.Msg) }

func location(file string, index int, field, msg string) string {
	var b strings.Builder
	if file != "" {
		b.WriteString(file)
		b.WriteString(": ")
	}
	if index >= 0 {
		fmt.Fprintf(&b, "record %d: ", index)
	}
	if field != "" {
		b.WriteString(field)
		b.WriteString(": ")
	}
	b.WriteString(msg)
	return b.String()
}

func fieldErr(field, format string, args ...any) *RecordError {
	return &RecordError{Index: -1, Field: field, Msg: fmt.Sprintf(format, args...)}
}
