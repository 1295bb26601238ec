package engine

import "github.com/bitbeacon/bitbeacon/release"

// Query is one Beacon question in engine terms: which records of Target match every filter,
// the variant parameters and the anchor. The API turns a GET or POST request into a Query.
type Query struct {
	Target release.Entity
	// Anchor restricts the answer to records linked to one record: /{entity}/{id} sets
	// Anchor{Entity: Target, ID: id}; /{A}/{id}/{B} sets Anchor{Entity: A, ID: id}, Target B.
	Anchor *Anchor
	// Filters are ANDed.
	Filters []Filter
	// Groups extend the spec's AND-only filters (docs/api.md, "OR filters"): each group is
	// ANDed with Filters and the other groups. The groups here are OR groups; their own
	// groups are AND groups, and so on, alternating.
	Groups []FilterGroup
	// Variant holds the genomic variant request parameters; nil when none were given.
	Variant *VariantQuery
	// DatasetIDs restricts the answer to these datasets (requestParameters datasets); empty
	// means every dataset.
	DatasetIDs []string
	// DatasetIndexes, when not nil and DatasetIDs is empty, are the datasets the answer
	// comes from as positions in Snapshot.Datasets, ascending, each once: a caller that
	// resolved them once for many queries (the API's access policy) saves the lookups.
	DatasetIndexes []uint16
	// CountOnly asks for counts only (boolean and count answers): Result.Rows and the
	// per-dataset rows stay nil, and shared index bitmaps are counted without being copied.
	CountOnly bool
	// RowsOnly asks for Result.Rows and each dataset's count, without the per-dataset rows
	// (DatasetResult.Rows stays nil): a listing pages over Result.Rows, and splitting the
	// rows cost one And and one bitmap per dataset, a thousand for /datasets of a thousand
	// datasets. It applies when the answer may come from every dataset; otherwise the rows
	// are split as without it.
	RowsOnly bool
	// Budget bounds the evaluation's work (budget.go); nil is unbounded.
	Budget *Budget
}

// Anchor names one record by entity and id.
type Anchor struct {
	Entity release.Entity
	ID     string
}

// FilterKind tells how a filter matches.
type FilterKind uint8

const (
	// OntologyFilter matches records holding the term id (and, by default, a descendant).
	OntologyFilter FilterKind = iota
	// AlphanumericFilter compares a field's value with Operator and Value.
	AlphanumericFilter
	// CustomFilter matches a custom term id, handled like an ontology term without hierarchy.
	CustomFilter
)

// Filter is one Beacon filter.
type Filter struct {
	Kind FilterKind
	ID   string
	// Operator is one of = ! < > <= >= (alphanumeric filters only).
	Operator string
	Value    string
	// Scope is the entity the filter applies to; empty means "the entity where the term is
	// found", the queried one first.
	Scope              release.Entity
	IncludeDescendants bool
	// Similarity is accepted for completeness; only "exact" (and "") are evaluated.
	Similarity string
}

// FilterGroup is a group of filters and nested groups: with Any, a record matches when it
// matches one of them (OR); otherwise when it matches all of them (AND).
type FilterGroup struct {
	Any     bool
	Filters []Filter
	Groups  []FilterGroup
}

// VariantQuery holds the g_variant request parameters. Coordinates are 0-based.
type VariantQuery struct {
	AssemblyID    string
	ReferenceName string
	MateName      string
	Start         []int64 // 0, 1 or 2 values
	End           []int64 // 0, 1 or 2 values
	// ReferenceBases and AlternateBases are nil when not given; an empty string is a real value
	// (insertion or deletion).
	ReferenceBases         *string
	AlternateBases         *string
	VariantType            string
	GeneID                 string
	AminoacidChange        string
	GenomicAlleleShortForm string
	VariantMinLength       int64 // -1 when not given
	VariantMaxLength       int64 // -1 when not given
}
