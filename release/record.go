// Package release defines what a bitbeacon data release holds: the normalised records that
// ingest writes and the engine loads, the manifest, and the on-disk Parquet layout. It is the
// one schema both sides share, so it imports nothing else of ours.
package release

import "github.com/RoaringBitmap/roaring/v2"

// Record is one normalised metadata record (any entry type but genomicVariation) as ingest
// produces it and the engine indexes it.
type Record struct {
	ID        string
	DatasetID string
	// Links to other entities by their record id within the same dataset; empty when absent.
	IndividualID string
	BiosampleID  string
	RunID        string
	AnalysisID   string
	// Terms holds every ontology term id (CURIE) found anywhere in the record, i.e. the "id"
	// of every nested object that has one and looks like a CURIE, deduplicated, sorted.
	Terms []string
	// Fields holds the scalar leaves of the record for alphanumeric filters: the dotted path
	// through objects (arrays are transparent) and the value as text. Numbers are written in
	// their shortest decimal form, booleans as true/false.
	Fields []Field
	// JSON is the normalised record, compact, as it is returned at record granularity.
	JSON []byte
}

// Field is one scalar leaf of a record.
type Field struct {
	Path  string
	Value string
}

// Variant is one genomic variation with the columns the variant index needs, plus its record.
// Coordinates are 0-based, start inclusive, end exclusive.
type Variant struct {
	Record          // ID is the variantInternalId; Terms/Fields/JSON as for Record
	Assembly string // normalised assembly id, e.g. "GRCh37" (see NormalizeAssembly)
	Chrom    string // normalised chromosome name, e.g. "22", "X", "MT" (see NormalizeChrom)
	Start    int64
	End      int64
	Ref      string
	Alt      string
	// VariantType as given (SNP, INDEL, DEL, DUP, INS, CNV, BND or an EFO CURIE).
	VariantType      string
	GeneIDs          []string
	AminoacidChanges []string
	// HGVSIDs holds genomicHGVSId plus transcript and protein HGVS ids.
	HGVSIDs []string
	// CarrierBits holds the carriers of the variant as indexes into the dataset's sample list
	// (DatasetWriter.SetSamples, Reader.ReadSamples); nil or empty when none.
	CarrierBits *roaring.Bitmap
	// Zygosity splits the carriers by zygosity: each entry's Bits is a subset of CarrierBits,
	// the entries are disjoint, and carriers without zygosity are in none.
	Zygosity []ZygositySet
	// CaseLevelFromCarriers says that JSON holds no caseLevelData and that its caseLevelData
	// is exactly what CarrierBits and Zygosity give: one {"biosampleId": <sample id>,
	// "zygosity": {"id", "label"}} per carrier in sample-index order, zygosity left out for
	// carriers in no Zygosity entry (see FullJSON).
	CaseLevelFromCarriers bool
	// Genotyped says the calls of every sample of the dataset are known (a VCF line): those
	// in no CalledAlleles set have two called alleles (calls.go).
	Genotyped     bool
	CalledAlleles []CalledSet
	// CallsValue, when not nil, is AppendCalls(nil, CalledAlleles), which the writer then
	// stores as it is: a VCF's parser encodes a line's sets once and hands the same bytes
	// (and bitmaps) to the lines with the same calls (on chromosome X the males, line after
	// line), which spares serialising a ~2.5 KB bitmap a line. Whoever changes
	// CalledAlleles sets it to nil.
	CallsValue []byte

	// Carriers and CarrierZygosity are a second way to hand carriers to WriteVariant: carrier
	// ids (biosample id, else individual id) and, index-aligned, the zygosity of each (a zero
	// ZygosityTerm for none; CarrierZygosity may be nil when no carrier has one). The writer
	// turns them into CarrierBits and Zygosity, giving ids it does not know yet the next
	// sample indexes. Only one of the two forms may be set. Variants read back from a release
	// never have them.
	Carriers        []string
	CarrierZygosity []ZygosityTerm
}

// ZygosityTerm is the zygosity of a carrier: an ontology term (GENO) id and its label.
type ZygosityTerm struct {
	ID, Label string
}

// ZygositySet is the carriers of a variant that have one zygosity, as sample indexes.
type ZygositySet struct {
	ID, Label string
	Bits      *roaring.Bitmap
}

// OntologyTerm is one term of a loaded ontology, with its direct is_a parents.
type OntologyTerm struct {
	ID      string
	Label   string
	Parents []string
}
