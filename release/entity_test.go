package release

import (
	"strings"
	"testing"
)

// Every spelling of every entry type reads back as that entry type, in any letter case, and
// the exact lookups (path element, entry type id) give back what the accessors write.
func TestEntitySpellingsRoundTrip(t *testing.T) {
	if len(spellings) != len(Entities) {
		t.Fatalf("%d spelling rows for %d entities", len(spellings), len(Entities))
	}
	owner := map[string]Entity{} // lower-cased spelling → entity, to catch a shared spelling
	for i, e := range Entities {
		if spellings[i].entity != e {
			t.Errorf("row %d is %q, want %q (Entities order)", i, spellings[i].entity, e)
		}
		if !e.Known() {
			t.Errorf("%q not Known", e)
		}
		if e.Plural() == "" || e.PathSegment() == "" || e.EntryTypeID() == "" {
			t.Errorf("%q: plural %q, path %q, entry type id %q: none may be empty", e, e.Plural(), e.PathSegment(), e.EntryTypeID())
		}
		if got, ok := EntityByPath(e.PathSegment()); !ok || got != e {
			t.Errorf("EntityByPath(%q) = %q, %v; want %q", e.PathSegment(), got, ok, e)
		}
		if got, ok := EntityByEntryTypeID(e.EntryTypeID()); !ok || got != e {
			t.Errorf("EntityByEntryTypeID(%q) = %q, %v; want %q", e.EntryTypeID(), got, ok, e)
		}
		names := append([]string{string(e), e.Plural(), e.PathSegment(), e.EntryTypeID()}, spellings[i].aliases...)
		for _, n := range names {
			for _, v := range []string{n, strings.ToLower(n), strings.ToUpper(n)} {
				if got, ok := ParseEntity(v); !ok || got != e {
					t.Errorf("ParseEntity(%q) = %q, %v; want %q", v, got, ok, e)
				}
			}
			if o, dup := owner[strings.ToLower(n)]; dup && o != e {
				t.Errorf("spelling %q names both %q and %q", n, o, e)
			}
			owner[strings.ToLower(n)] = e
		}
	}
	if n := len(owner); n < 2*len(Entities) {
		t.Errorf("only %d distinct spellings", n)
	}
}

// The spellings the Beacon v2 specification uses, written out, so that a change to the table
// shows here.
func TestEntitySpellingsOfTheSpecification(t *testing.T) {
	for _, c := range []struct {
		e                       Entity
		plural, path, entryType string
		collection              bool
	}{
		{Individual, "individuals", "individuals", "individual", false},
		{Biosample, "biosamples", "biosamples", "biosample", false},
		{Run, "runs", "runs", "run", false},
		{Analysis, "analyses", "analyses", "analysis", false},
		{GenomicVariation, "genomicVariations", "g_variants", "genomicVariant", false},
		{Dataset, "datasets", "datasets", "dataset", true},
		{Cohort, "cohorts", "cohorts", "cohort", true},
	} {
		if c.e.Plural() != c.plural || c.e.PathSegment() != c.path || c.e.EntryTypeID() != c.entryType || c.e.IsCollection() != c.collection {
			t.Errorf("%q: plural %q path %q entry type %q collection %v; want %q %q %q %v", c.e,
				c.e.Plural(), c.e.PathSegment(), c.e.EntryTypeID(), c.e.IsCollection(), c.plural, c.path, c.entryType, c.collection)
		}
	}
}

// Names that are not an entry type are refused by every lookup, and an unknown entity has
// empty spellings.
func TestEntityUnknownNames(t *testing.T) {
	for _, n := range []string{"", "individualss", "variant", "g_variants ", " individual", "genomic_variation", "Individual/", "gvariant"} {
		if e, ok := ParseEntity(n); ok {
			t.Errorf("ParseEntity(%q) = %q, want refused", n, e)
		}
		if e, ok := EntityByPath(n); ok {
			t.Errorf("EntityByPath(%q) = %q, want refused", n, e)
		}
		if e, ok := EntityByEntryTypeID(n); ok {
			t.Errorf("EntityByEntryTypeID(%q) = %q, want refused", n, e)
		}
		if e := Entity(n); e.Known() || e.IsCollection() || e.Plural() != "" || e.PathSegment() != "" || e.EntryTypeID() != "" {
			t.Errorf("Entity(%q) has spellings", n)
		}
	}
	// The exact lookups are exact: only ParseEntity folds case and takes aliases.
	for _, n := range []string{"G_variants", "genomicVariations", "individual"} {
		if e, ok := EntityByPath(n); ok {
			t.Errorf("EntityByPath(%q) = %q, want refused", n, e)
		}
	}
	if e, ok := EntityByEntryTypeID("genomicVariation"); ok {
		t.Errorf("EntityByEntryTypeID(genomicVariation) = %q, want refused (the entry type id is genomicVariant)", e)
	}
}

// Filter scopes are parsed per request: ParseEntity allocates nothing.
func TestParseEntityAllocations(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { ParseEntity("G_VARIANTS") }); n != 0 {
		t.Errorf("%.0f allocations, want 0", n)
	}
}
