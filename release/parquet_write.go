package release

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Row groups are cut at whichever comes first. The byte bound matters for variants: a record
// with thousands of carriers is tens of kilobytes, and a writer must never buffer gigabytes.
// Rows go to the encoder in batches, a few per row group, so that encoding overlaps the
// appending of the next rows instead of happening all at once when a row group is full.
const (
	rowGroupRows  = 64 * 1024
	rowGroupBytes = 16 << 20
	batchRows     = 4096
	batchBytes    = 2 << 20
)

// hashingSink counts and hashes every byte on its way to the file, so the manifest checksum
// costs no second read. It deliberately has no Close: the parquet writer would otherwise
// close the file before it is flushed and fsynced.
type hashingSink struct {
	w *bufio.Writer
	h hash.Hash
	n int64
}

func (s *hashingSink) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.h.Write(p[:n])
	s.n += int64(n)
	return n, err
}

// tableWriter streams rows into one Parquet file: rows are appended to Arrow builders on
// the caller's goroutine and handed, every batchRows rows or batchBytes bytes, to the file's
// encoder goroutine (parquet_encoder.go), which encodes and compresses them while the caller
// goes on. A row group is cut every rowGroupRows rows or rowGroupBytes bytes.
type tableWriter struct {
	path    string
	f       *os.File
	sink    *hashingSink
	fw      *pqarrow.FileWriter
	b       *array.RecordBuilder
	enc     *encoder
	pending int // rows in the builders, not yet handed to the encoder
	bytes   int // their approximate size
	rgRows  int // rows of the current row group, handed over or pending
	rgBytes int
	rows    int64
}

// writerProps are the encoding options of every file. Measured on 10,000 generated
// 2,504-sample variants (docs/vcf-ingest.md, "Throughput"):
//   - no dictionaries: most string columns are unique per row (ids, HGVS ids, field values,
//     the JSON) and the repetitive ones compress to nearly nothing with zstd anyway; plain
//     encoding made the file 4% smaller and encoding ~20% cheaper;
//   - zstd at its fastest level: the carrier bitmaps (sorted random sample indexes, over
//     half the bytes) compress little at any level, and the default level cost ~40% more
//     encoding CPU for an 8% smaller file; for the text columns the level makes no
//     measurable difference in size;
//   - no statistics for the JSON, the bitmaps and the fields (~15 paths and values a
//     variant): min/max of them serve no reader, and updating them was a tenth of the
//     encoding profile; the scalar columns keep theirs (DuckDB prunes row groups by them).
func writerProps() *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(zstdFastest),
		parquet.WithDictionaryDefault(false),
		parquet.WithStatsFor(colJSON, false),
		parquet.WithStatsFor(colCarriers, false),
		parquet.WithStatsFor(zygosityBitsPath, false),
		parquet.WithStatsFor(fieldsPathPath, false),
		parquet.WithStatsFor(fieldsValuePath, false),
		parquet.WithMaxRowGroupLength(rowGroupRows),
	)
}

// zstdFastest is the zstd level of klauspost's SpeedFastest encoder.
const zstdFastest = 1

func newTableWriter(path string, sc *arrow.Schema) (*tableWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return nil, err
	}
	sink := &hashingSink{w: bufio.NewWriterSize(f, 1<<20), h: sha256.New()}
	fw, err := pqarrow.NewFileWriter(sc, sink, writerProps(), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("parquet writer %s: %w", path, err)
	}
	return &tableWriter{path: path, f: f, sink: sink, fw: fw, b: array.NewRecordBuilder(memory.DefaultAllocator, sc), enc: startEncoder(fw)}, nil
}

// endRow accounts for one appended row; it hands the pending rows to the encoder when a
// batch or a row group is full. It returns an earlier error of the encoder, if any.
func (t *tableWriter) endRow(approxBytes int) error {
	t.pending++
	t.rows++
	t.bytes += approxBytes
	t.rgRows++
	t.rgBytes += approxBytes
	if t.rgRows >= rowGroupRows || t.rgBytes >= rowGroupBytes {
		t.rgRows, t.rgBytes = 0, 0
		return t.handOver(true)
	}
	if t.pending >= batchRows || t.bytes >= batchBytes {
		return t.handOver(false)
	}
	return nil
}

// handOver sends the pending rows to the encoder; endGroup closes the row group after them.
func (t *tableWriter) handOver(endGroup bool) error {
	if t.pending == 0 {
		return t.enc.err()
	}
	rec := t.b.NewRecordBatch()
	t.pending, t.bytes = 0, 0
	if err := t.enc.send(rec, endGroup); err != nil {
		return fmt.Errorf("write %s: %w", t.path, err)
	}
	return nil
}

// close writes the last rows and the footer, fsyncs and closes the file, and returns its
// checksum and size.
func (t *tableWriter) close() (FileEntry, error) {
	err := t.handOver(false)
	t.b.Release()
	err = errors.Join(err, t.enc.finish())
	err = errors.Join(err, t.fw.Close())
	err = errors.Join(err, t.sink.w.Flush())
	if err == nil {
		err = t.f.Sync()
	}
	err = errors.Join(err, t.f.Close())
	if err != nil {
		return FileEntry{}, fmt.Errorf("close %s: %w", t.path, err)
	}
	return FileEntry{SHA256: hex.EncodeToString(t.sink.h.Sum(nil)), Bytes: t.sink.n}, nil
}

// discard closes the file without caring about its content; Abort removes it afterwards.
func (t *tableWriter) discard() {
	t.b.Release()
	t.enc.finish()
	t.fw.Close()
	t.f.Close()
}

// appendRecord appends the record columns (recordFields) and returns the approximate size.
func appendRecord(b *array.RecordBuilder, r *Record) int {
	b.Field(0).(*array.StringBuilder).Append(r.ID)
	b.Field(1).(*array.StringBuilder).Append(r.DatasetID)
	appendOptString(b.Field(2).(*array.StringBuilder), r.IndividualID)
	appendOptString(b.Field(3).(*array.StringBuilder), r.BiosampleID)
	appendOptString(b.Field(4).(*array.StringBuilder), r.RunID)
	appendOptString(b.Field(5).(*array.StringBuilder), r.AnalysisID)
	n := len(r.ID) + len(r.DatasetID) + len(r.IndividualID) + len(r.BiosampleID) + len(r.RunID) + len(r.AnalysisID)
	n += appendStrings(b.Field(6).(*array.ListBuilder), r.Terms)
	lb := b.Field(7).(*array.ListBuilder)
	lb.Append(true)
	sb := lb.ValueBuilder().(*array.StructBuilder)
	pb := sb.FieldBuilder(0).(*array.StringBuilder)
	vb := sb.FieldBuilder(1).(*array.StringBuilder)
	for _, f := range r.Fields {
		sb.Append(true)
		pb.Append(f.Path)
		vb.Append(f.Value)
		n += len(f.Path) + len(f.Value) + 8
	}
	b.Field(8).(*array.BinaryBuilder).Append(r.JSON)
	return n + len(r.JSON)
}

// Parquet column paths of nested leaves: zygosity[].bits, fields[].path, fields[].value.
const (
	zygosityBitsPath = colZygosity + ".list.element." + colBits
	fieldsPathPath   = colFields + ".list.element.path"
	fieldsValuePath  = colFields + ".list.element.value"
)

// serialBuf is a reusable buffer for the portable serialisation of bitmaps.
type serialBuf struct{ bytes.Buffer }

// bitmapBytes run-optimises bm and returns its portable serialisation, valid until the next
// call.
func (s *serialBuf) bitmapBytes(bm *roaring.Bitmap) ([]byte, error) {
	bm.RunOptimize()
	s.Reset()
	if _, err := bm.WriteTo(&s.Buffer); err != nil {
		return nil, err
	}
	return s.Bytes(), nil
}

// appendVariant appends a variant: the record columns, then variantFields. ser[0] holds the
// carriers, ser[1] a zygosity set's bits.
func appendVariant(b *array.RecordBuilder, v *Variant, ser *[2]serialBuf) (int, error) {
	n := appendRecord(b, &v.Record)
	i := len(recordFields)
	b.Field(i).(*array.StringBuilder).Append(v.Assembly)
	b.Field(i + 1).(*array.StringBuilder).Append(v.Chrom)
	b.Field(i + 2).(*array.Int64Builder).Append(v.Start)
	b.Field(i + 3).(*array.Int64Builder).Append(v.End)
	b.Field(i + 4).(*array.StringBuilder).Append(v.Ref)
	b.Field(i + 5).(*array.StringBuilder).Append(v.Alt)
	b.Field(i + 6).(*array.StringBuilder).Append(v.VariantType)
	n += len(v.Assembly) + len(v.Chrom) + 16 + len(v.Ref) + len(v.Alt) + len(v.VariantType)
	n += appendStrings(b.Field(i+7).(*array.ListBuilder), v.GeneIDs)
	n += appendStrings(b.Field(i+8).(*array.ListBuilder), v.AminoacidChanges)
	n += appendStrings(b.Field(i+9).(*array.ListBuilder), v.HGVSIDs)
	cb := b.Field(i + 10).(*array.BinaryBuilder)
	var carriers []byte // serialised CarrierBits, for a zygosity set that shares it
	if v.CarrierBits == nil || v.CarrierBits.IsEmpty() {
		cb.AppendNull()
	} else {
		bs, err := ser[0].bitmapBytes(v.CarrierBits)
		if err != nil {
			return 0, err
		}
		cb.Append(bs)
		carriers = bs
		n += len(bs)
	}
	lb := b.Field(i + 11).(*array.ListBuilder)
	lb.Append(true)
	sb := lb.ValueBuilder().(*array.StructBuilder)
	idb := sb.FieldBuilder(0).(*array.StringBuilder)
	lab := sb.FieldBuilder(1).(*array.StringBuilder)
	bb := sb.FieldBuilder(2).(*array.BinaryBuilder)
	for _, z := range v.Zygosity {
		if z.Bits == nil || z.Bits.IsEmpty() {
			continue
		}
		bs := carriers
		if z.Bits != v.CarrierBits || bs == nil {
			var err error
			if bs, err = ser[1].bitmapBytes(z.Bits); err != nil {
				return 0, err
			}
		}
		sb.Append(true)
		idb.Append(z.ID)
		lab.Append(z.Label)
		bb.Append(bs)
		n += len(z.ID) + len(z.Label) + len(bs) + 12
	}
	b.Field(i + 12).(*array.BooleanBuilder).Append(v.CaseLevelFromCarriers)
	return n + 1, nil
}

func appendOptString(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.Append(s)
}

func appendStrings(lb *array.ListBuilder, ss []string) int {
	lb.Append(true)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	n := 0
	for _, s := range ss {
		vb.Append(s)
		n += len(s) + 4
	}
	return n
}

// appendOntologyTerm appends one row of ontology.parquet.
func appendOntologyTerm(b *array.RecordBuilder, t *OntologyTerm) int {
	b.Field(0).(*array.StringBuilder).Append(t.ID)
	b.Field(1).(*array.StringBuilder).Append(t.Label)
	return len(t.ID) + len(t.Label) + appendStrings(b.Field(2).(*array.ListBuilder), t.Parents)
}
