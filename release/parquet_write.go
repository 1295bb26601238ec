package release

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
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

// tableWriter streams rows into one Parquet file: rows are appended column by column to a
// rowBatch on the caller's goroutine and handed, every batchRows rows or batchBytes bytes, to
// the file's encoder goroutine (parquet_encoder.go), which encodes and compresses them while
// the caller goes on. A row group is cut every rowGroupRows rows or rowGroupBytes bytes.
type tableWriter struct {
	path    string
	f       *os.File
	sink    *hashingSink
	fw      *file.Writer
	b       *rowBatch // rows not yet handed to the encoder
	enc     *encoder
	bytes   int // approximate size of the rows in b
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
	l := layoutOf(sc)
	if l.err != nil {
		return nil, fmt.Errorf("parquet writer %s: %w", path, l.err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return nil, err
	}
	sink := &hashingSink{w: bufio.NewWriterSize(f, 1<<20), h: sha256.New()}
	fw, err := file.NewParquetWriterWithError(sink, l.root, file.WithWriterProps(writerProps()), file.WithWriteMetadata(l.meta))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("parquet writer %s: %w", path, err)
	}
	return &tableWriter{path: path, f: f, sink: sink, fw: fw, b: newRowBatch(l.leaves), enc: startEncoder(fw, l.leaves)}, nil
}

// endRow accounts for one appended row; it hands the pending rows to the encoder when a
// batch or a row group is full. It returns an earlier error of the encoder, if any.
func (t *tableWriter) endRow(approxBytes int) error {
	t.b.rows++
	t.rows++
	t.bytes += approxBytes
	t.rgRows++
	t.rgBytes += approxBytes
	if t.rgRows >= rowGroupRows || t.rgBytes >= rowGroupBytes {
		t.rgRows, t.rgBytes = 0, 0
		return t.handOver(true)
	}
	if t.b.rows >= batchRows || t.bytes >= batchBytes {
		return t.handOver(false)
	}
	return nil
}

// handOver sends the pending rows to the encoder; endGroup closes the row group after them.
func (t *tableWriter) handOver(endGroup bool) error {
	if t.b.rows == 0 {
		return t.enc.err()
	}
	b := t.b
	b.endGroup = endGroup
	t.b, t.bytes = t.enc.batch(), 0
	if err := t.enc.send(b); err != nil {
		return fmt.Errorf("write %s: %w", t.path, err)
	}
	return nil
}

// close writes the last rows and the footer, fsyncs and closes the file, and returns its
// checksum and size.
func (t *tableWriter) close() (FileEntry, error) {
	err := t.handOver(false)
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
	t.enc.finish()
	t.fw.Close()
	t.f.Close()
}

// appendRecord appends the record columns (recordFields) and returns the approximate size.
func appendRecord(b *rowBatch, r *Record) int {
	b.str(leafID, r.ID)
	b.str(leafDatasetID, r.DatasetID)
	b.optStr(leafIndividualID, r.IndividualID)
	b.optStr(leafBiosampleID, r.BiosampleID)
	b.optStr(leafRunID, r.RunID)
	b.optStr(leafAnalysisID, r.AnalysisID)
	n := len(r.ID) + len(r.DatasetID) + len(r.IndividualID) + len(r.BiosampleID) + len(r.RunID) + len(r.AnalysisID)
	n += strList(b, leafTerms, r.Terms)
	b.listLevels(len(r.Fields), leafFieldPath, leafFieldValue)
	for _, f := range r.Fields {
		b.str(leafFieldPath, f.Path)
		b.str(leafFieldValue, f.Value)
		n += len(f.Path) + len(f.Value) + 8
	}
	b.binary(leafJSON, r.JSON)
	return n + len(r.JSON)
}

// appendVariant appends a variant: the record columns, then variantFields. A zygosity set
// that is the carrier bitmap itself is serialised once, for both columns.
func appendVariant(b *rowBatch, v *Variant) (int, error) {
	n := appendRecord(b, &v.Record)
	b.str(leafAssembly, v.Assembly)
	b.str(leafChrom, v.Chrom)
	b.cols[leafStart].ints = append(b.cols[leafStart].ints, v.Start)
	b.cols[leafEnd].ints = append(b.cols[leafEnd].ints, v.End)
	b.str(leafRef, v.Ref)
	b.str(leafAlt, v.Alt)
	b.str(leafVariantType, v.VariantType)
	n += len(v.Assembly) + len(v.Chrom) + 16 + len(v.Ref) + len(v.Alt) + len(v.VariantType)
	n += strList(b, leafGeneIDs, v.GeneIDs)
	n += strList(b, leafAminoacidChanges, v.AminoacidChanges)
	n += strList(b, leafHGVSIDs, v.HGVSIDs)
	carriersCol := &b.cols[leafCarriers]
	var carriers []byte // serialised CarrierBits, for a zygosity set that shares it
	if v.CarrierBits == nil || v.CarrierBits.IsEmpty() {
		carriersCol.def = append(carriersCol.def, 0)
	} else {
		bs, err := b.bitmap(leafCarriers, v.CarrierBits)
		if err != nil {
			return 0, err
		}
		carriersCol.def = append(carriersCol.def, 1)
		carriers = bs
		n += len(bs)
	}
	sets := 0
	for _, z := range v.Zygosity {
		if z.Bits != nil && !z.Bits.IsEmpty() {
			sets++
		}
	}
	b.listLevels(sets, leafZygosityID, leafZygosityLabel, leafZygosityBits)
	for _, z := range v.Zygosity {
		if z.Bits == nil || z.Bits.IsEmpty() {
			continue
		}
		b.str(leafZygosityID, z.ID)
		b.str(leafZygosityLabel, z.Label)
		bs := carriers
		if z.Bits == v.CarrierBits && bs != nil {
			b.cols[leafZygosityBits].bytes = append(b.cols[leafZygosityBits].bytes, bs)
		} else {
			var err error
			if bs, err = b.bitmap(leafZygosityBits, z.Bits); err != nil {
				return 0, err
			}
		}
		n += len(z.ID) + len(z.Label) + len(bs) + 12
	}
	b.cols[leafCaseLevel].bools = append(b.cols[leafCaseLevel].bools, v.CaseLevelFromCarriers)
	calls, err := appendCallsColumn(b, v)
	return n + 1 + calls, err
}

// strList appends a list of strings and returns their approximate size.
func strList(b *rowBatch, c int, ss []string) int {
	b.strList(c, ss)
	n := 0
	for _, s := range ss {
		n += len(s) + 4
	}
	return n
}

// appendSample appends one row of samples.parquet.
func appendSample(b *rowBatch, id string) int {
	b.str(0, id)
	return len(id) + 4
}

// appendOntologyTerm appends one row of ontology.parquet.
func appendOntologyTerm(b *rowBatch, t *OntologyTerm) int {
	b.str(0, t.ID)
	b.str(1, t.Label)
	return len(t.ID) + len(t.Label) + strList(b, 2, t.Parents)
}
