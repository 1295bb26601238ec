package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// Index files are a loaded Snapshot written out as flat arrays and portable roaring bitmaps
// (index.Encoder), in the release directory as releases/<id>/index/ with a manifest binding
// them to the release; see docs/release-format.md. engine.Open maps them instead of
// building from Parquet when they match.

// IndexFormatVersion is the index files' layout. Bump it on any change to what is written or
// in which order (including the layout of the structs written as arrays): older files are
// then rebuilt from Parquet, never misread.
const IndexFormatVersion = 5

const (
	indexManifestName = "manifest.json"
	snapshotFileName  = "snapshot.bin"
	littleEndian      = "little-endian"
)

// indexManifest describes the index files of one release.
type indexManifest struct {
	FormatVersion int    `json:"formatVersion"`
	ReleaseID     string `json:"releaseId"`
	// ReleaseManifestSHA256 is the sha256 of the release's manifest.json they were built from.
	ReleaseManifestSHA256 string `json:"releaseManifestSha256"`
	ByteOrder             string `json:"byteOrder"`
	Alignment             int    `json:"alignment"`
	// Files maps each file name to its size and the CRC-32C (Castagnoli) of each
	// index.CRCChunk bytes of it (so they are checked in parallel), checked at open.
	Files map[string]indexFileEntry `json:"files"`
	// Partition is set in the index files of one partition (partitionbuild.go).
	Partition *partitionEntry `json:"partition,omitempty"`
}

type indexFileEntry struct {
	Bytes  int64    `json:"bytes"`
	CRC32C []uint32 `json:"crc32c"`
}

// tableFileName is the index file of one entity's table.
func tableFileName(e release.Entity) string { return string(e) + ".bin" }

// WriteIndex builds the snapshot of the current release under root from Parquet (verifying
// the release) and writes its index files, under the root's lock: into a temporary directory,
// fsynced, then renamed into place (replacing older index files of the release). It returns
// the release directory.
func WriteIndex(root string, opts Options) (string, error) {
	unlock, err := release.LockRoot(root)
	if err != nil {
		return "", err
	}
	defer unlock()
	// Under the lock no other index build runs: what an earlier one left is garbage.
	if err := removeIndexLeftovers(root); err != nil {
		return "", err
	}
	r, err := release.Open(root)
	if err != nil {
		return "", err
	}
	// Spill files go beside the index files unless told otherwise: the same file system,
	// with room for them.
	if opts.SpillDir == "" {
		opts.SpillDir = r.Dir()
	}
	s, err := load(r, opts)
	if err != nil {
		return "", err
	}
	defer s.spilled.unmap() // s is not used after writing
	return r.Dir(), s.writeIndex(r.Dir(), r.ManifestSHA256())
}

// writeIndex writes the index files of s into releaseDir/index.
func (s *Snapshot) writeIndex(releaseDir, manifestSHA256 string) error {
	return s.writeIndexDir(releaseDir, release.IndexDir(releaseDir), indexTmpPrefix, manifestSHA256, nil)
}

// writeIndexDir writes the index files of s into dst, through a temporary directory named
// tmpPrefix* beside it (in parent), renamed into place once every file is synced; part
// marks them as the files of one partition.
func (s *Snapshot) writeIndexDir(parent, dst, tmpPrefix, manifestSHA256 string, part *partitionEntry) error {
	tmp, err := os.MkdirTemp(parent, tmpPrefix)
	if err != nil {
		return fmt.Errorf("index files: %w", err)
	}
	defer os.RemoveAll(tmp)
	im := indexManifest{
		FormatVersion:         IndexFormatVersion,
		ReleaseID:             s.ReleaseID,
		ReleaseManifestSHA256: manifestSHA256,
		ByteOrder:             littleEndian,
		Alignment:             index.SectionAlign,
		Files:                 map[string]indexFileEntry{},
		Partition:             part,
	}
	verified := map[string]indexStamp{}
	write := func(name string, fn func(e *index.Encoder)) error {
		// Read-only like the rest of the release: the files are mapped, and a mapped file
		// changed or truncated in place faults the server (docs/operations.md).
		f, err := os.OpenFile(filepath.Join(tmp, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
		if err != nil {
			return err
		}
		e := index.NewEncoder(f)
		if s.spilled != nil {
			e.Written = s.spilled.dropPages // see droppages.go
		}
		fn(e)
		n, crc, err := e.Flush()
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("index files: %s: %w", name, err)
		}
		im.Files[name] = indexFileEntry{Bytes: n, CRC32C: crc}
		if st, ok := backdate(f.Name()); ok && st.Bytes == n {
			verified[name] = indexStamp{CRC32C: crc, FileState: st}
		}
		return nil
	}
	if s.spilled != nil {
		s.spilled.dropAll() // what the build read back (the ids, for their lookup)
	}
	if err := write(snapshotFileName, s.encodeSnapshot); err != nil {
		return err
	}
	for e, t := range s.tables {
		if e == release.GenomicVariation {
			continue
		}
		if err := write(tableFileName(e), t.encode); err != nil {
			return err
		}
	}
	if err := write(tableFileName(release.GenomicVariation), s.variants.encode); err != nil {
		return err
	}
	b, err := json.MarshalIndent(&im, "", "  ")
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(tmp, indexManifestName), append(b, '\n')); err != nil {
		return fmt.Errorf("index files: %w", err)
	}
	writeIndexVerified(tmp, verified)
	if err := syncDir(tmp); err != nil {
		return fmt.Errorf("index files: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		// Move the old files aside first: a directory cannot be renamed over a full one.
		// Snapshots mapping them keep their mappings.
		old := tmp + ".old"
		if err := os.Rename(dst, old); err != nil {
			return fmt.Errorf("index files: %w", err)
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("index files: %w", err)
	}
	return syncDir(parent)
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !strings.Contains(err.Error(), "invalid argument") {
		return err
	}
	return nil
}

// encodeSnapshot writes what is not per table: labels, the ontology, the sample spaces.
func (s *Snapshot) encodeSnapshot(e *index.Encoder) {
	keys := make([]string, 0, len(s.labels))
	for k := range s.labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var kb, vb index.StringsBuilder
	for _, k := range keys {
		kb.Add(k)
		vb.Add(s.labels[k])
	}
	ks, vs := kb.Build(), vb.Build()
	ks.Encode(e)
	vs.Encode(e)
	s.onto.Encode(e)
	var ents []string
	for ent := range s.tables {
		ents = append(ents, string(ent))
	}
	slices.Sort(ents)
	e.Uint(uint64(len(ents)))
	for _, ent := range ents {
		e.String(ent)
	}
	e.Uint(uint64(len(s.variants.cl.spaces)))
	for _, sp := range s.variants.cl.spaces {
		sp.encode(e)
	}
}

func (sp *sampleSpace) encode(e *index.Encoder) {
	var ids index.StringsBuilder
	for _, id := range sp.ids {
		ids.Add(id)
	}
	is := ids.Build()
	is.Encode(e)
	e.Bool(sp.shift)
	e.Uint(uint64(sp.offset))
	e.Bitmap(sp.matched)
	index.Array(e, sp.rows)
	keys := make([]uint32, 0, len(sp.multi))
	for k := range sp.multi {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	offs := []uint32{0}
	var vals []int32
	for _, k := range keys {
		vals = append(vals, sp.multi[k]...)
		offs = append(offs, uint32(len(vals)))
	}
	index.Array(e, keys)
	index.Array(e, offs)
	index.Array(e, vals)
}

// encode writes the generic part of a table.
func (t *table) encode(e *index.Encoder) {
	e.Uint(uint64(t.n))
	t.ids.Encode(e)
	index.Array(e, t.byID.hashes)
	index.Array(e, t.byID.rows)
	index.Array(e, t.dataset)
	e.Bitmaps(t.byDataset)
	t.terms.Encode(e)
	t.values.Encode(e)
	t.json.Encode(e)
	for _, l := range t.linkArrays() {
		e.Bool(*l != nil)
		index.Array(e, *l)
	}
}

// linkArrays lists the link columns in file order.
func (t *table) linkArrays() []*[]int32 {
	return []*[]int32{&t.individual, &t.biosample, &t.run, &t.analysis, &t.indOf, &t.bioOf}
}

// encode writes the variant table: its generic table, then the variant columns.
func (vt *variantTable) encode(e *index.Encoder) {
	vt.table.encode(e)
	index.Array(e, vt.start)
	index.Array(e, vt.end)
	vt.ref.Encode(e)
	vt.alt.Encode(e)
	seqs := make([]sequence, 0, len(vt.seqs))
	for _, sq := range vt.seqs {
		seqs = append(seqs, sq)
	}
	slices.SortFunc(seqs, func(a, b sequence) int { return int(a.base) - int(b.base) })
	e.Uint(uint64(len(seqs)))
	for _, sq := range seqs {
		e.String(sq.assembly)
		e.String(sq.chrom)
		e.Uint(uint64(sq.base))
	}
	for _, ti := range []*index.TermIndex{vt.types, vt.genes, vt.aaChanges, vt.hgvs} {
		ti.Encode(e)
	}
	index.Array(e, vt.carriers.offs)
	e.Bool(vt.carriers.r32 != nil)
	index.Array(e, vt.carriers.r16)
	index.Array(e, vt.carriers.r32)
	e.Uint(uint64(vt.carriers.blockShift))
	e.Uint(uint64(vt.carriers.blockWords))
	index.Array(e, vt.carriers.blocks)
	e.Bool(vt.carriedBy != nil)
	if vt.carriedByImage != nil {
		e.Encoded(vt.carriedByImage)
	} else {
		e.Bitmaps(vt.carriedBy)
	}
	vt.cl.encode(e)
	vt.calls.encode(e)
}

func (cl *caseLevel) encode(e *index.Encoder) {
	e.Bitmap(cl.from)
	e.Bitmaps(cl.sampleBits)
	e.Uint(uint64(len(cl.terms)))
	for _, t := range cl.terms {
		e.String(t.ID)
		e.String(t.Label)
	}
	index.Array(e, cl.at)
	e.Bytes(cl.codes)
	rows := make([]uint32, 0, len(cl.fallback))
	for r := range cl.fallback {
		rows = append(rows, r)
	}
	slices.Sort(rows)
	e.Uint(uint64(len(rows)))
	for _, r := range rows {
		sets := cl.fallback[r]
		e.Uint(uint64(r))
		e.Uint(uint64(len(sets)))
		for _, z := range sets {
			e.String(z.ID)
			e.String(z.Label)
			e.Bitmap(z.Bits)
		}
	}
}
