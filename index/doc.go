// Package index holds bitbeacon's in-memory data structures: posting bitmaps per ontology term
// (descendants folded in), an interval index over sorted variants, an ontology closure and an
// index of alphanumeric field values, and the set operations queries run on the bitmaps
// (setops.go: intersection, rank counts, dense counts). Everything here is built once per
// release and is then immutable and safe for concurrent readers; bitmaps handed out as
// "shared" must not be modified.
package index
