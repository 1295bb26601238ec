package release

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Column names of the Parquet files. They are part of the format: the engine, DuckDB in the
// benchmark and people with a Parquet viewer read them by name.
const (
	colID           = "id"
	colDatasetID    = "datasetId"
	colIndividualID = "individualId"
	colBiosampleID  = "biosampleId"
	colRunID        = "runId"
	colAnalysisID   = "analysisId"
	colTerms        = "terms"
	colFields       = "fields"
	colJSON         = "json"

	colAssembly         = "assembly"
	colChrom            = "chrom"
	colStart            = "start"
	colEnd              = "end"
	colRef              = "ref"
	colAlt              = "alt"
	colVariantType      = "variantType"
	colGeneIDs          = "geneIds"
	colAminoacidChanges = "aminoacidChanges"
	colHGVSIDs          = "hgvsIds"
	colCarriers         = "carriers"
	colZygosity         = "zygosity"
	colCaseLevel        = "caseLevelFromCarriers"
	colCalls            = "calls"
	colBits             = "bits"

	colLabel   = "label"
	colParents = "parents"
)

var (
	utf8List = arrow.ListOfNonNullable(arrow.BinaryTypes.String)
	// zygosityType is list<struct<id, label, bits>>: the carriers of each zygosity of a
	// variant, bits a roaring bitmap of sample indexes in the portable serialization.
	zygosityType = arrow.ListOfNonNullable(arrow.StructOf(
		arrow.Field{Name: colID, Type: arrow.BinaryTypes.String},
		arrow.Field{Name: colLabel, Type: arrow.BinaryTypes.String},
		arrow.Field{Name: colBits, Type: arrow.BinaryTypes.Binary},
	))
	// fieldType is list<struct<path, value>>: one entry per scalar leaf of the record.
	fieldType = arrow.ListOfNonNullable(arrow.StructOf(
		arrow.Field{Name: "path", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "value", Type: arrow.BinaryTypes.String},
	))
)

// recordFields are the columns every entity file has. Links are nullable: an absent link is
// null, not "", so SQL engines over the files see the usual IS NULL.
var recordFields = []arrow.Field{
	{Name: colID, Type: arrow.BinaryTypes.String},
	{Name: colDatasetID, Type: arrow.BinaryTypes.String},
	{Name: colIndividualID, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: colBiosampleID, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: colRunID, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: colAnalysisID, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: colTerms, Type: utf8List},
	{Name: colFields, Type: fieldType},
	{Name: colJSON, Type: arrow.BinaryTypes.Binary},
}

// variantFields are the extra columns of genomicVariation files, appended after recordFields.
var variantFields = []arrow.Field{
	{Name: colAssembly, Type: arrow.BinaryTypes.String},
	{Name: colChrom, Type: arrow.BinaryTypes.String},
	{Name: colStart, Type: arrow.PrimitiveTypes.Int64},
	{Name: colEnd, Type: arrow.PrimitiveTypes.Int64},
	{Name: colRef, Type: arrow.BinaryTypes.String},
	{Name: colAlt, Type: arrow.BinaryTypes.String},
	{Name: colVariantType, Type: arrow.BinaryTypes.String},
	{Name: colGeneIDs, Type: utf8List},
	{Name: colAminoacidChanges, Type: utf8List},
	{Name: colHGVSIDs, Type: utf8List},
	// Carriers as a roaring bitmap of sample indexes (portable serialization); null when none.
	{Name: colCarriers, Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: colZygosity, Type: zygosityType},
	{Name: colCaseLevel, Type: arrow.FixedWidthTypes.Boolean},
	// The samples whose call has other than two called alleles (AppendCalls); null when the
	// variant is not genotyped. Files written before it have no such column: none is.
	{Name: colCalls, Type: arrow.BinaryTypes.Binary, Nullable: true},
}

var (
	recordSchema  = arrow.NewSchema(recordFields, nil)
	variantSchema = arrow.NewSchema(append(append([]arrow.Field{}, recordFields...), variantFields...), nil)
	// samplesSchema is samples.parquet: the sample list of a dataset, row i = sample index i.
	samplesSchema  = arrow.NewSchema([]arrow.Field{{Name: colID, Type: arrow.BinaryTypes.String}}, nil)
	ontologySchema = arrow.NewSchema([]arrow.Field{
		{Name: colID, Type: arrow.BinaryTypes.String},
		{Name: colLabel, Type: arrow.BinaryTypes.String},
		{Name: colParents, Type: utf8List},
	}, nil)
)

// schemaFor returns the Parquet schema of an entity's file.
func schemaFor(e Entity) *arrow.Schema {
	if e == GenomicVariation {
		return variantSchema
	}
	return recordSchema
}
