package release

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// VariantPosition is where a variant of a genomicVariation file starts, with the row group
// that holds it: what a partitioned index build plans with (engine/partition.go), reading
// three small columns instead of the variants.
type VariantPosition struct {
	RowGroup        int
	Assembly, Chrom string
	Start           int64
}

// ReadVariantPositions calls fn with the position of every variant of a dataset, in the
// order written. The strings are shared as ReadRecords describes.
func (r *Reader) ReadVariantPositions(datasetID string, fn func(VariantPosition) error) error {
	p, err := r.entityFile(datasetID, GenomicVariation)
	if err != nil || p == "" {
		return err
	}
	groups, err := rowGroupCount(p)
	if err != nil {
		return err
	}
	all := make([]int, groups)
	for i := range all {
		all[i] = i
	}
	return scanTableParts(p, []string{colAssembly, colChrom, colStart}, all, func(g int, rec arrow.RecordBatch) error {
		asm, err1 := newStringCol(rec.Column(0))
		chrom, err2 := newStringCol(rec.Column(1))
		start, ok := rec.Column(2).(*array.Int64)
		if err1 != nil || err2 != nil || !ok {
			return fmt.Errorf("%s: unexpected position columns", p)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			if err := fn(VariantPosition{RowGroup: g, Assembly: asm.at(i), Chrom: chrom.at(i), Start: start.Value(i)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadVariantRowGroups is ReadVariants of the given row groups only (in the order given), so
// that a build of part of the release decodes only the row groups holding it.
func (r *Reader) ReadVariantRowGroups(datasetID string, rowGroups []int, fn func(*Variant) error) error {
	p, err := r.entityFile(datasetID, GenomicVariation)
	if err != nil || p == "" {
		return err
	}
	if rowGroups == nil {
		rowGroups = []int{}
	}
	return readVariantFile(p, rowGroups, fn)
}

// rowGroupCount returns the number of row groups of a Parquet file.
func rowGroupCount(path string) (int, error) {
	pr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	defer pr.Close()
	return pr.NumRowGroups(), nil
}
