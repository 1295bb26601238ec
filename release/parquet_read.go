package release

import (
	"context"
	"fmt"
	"os"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// readBatchRows is the rows of a batch read: a quarter of a row group. At 64k rows the
// variant file's batch and the Arrow buffers decoding it took about 500 MB of an index
// build's heap at 2,504 samples, whatever the number of variants.
const readBatchRows = rowGroupRows / 4

// scanTable reads a Parquet file batch by batch (a batch is at most one row group's worth of
// rows) and calls fn with each batch. Only one batch is in memory at a time.
func scanTable(path string, fn func(rec arrow.RecordBatch) error) error {
	return scanTableParts(path, nil, nil, func(_ int, rec arrow.RecordBatch) error { return fn(rec) })
}

// scanTableParts is scanTable restricted to the named columns (nil: every column) and row
// groups (nil: every row group, read together), calling fn with each batch and its row group
// (-1 when the row groups are read together).
func scanTableParts(path string, columns []string, rowGroups []int, fn func(rowGroup int, rec arrow.RecordBatch) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: readBatchRows}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var cols []int
	for _, name := range columns {
		i := pr.MetaData().Schema.ColumnIndexByName(name)
		if i < 0 {
			return fmt.Errorf("%s: no column %q", path, name)
		}
		cols = append(cols, i)
	}
	read := func(group int, groups []int) error {
		rr, err := fr.GetRecordReader(context.Background(), cols, groups)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer rr.Release()
		for rr.Next() {
			if err := fn(group, rr.RecordBatch()); err != nil {
				return err
			}
		}
		if err := rr.Err(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	if rowGroups == nil {
		return read(-1, nil)
	}
	for _, g := range rowGroups {
		if g < 0 || g >= pr.NumRowGroups() {
			return fmt.Errorf("%s: no row group %d (%d)", path, g, pr.NumRowGroups())
		}
		if err := read(g, []int{g}); err != nil {
			return err
		}
	}
	return nil
}

// stringCol gives access to a string column whose bytes were copied once out of the Arrow
// buffers: the strings handed out share that copy (one allocation per column per batch) and
// stay valid after the batch is released.
type stringCol struct {
	arr  *array.String
	offs []int32
	data string
}

func newStringCol(a arrow.Array) (stringCol, error) {
	s, ok := a.(*array.String)
	if !ok {
		return stringCol{}, fmt.Errorf("column type %s, want utf8", a.DataType())
	}
	return stringCol{arr: s, offs: s.ValueOffsets(), data: string(s.ValueBytes())}, nil
}

func (c stringCol) at(i int) string {
	if c.arr.IsNull(i) {
		return ""
	}
	base := c.offs[0]
	return c.data[c.offs[i]-base : c.offs[i+1]-base]
}

// listCol is a list<utf8> column.
type listCol struct {
	arr  *array.List
	vals stringCol
}

func newListCol(a arrow.Array) (listCol, error) {
	l, ok := a.(*array.List)
	if !ok {
		return listCol{}, fmt.Errorf("column type %s, want list<utf8>", a.DataType())
	}
	v, err := newStringCol(l.ListValues())
	if err != nil {
		return listCol{}, err
	}
	return listCol{arr: l, vals: v}, nil
}

func (c listCol) at(i int) []string {
	if c.arr.IsNull(i) {
		return nil
	}
	b, e := c.arr.ValueOffsets(i)
	if b == e {
		return nil
	}
	out := make([]string, e-b)
	for j := range out {
		out[j] = c.vals.at(int(b) + j)
	}
	return out
}

// recordCols decodes the recordFields columns of a batch.
type recordCols struct {
	id, dataset, ind, bio, run, ana stringCol
	terms                           listCol
	fields                          *array.List
	fPath, fValue                   stringCol
	json                            *array.Binary
	jsonOffs                        []int32
	jsonData                        []byte
}

// column finds a column by name, so files stay readable if columns are appended later.
func column(rec arrow.RecordBatch, name string) (arrow.Array, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("missing column %q", name)
	}
	return rec.Column(idx[0]), nil
}

func newRecordCols(rec arrow.RecordBatch) (*recordCols, error) {
	c := &recordCols{}
	for _, s := range []struct {
		name string
		dst  *stringCol
	}{{colID, &c.id}, {colDatasetID, &c.dataset}, {colIndividualID, &c.ind}, {colBiosampleID, &c.bio}, {colRunID, &c.run}, {colAnalysisID, &c.ana}} {
		a, err := column(rec, s.name)
		if err != nil {
			return nil, err
		}
		if *s.dst, err = newStringCol(a); err != nil {
			return nil, fmt.Errorf("column %s: %w", s.name, err)
		}
	}
	a, err := column(rec, colTerms)
	if err != nil {
		return nil, err
	}
	if c.terms, err = newListCol(a); err != nil {
		return nil, fmt.Errorf("column %s: %w", colTerms, err)
	}
	if a, err = column(rec, colFields); err != nil {
		return nil, err
	}
	l, ok := a.(*array.List)
	if !ok {
		return nil, fmt.Errorf("column %s: type %s", colFields, a.DataType())
	}
	st, ok := l.ListValues().(*array.Struct)
	if !ok || st.NumField() != 2 {
		return nil, fmt.Errorf("column %s: type %s", colFields, a.DataType())
	}
	c.fields = l
	if c.fPath, err = newStringCol(st.Field(0)); err != nil {
		return nil, err
	}
	if c.fValue, err = newStringCol(st.Field(1)); err != nil {
		return nil, err
	}
	if a, err = column(rec, colJSON); err != nil {
		return nil, err
	}
	if c.json, ok = a.(*array.Binary); !ok {
		return nil, fmt.Errorf("column %s: type %s", colJSON, a.DataType())
	}
	// One copy of the whole JSON column; records get capacity-limited slices of it so an
	// append by the caller can never run into the next record.
	c.jsonData = append([]byte(nil), c.json.ValueBytes()...)
	c.jsonOffs = c.json.ValueOffsets()
	return c, nil
}

func (c *recordCols) fill(i int, r *Record) {
	r.ID = c.id.at(i)
	r.DatasetID = c.dataset.at(i)
	r.IndividualID = c.ind.at(i)
	r.BiosampleID = c.bio.at(i)
	r.RunID = c.run.at(i)
	r.AnalysisID = c.ana.at(i)
	r.Terms = c.terms.at(i)
	if b, e := c.fields.ValueOffsets(i); e > b {
		r.Fields = make([]Field, e-b)
		for j := range r.Fields {
			r.Fields[j] = Field{Path: c.fPath.at(int(b) + j), Value: c.fValue.at(int(b) + j)}
		}
	}
	if !c.json.IsNull(i) {
		base := c.jsonOffs[0]
		b, e := c.jsonOffs[i]-base, c.jsonOffs[i+1]-base
		r.JSON = c.jsonData[b:e:e]
	}
}

// binaryCol is a binary column whose bytes were copied once out of the Arrow buffers, like
// stringCol; values are capacity-limited slices of that copy.
type binaryCol struct {
	arr  *array.Binary
	offs []int32
	data []byte
}

func newBinaryCol(a arrow.Array) (binaryCol, error) {
	b, ok := a.(*array.Binary)
	if !ok {
		return binaryCol{}, fmt.Errorf("column type %s, want binary", a.DataType())
	}
	return binaryCol{arr: b, offs: b.ValueOffsets(), data: append([]byte(nil), b.ValueBytes()...)}, nil
}

func (c binaryCol) at(i int) []byte {
	if c.arr.IsNull(i) {
		return nil
	}
	base := c.offs[0]
	b, e := c.offs[i]-base, c.offs[i+1]-base
	return c.data[b:e:e]
}

// bitmapAt reads a serialised bitmap without copying it: the bitmap's containers point into
// the column's copy (copy-on-write), nil for null or empty.
func (c binaryCol) bitmapAt(i int) (*roaring.Bitmap, error) {
	b := c.at(i)
	if len(b) == 0 {
		return nil, nil
	}
	bm := roaring.New()
	if _, err := bm.FromBuffer(b); err != nil {
		return nil, err
	}
	return bm, nil
}

// variantCols decodes the variantFields columns of a batch.
type variantCols struct {
	recordCols
	assembly, chrom, ref, alt, vtype stringCol
	start, end                       *array.Int64
	genes, aa, hgvs                  listCol
	carriers                         binaryCol
	zygosity                         *array.List
	zID, zLabel                      stringCol
	zBits                            binaryCol
	caseLevel                        *array.Boolean
	calls                            binaryCol // arr nil: a file without the column
}

func newVariantCols(rec arrow.RecordBatch) (*variantCols, error) {
	rc, err := newRecordCols(rec)
	if err != nil {
		return nil, err
	}
	c := &variantCols{recordCols: *rc}
	for _, s := range []struct {
		name string
		dst  *stringCol
	}{{colAssembly, &c.assembly}, {colChrom, &c.chrom}, {colRef, &c.ref}, {colAlt, &c.alt}, {colVariantType, &c.vtype}} {
		a, err := column(rec, s.name)
		if err != nil {
			return nil, err
		}
		if *s.dst, err = newStringCol(a); err != nil {
			return nil, fmt.Errorf("column %s: %w", s.name, err)
		}
	}
	for _, s := range []struct {
		name string
		dst  **array.Int64
	}{{colStart, &c.start}, {colEnd, &c.end}} {
		a, err := column(rec, s.name)
		if err != nil {
			return nil, err
		}
		var ok bool
		if *s.dst, ok = a.(*array.Int64); !ok {
			return nil, fmt.Errorf("column %s: type %s", s.name, a.DataType())
		}
	}
	for _, s := range []struct {
		name string
		dst  *listCol
	}{{colGeneIDs, &c.genes}, {colAminoacidChanges, &c.aa}, {colHGVSIDs, &c.hgvs}} {
		a, err := column(rec, s.name)
		if err != nil {
			return nil, err
		}
		if *s.dst, err = newListCol(a); err != nil {
			return nil, fmt.Errorf("column %s: %w", s.name, err)
		}
	}
	a, err := column(rec, colCarriers)
	if err != nil {
		return nil, err
	}
	if c.carriers, err = newBinaryCol(a); err != nil {
		return nil, fmt.Errorf("column %s: %w", colCarriers, err)
	}
	if a, err = column(rec, colZygosity); err != nil {
		return nil, err
	}
	l, ok := a.(*array.List)
	if !ok {
		return nil, fmt.Errorf("column %s: type %s", colZygosity, a.DataType())
	}
	st, ok := l.ListValues().(*array.Struct)
	if !ok || st.NumField() != 3 {
		return nil, fmt.Errorf("column %s: type %s", colZygosity, a.DataType())
	}
	c.zygosity = l
	if c.zID, err = newStringCol(st.Field(0)); err != nil {
		return nil, fmt.Errorf("column %s: %w", colZygosity, err)
	}
	if c.zLabel, err = newStringCol(st.Field(1)); err != nil {
		return nil, fmt.Errorf("column %s: %w", colZygosity, err)
	}
	if c.zBits, err = newBinaryCol(st.Field(2)); err != nil {
		return nil, fmt.Errorf("column %s: %w", colZygosity, err)
	}
	if a, err = column(rec, colCaseLevel); err != nil {
		return nil, err
	}
	if c.caseLevel, ok = a.(*array.Boolean); !ok {
		return nil, fmt.Errorf("column %s: type %s", colCaseLevel, a.DataType())
	}
	if idx := rec.Schema().FieldIndices(colCalls); len(idx) > 0 {
		if c.calls, err = newBinaryCol(rec.Column(idx[0])); err != nil {
			return nil, fmt.Errorf("column %s: %w", colCalls, err)
		}
	}
	return c, nil
}

func (c *variantCols) fill(i int, v *Variant) error {
	c.recordCols.fill(i, &v.Record)
	v.Assembly = c.assembly.at(i)
	v.Chrom = c.chrom.at(i)
	v.Start = c.start.Value(i)
	v.End = c.end.Value(i)
	v.Ref = c.ref.at(i)
	v.Alt = c.alt.at(i)
	v.VariantType = c.vtype.at(i)
	v.GeneIDs = c.genes.at(i)
	v.AminoacidChanges = c.aa.at(i)
	v.HGVSIDs = c.hgvs.at(i)
	var err error
	if v.CarrierBits, err = c.carriers.bitmapAt(i); err != nil {
		return fmt.Errorf("variant %q: column %s: %w", v.ID, colCarriers, err)
	}
	if b, e := c.zygosity.ValueOffsets(i); e > b {
		v.Zygosity = make([]ZygositySet, e-b)
		for j := range v.Zygosity {
			k := int(b) + j
			z := &v.Zygosity[j]
			z.ID, z.Label = c.zID.at(k), c.zLabel.at(k)
			if z.Bits, err = c.zBits.bitmapAt(k); err != nil {
				return fmt.Errorf("variant %q: column %s: %w", v.ID, colZygosity, err)
			}
		}
	}
	v.CaseLevelFromCarriers = c.caseLevel.Value(i)
	if c.calls.arr != nil && !c.calls.arr.IsNull(i) {
		v.Genotyped = true
		if v.CalledAlleles, err = ParseCalls(c.calls.at(i)); err != nil {
			return fmt.Errorf("variant %q: column %s: %w", v.ID, colCalls, err)
		}
	}
	return nil
}

// readRecordFile calls fn with a fresh Record for every row of an entity file.
func readRecordFile(path string, fn func(*Record) error) error {
	return scanTable(path, func(rec arrow.RecordBatch) error {
		c, err := newRecordCols(rec)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			r := new(Record)
			c.fill(i, r)
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// readVariantFile calls fn with a fresh Variant for every row of a genomicVariation file, or
// of its row groups rowGroups when not nil.
func readVariantFile(path string, rowGroups []int, fn func(*Variant) error) error {
	return scanTableParts(path, nil, rowGroups, func(_ int, rec arrow.RecordBatch) error {
		c, err := newVariantCols(rec)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			v := new(Variant)
			if err := c.fill(i, v); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if err := fn(v); err != nil {
				return err
			}
		}
		return nil
	})
}

// readSamplesFile returns the ids of a samples file, in order.
func readSamplesFile(path string) ([]string, error) {
	var out []string
	err := scanTable(path, func(rec arrow.RecordBatch) error {
		a, err := column(rec, colID)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		ids, err := newStringCol(a)
		if err != nil {
			return fmt.Errorf("%s: column %s: %w", path, colID, err)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, ids.at(i))
		}
		return nil
	})
	return out, err
}

// readOntologyFile calls fn with a fresh OntologyTerm for every row of ontology.parquet.
func readOntologyFile(path string, fn func(*OntologyTerm) error) error {
	return scanTable(path, func(rec arrow.RecordBatch) error {
		var id, label stringCol
		var parents listCol
		for _, s := range []struct {
			name string
			dst  *stringCol
		}{{colID, &id}, {colLabel, &label}} {
			a, err := column(rec, s.name)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if *s.dst, err = newStringCol(a); err != nil {
				return fmt.Errorf("%s: column %s: %w", path, s.name, err)
			}
		}
		a, err := column(rec, colParents)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if parents, err = newListCol(a); err != nil {
			return fmt.Errorf("%s: column %s: %w", path, colParents, err)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			t := &OntologyTerm{ID: id.at(i), Label: label.at(i), Parents: parents.at(i)}
			if err := fn(t); err != nil {
				return err
			}
		}
		return nil
	})
}
