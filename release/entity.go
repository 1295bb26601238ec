package release

import "strings"

// Entity names an entry type of the Beacon v2 default model, spelled as its record schema
// names it (the singular form used in filter scopes and in a dataset directory's file names).
type Entity string

const (
	Individual       Entity = "individual"
	Biosample        Entity = "biosample"
	Run              Entity = "run"
	Analysis         Entity = "analysis"
	GenomicVariation Entity = "genomicVariation"
	Dataset          Entity = "dataset"
	Cohort           Entity = "cohort"
)

// Entities lists every entry type in a fixed order, which is also the order of files in a
// dataset directory and of entry types in /configuration.
var Entities = []Entity{Individual, Biosample, Run, Analysis, GenomicVariation, Dataset, Cohort}

// spelling is every way the project writes one entry type. The Beacon v2 specification
// spells the genomic variation four ways (record schema genomicVariation, schema folder
// genomicVariations, entry type id genomicVariant, endpoint g_variants); the other six are
// a singular and a plural.
type spelling struct {
	entity Entity
	// plural names the default-model schema folder and the BFF file of the entry type.
	plural string
	// path is the endpoint's URL path element.
	path string
	// entryType is the entry type id of /configuration, /map and returnedSchemas.
	entryType string
	// collection: the entry type groups records by dataset (datasets, cohorts) rather than
	// being linked record by record, and is answered with a collections response.
	collection bool
	// aliases are the other names ParseEntity accepts (filter scopes, BFF file names).
	aliases []string
}

// spellings holds one row per entry type, in Entities order.
var spellings = [...]spelling{
	{entity: Individual, plural: "individuals", path: "individuals", entryType: "individual"},
	{entity: Biosample, plural: "biosamples", path: "biosamples", entryType: "biosample"},
	{entity: Run, plural: "runs", path: "runs", entryType: "run"},
	{entity: Analysis, plural: "analyses", path: "analyses", entryType: "analysis"},
	{entity: GenomicVariation, plural: "genomicVariations", path: "g_variants", entryType: "genomicVariant",
		aliases: []string{"genomicVariants", "g_variant", "gVariants"}},
	{entity: Dataset, plural: "datasets", path: "datasets", entryType: "dataset", collection: true},
	{entity: Cohort, plural: "cohorts", path: "cohorts", entryType: "cohort", collection: true},
}

// spellingOf returns e's row, or nil for a name that is not an entry type.
func spellingOf(e Entity) *spelling {
	for i := range spellings {
		if spellings[i].entity == e {
			return &spellings[i]
		}
	}
	return nil
}

// Known reports whether e is one of Entities.
func (e Entity) Known() bool { return spellingOf(e) != nil }

// IsCollection reports whether e groups records by dataset (dataset, cohort) rather than by
// record links.
func (e Entity) IsCollection() bool {
	s := spellingOf(e)
	return s != nil && s.collection
}

// Plural is e's plural ("individuals", "genomicVariations"): the default-model schema folder
// and the usual BFF file name; "" for an unknown entity.
func (e Entity) Plural() string {
	if s := spellingOf(e); s != nil {
		return s.plural
	}
	return ""
}

// PathSegment is e's endpoint path element ("individuals", "g_variants"); "" for an unknown
// entity.
func (e Entity) PathSegment() string {
	if s := spellingOf(e); s != nil {
		return s.path
	}
	return ""
}

// EntryTypeID is e's entry type id in /configuration and returnedSchemas ("individual",
// "genomicVariant"); "" for an unknown entity.
func (e Entity) EntryTypeID() string {
	if s := spellingOf(e); s != nil {
		return s.entryType
	}
	return ""
}

// EntityByPath finds the entry type of an endpoint path element, spelled exactly as
// PathSegment gives it.
func EntityByPath(seg string) (Entity, bool) {
	for i := range spellings {
		if spellings[i].path == seg {
			return spellings[i].entity, true
		}
	}
	return "", false
}

// EntityByEntryTypeID finds the entry type of an entry type id, spelled exactly as
// EntryTypeID gives it.
func EntityByEntryTypeID(id string) (Entity, bool) {
	for i := range spellings {
		if spellings[i].entryType == id {
			return spellings[i].entity, true
		}
	}
	return "", false
}

// ParseEntity reads an entry type written any of the ways people write one: the singular,
// the plural, the path element, the entry type id or an alias, in any letter case
// ("individual", "Biosamples", "g_variants", "genomicVariant"). It is how filter scopes
// and BFF file names are read; it allocates nothing.
func ParseEntity(name string) (Entity, bool) {
	for i := range spellings {
		s := &spellings[i]
		for _, n := range [...]string{string(s.entity), s.plural, s.path, s.entryType} {
			if strings.EqualFold(name, n) {
				return s.entity, true
			}
		}
		for _, a := range s.aliases {
			if strings.EqualFold(name, a) {
				return s.entity, true
			}
		}
	}
	return "", false
}
