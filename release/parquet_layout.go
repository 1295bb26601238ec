package release

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// fileLayout is what every file of one Arrow schema starts from: the Parquet schema and
// key-value metadata (the ARROW:schema entry) that pqarrow gives it, so the files read back
// as pqarrow wrote them before, and the leaf columns the append functions fill.
type fileLayout struct {
	root   *schema.GroupNode
	meta   metadata.KeyValueMetadata
	leaves int
	err    error
}

var (
	layoutsMu sync.Mutex
	layouts   = map[*arrow.Schema]*fileLayout{}
)

// layoutOf returns the layout of sc, one of the package's schemas, computed once.
func layoutOf(sc *arrow.Schema) *fileLayout {
	layoutsMu.Lock()
	defer layoutsMu.Unlock()
	if l := layouts[sc]; l != nil {
		return l
	}
	l := newFileLayout(sc)
	layouts[sc] = l
	return l
}

func newFileLayout(sc *arrow.Schema) *fileLayout {
	leaves, ok := leavesOf[sc]
	if !ok {
		return &fileLayout{err: errors.New("no leaf layout for schema")}
	}
	arrProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
	pq, err := pqarrow.ToParquet(sc, writerProps(), arrProps)
	if err != nil {
		return &fileLayout{err: err}
	}
	if err := checkLeaves(pq, leaves); err != nil {
		return &fileLayout{err: err}
	}
	// The metadata pqarrow writes (the serialised Arrow schema) is read off an empty file.
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(sc, &buf, writerProps(), arrProps)
	if err != nil {
		return &fileLayout{err: err}
	}
	if err := fw.Close(); err != nil {
		return &fileLayout{err: err}
	}
	pr, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return &fileLayout{err: err}
	}
	defer pr.Close()
	return &fileLayout{root: pq.Root(), meta: pr.MetaData().KeyValueMetadata(), leaves: len(leaves)}
}

// Leaf columns of the files, in schema order (leavesOf gives their paths and levels).
const (
	leafID = iota
	leafDatasetID
	leafIndividualID
	leafBiosampleID
	leafRunID
	leafAnalysisID
	leafTerms
	leafFieldPath
	leafFieldValue
	leafJSON
	leafAssembly // the variant leaves follow the record's
	leafChrom
	leafStart
	leafEnd
	leafRef
	leafAlt
	leafVariantType
	leafGeneIDs
	leafAminoacidChanges
	leafHGVSIDs
	leafCarriers
	leafZygosityID
	leafZygosityLabel
	leafZygosityBits
	leafCaseLevel
	leafCalls
)

// Parquet column paths of nested leaves: zygosity[].bits, fields[].path, fields[].value.
const (
	zygosityBitsPath = colZygosity + ".list.element." + colBits
	fieldsPathPath   = colFields + ".list.element.path"
	fieldsValuePath  = colFields + ".list.element.value"
)

func listPath(col string) string { return col + ".list.element" }

// leavesOf are the leaf columns each schema's append function fills.
var leavesOf = func() map[*arrow.Schema][]leafSpec {
	req := func(p string) leafSpec { return leafSpec{path: p} }
	opt := func(p string) leafSpec { return leafSpec{path: p, maxDef: 1} }
	list := func(p string) leafSpec { return leafSpec{path: p, maxDef: 1, maxRep: 1} }
	record := []leafSpec{
		req(colID), req(colDatasetID),
		opt(colIndividualID), opt(colBiosampleID), opt(colRunID), opt(colAnalysisID),
		list(listPath(colTerms)), list(fieldsPathPath), list(fieldsValuePath),
		req(colJSON),
	}
	variant := append(append([]leafSpec{}, record...),
		req(colAssembly), req(colChrom),
		leafSpec{path: colStart, kind: leafInt64}, leafSpec{path: colEnd, kind: leafInt64},
		req(colRef), req(colAlt), req(colVariantType),
		list(listPath(colGeneIDs)), list(listPath(colAminoacidChanges)), list(listPath(colHGVSIDs)),
		opt(colCarriers),
		list(listPath(colZygosity)+"."+colID), list(listPath(colZygosity)+"."+colLabel), list(zygosityBitsPath),
		leafSpec{path: colCaseLevel, kind: leafBool},
		opt(colCalls),
	)
	return map[*arrow.Schema][]leafSpec{
		recordSchema:   record,
		variantSchema:  variant,
		samplesSchema:  {req(colID)},
		ontologySchema: {req(colID), req(colLabel), list(listPath(colParents))},
	}
}()

// leafKind is the physical type of a leaf column as rowBatch fills it.
type leafKind int

const (
	leafBytes leafKind = iota
	leafInt64
	leafBool
)

// leafSpec is what the append functions assume of a leaf column: its path, type and
// maximum levels. checkLeaves holds the Parquet schema to it, so that a change of the Arrow
// schema cannot silently misalign the columns.
type leafSpec struct {
	path           string
	kind           leafKind
	maxDef, maxRep int16
}

func checkLeaves(sc *schema.Schema, want []leafSpec) error {
	if sc.NumColumns() != len(want) {
		return fmt.Errorf("schema has %d leaf columns, the writer fills %d", sc.NumColumns(), len(want))
	}
	for i, w := range want {
		c := sc.Column(i)
		var pt parquet.Type
		switch w.kind {
		case leafBytes:
			pt = parquet.Types.ByteArray
		case leafInt64:
			pt = parquet.Types.Int64
		case leafBool:
			pt = parquet.Types.Boolean
		}
		if c.Path() != w.path || c.PhysicalType() != pt || c.MaxDefinitionLevel() != w.maxDef || c.MaxRepetitionLevel() != w.maxRep {
			return fmt.Errorf("leaf column %d is %s %s def %d rep %d, the writer fills %s %s def %d rep %d",
				i, c.Path(), c.PhysicalType(), c.MaxDefinitionLevel(), c.MaxRepetitionLevel(), w.path, pt, w.maxDef, w.maxRep)
		}
	}
	return nil
}
