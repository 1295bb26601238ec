package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// errNoIndex reports a release without index files.
var errNoIndex = errors.New("no index files")

// openIndexed maps the index files of r's release and decodes the snapshot from them. It
// fails (and the caller builds from Parquet) when they are absent, of another format or
// release, or fail their size or CRC-32C check; every file is checked in full before use
// unless it is as it was when last found right (indexverified.go).
func openIndexed(r *release.Reader) (*Snapshot, error) {
	dir := release.IndexDir(r.Dir())
	im, err := readIndexManifest(dir, r)
	if err != nil {
		return nil, err
	}
	if im.Partition != nil {
		return nil, fmt.Errorf("index files of partition %d/%d, not of the whole release", im.Partition.K, im.Partition.N)
	}
	return openIndexDir(r, dir, im)
}

// readIndexManifest reads the manifest of the index files in dir and checks that they are of
// this format and of r's release (errNoIndex when there is none).
func readIndexManifest(dir string, r *release.Reader) (*indexManifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, indexManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoIndex
	}
	if err != nil {
		return nil, err
	}
	var im indexManifest
	if err := json.Unmarshal(b, &im); err != nil {
		return nil, fmt.Errorf("%s: %w", indexManifestName, err)
	}
	m := r.Manifest()
	switch {
	case im.FormatVersion != IndexFormatVersion:
		return nil, fmt.Errorf("index format version %d, this build reads %d", im.FormatVersion, IndexFormatVersion)
	case im.ReleaseID != m.ReleaseID:
		return nil, fmt.Errorf("index files of release %q, not %q", im.ReleaseID, m.ReleaseID)
	case im.ReleaseManifestSHA256 != r.ManifestSHA256():
		return nil, fmt.Errorf("index files built from another manifest.json (sha256 %s, now %s)", im.ReleaseManifestSHA256, r.ManifestSHA256())
	case im.ByteOrder != littleEndian || im.Alignment != index.SectionAlign:
		return nil, fmt.Errorf("index files are %s with %d-byte alignment, this build reads %s, %d", im.ByteOrder, im.Alignment, littleEndian, index.SectionAlign)
	}
	if _, ok := im.Files[snapshotFileName]; !ok {
		return nil, fmt.Errorf("index manifest lists no %s", snapshotFileName)
	}
	return &im, nil
}

// openIndexDir maps the index files in dir, which im lists, checks their sizes and
// checksums, and decodes the snapshot from them.
func openIndexDir(r *release.Reader, dir string, im *indexManifest) (s *Snapshot, err error) {
	mp := &mapping{}
	defer func() {
		if err != nil {
			mp.unmap()
		}
	}()
	data, err := mapAndCheck(mp, dir, im.Files)
	if err != nil {
		return nil, err
	}
	defer func() {
		// The files passed their checksums, so only a writer bug can make them undecodable;
		// still, never crash a server over it: fall back to Parquet.
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("%w: %v", index.ErrCorrupt, p)
		}
	}()
	s, err = newSnapshot(r)
	if err != nil {
		return nil, err
	}
	s.mapping = mp
	if err := s.decode(data); err != nil {
		return nil, err
	}
	unmapWhenUnreachable(s, mp)
	return s, nil
}

// mapAndCheck maps every listed file and checks its size, and its CRC-32C unless the
// directory's verification record vouches for the file as it is (indexverified.go); it
// records the files it checked in full once their times are settled.
func mapAndCheck(mp *mapping, dir string, files map[string]indexFileEntry) (map[string][]byte, error) {
	start := time.Now()
	rec := readIndexVerified(dir)
	out := make(map[string][]byte, len(files))
	states := make(map[string]release.FileState, len(files))
	var check []string
	for name, want := range files {
		if !filepath.IsLocal(name) || filepath.Base(name) != name {
			return nil, fmt.Errorf("index manifest names %q", name)
		}
		b, fi, err := mp.mapFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if int64(len(b)) != want.Bytes {
			return nil, fmt.Errorf("%s: %d bytes, index manifest says %d", name, len(b), want.Bytes)
		}
		if n := (len(b) + index.CRCChunk - 1) / index.CRCChunk; len(want.CRC32C) != n {
			return nil, fmt.Errorf("%s: %d checksums for %d chunks", name, len(want.CRC32C), n)
		}
		out[name] = b
		st, ok := release.StateOf(fi)
		if ok {
			states[name] = st
		}
		if !ok || !rec[name].vouches(st, want) {
			check = append(check, name)
		}
	}
	if err := checkCRCs(out, files, check); err != nil {
		return nil, err
	}
	// Record what was checked, if it has not changed since it was mapped and a later write
	// would change its times; keep only the files of this manifest.
	changed := false
	for name := range rec {
		if st, ok := states[name]; !ok || !rec[name].vouches(st, files[name]) {
			delete(rec, name)
			changed = true
		}
	}
	for _, name := range check {
		st, ok := states[name]
		if !ok || !st.SettledBefore(start.Add(-indexSettleTime)) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil {
			continue
		} else if now, _ := release.StateOf(fi); now != st {
			continue
		}
		rec[name] = indexStamp{CRC32C: files[name].CRC32C, FileState: st}
		changed = true
	}
	if changed {
		writeIndexVerified(dir, rec)
	}
	return out, nil
}

// checkCRCs checks the CRC-32C of every chunk of the files named in check, several chunks at
// once.
func checkCRCs(data map[string][]byte, files map[string]indexFileEntry, check []string) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	for _, name := range check {
		b := data[name]
		for i, c := range files[name].CRC32C {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				if got := crc32.Checksum(b[i*index.CRCChunk:min(len(b), (i+1)*index.CRCChunk)], index.Castagnoli); got != c {
					mu.Lock()
					errs = append(errs, fmt.Errorf("%s: CRC-32C %08x of bytes from %d, index manifest says %08x (file damaged)", name, got, i*index.CRCChunk, c))
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// decode fills s from the index files.
func (s *Snapshot) decode(files map[string][]byte) error {
	d := index.NewDecoder(files[snapshotFileName])
	keys, vals := index.DecodeStrings(d), index.DecodeStrings(d)
	if keys.Len() != vals.Len() {
		d.Fail(fmt.Errorf("%w: %d labels for %d terms", index.ErrCorrupt, vals.Len(), keys.Len()))
	}
	s.onto = index.DecodeOntology(d)
	nt := d.Count(64)
	ents := make([]release.Entity, 0, nt)
	for range nt {
		ents = append(ents, release.Entity(d.String()))
	}
	spaces := make([]*sampleSpace, d.Count(uint64(len(s.datasets))))
	for i := range spaces {
		spaces[i] = decodeSampleSpace(d)
	}
	if err := d.Done(); err != nil {
		return fmt.Errorf("%s: %w", snapshotFileName, err)
	}
	if len(spaces) != len(s.datasets) {
		return fmt.Errorf("%s: %w: %d sample spaces for %d datasets", snapshotFileName, index.ErrCorrupt, len(spaces), len(s.datasets))
	}
	s.labels = make(map[string]string, keys.Len())
	for i := range keys.Len() {
		s.labels[keys.At(i)] = vals.At(i)
	}
	for _, e := range ents {
		name := tableFileName(e)
		b, ok := files[name]
		if !ok {
			return fmt.Errorf("index manifest lists no %s", name)
		}
		d := index.NewDecoder(b)
		if e == release.GenomicVariation {
			s.variants = decodeVariantTable(d, len(s.datasets), spaces)
			s.tables[e] = s.variants.table
		} else {
			s.tables[e] = decodeTable(d, e, len(s.datasets))
		}
		if err := d.Done(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if s.variants == nil {
		return fmt.Errorf("index files hold no %s table", release.GenomicVariation)
	}
	if c := &s.variants.carriers; len(c.blocks) > 0 {
		if bios := s.tables[release.Biosample]; bios == nil || c.blockWords != int(bios.n+63)/64 {
			return fmt.Errorf("%s: %w: carrier blocks of %d words", tableFileName(release.GenomicVariation), index.ErrCorrupt, c.blockWords)
		}
	}
	s.indexBiosamplesOfIndividuals()
	return nil
}

func decodeSampleSpace(d *index.Decoder) *sampleSpace {
	ids := index.DecodeStrings(d)
	sp := &sampleSpace{ids: make([]string, ids.Len())}
	for i := range sp.ids {
		sp.ids[i] = ids.At(i)
	}
	sp.shift = d.Bool()
	sp.offset = int64(d.Uint())
	sp.matched = d.Bitmap()
	sp.rows = index.DecodeArray[int32](d)
	keys, offs, vals := index.DecodeArray[uint32](d), index.DecodeArray[uint32](d), index.DecodeArray[int32](d)
	if d.Err() != nil {
		return sp
	}
	if len(offs) != len(keys)+1 || int(offs[len(keys)]) != len(vals) {
		d.Fail(fmt.Errorf("%w: sample space of %d multi-row samples, %d offsets", index.ErrCorrupt, len(keys), len(offs)))
		return sp
	}
	if len(keys) > 0 {
		sp.multi = make(map[uint32][]int32, len(keys))
		for i, k := range keys {
			sp.multi[k] = vals[offs[i]:offs[i+1]:offs[i+1]]
		}
	}
	return sp
}

// decodeTable reads what table.encode wrote.
func decodeTable(d *index.Decoder, e release.Entity, numDatasets int) *table {
	t := &table{entity: e}
	t.n = uint32(d.Count(1<<32 - 1))
	t.ids = index.DecodeStrings(d)
	t.byID.hashes = index.DecodeArray[uint64](d)
	t.byID.rows = index.DecodeArray[uint32](d)
	t.dataset = index.DecodeArray[uint16](d)
	t.byDataset = d.Bitmaps()
	for i, bm := range t.byDataset {
		t.byDataset[i] = index.NonNil(bm)
	}
	t.terms = index.DecodeTermIndex(d)
	t.values = index.DecodeValueIndex(d)
	t.json = index.DecodeStrings(d)
	n := int(t.n)
	for _, l := range t.linkArrays() {
		has := d.Bool()
		*l = index.DecodeArray[int32](d)
		if has && *l == nil {
			*l = []int32{}
		}
		if has && len(*l) != n {
			d.Fail(fmt.Errorf("%w: %s: link column of %d rows in a table of %d", index.ErrCorrupt, e, len(*l), n))
		}
	}
	if d.Err() == nil && (t.ids.Len() != n || t.json.Len() != n || len(t.dataset) != n || len(t.byID.hashes) != n || len(t.byID.rows) != n || len(t.byDataset) != numDatasets) {
		d.Fail(fmt.Errorf("%w: %s: columns do not match its %d rows", index.ErrCorrupt, e, n))
	}
	t.all = roaring.New()
	t.all.AddRange(0, uint64(t.n))
	t.all.RunOptimize()
	if d.Err() == nil {
		t.spans = datasetSpans(t.byDataset, t.n)
	}
	return t
}

// decodeVariantTable reads what variantTable.encode wrote.
func decodeVariantTable(d *index.Decoder, numDatasets int, spaces []*sampleSpace) *variantTable {
	vt := &variantTable{table: decodeTable(d, release.GenomicVariation, numDatasets), seqs: map[string]sequence{}}
	n := int(vt.n)
	vt.start = index.DecodeArray[int64](d)
	vt.end = index.DecodeArray[int64](d)
	vt.ref = index.DecodeStrings(d)
	vt.alt = index.DecodeStrings(d)
	if d.Err() == nil && (len(vt.start) != n || len(vt.end) != n || vt.ref.Len() != n || vt.alt.Len() != n) {
		d.Fail(fmt.Errorf("%w: variant coordinates do not match %d rows", index.ErrCorrupt, n))
	}
	ns := d.Count(uint64(n))
	seqs := make([]sequence, 0, ns)
	for range ns {
		sq := sequence{assembly: d.String(), chrom: d.String(), base: uint32(d.Uint())}
		if d.Err() == nil && (int(sq.base) > n || len(seqs) > 0 && sq.base <= seqs[len(seqs)-1].base) {
			d.Fail(fmt.Errorf("%w: sequence rows out of order", index.ErrCorrupt))
		}
		seqs = append(seqs, sq)
	}
	if d.Err() == nil {
		for i, sq := range seqs {
			end := vt.n
			if i+1 < len(seqs) {
				end = seqs[i+1].base
			}
			sq.iv = index.NewIntervals(vt.start[sq.base:end], vt.end[sq.base:end])
			vt.seqs[seqKey(sq.assembly, sq.chrom)] = sq
		}
	}
	vt.types, vt.genes, vt.aaChanges, vt.hgvs = index.DecodeTermIndex(d), index.DecodeTermIndex(d), index.DecodeTermIndex(d), index.DecodeTermIndex(d)
	vt.carriers.offs = index.DecodeArray[uint64](d)
	wide := d.Bool()
	vt.carriers.r16 = index.DecodeArray[uint16](d)
	vt.carriers.r32 = index.DecodeArray[uint32](d)
	if wide && vt.carriers.r32 == nil {
		vt.carriers.r32 = []uint32{}
	}
	shift, words := d.Uint(), d.Uint()
	vt.carriers.blocks = index.DecodeArray[uint64](d)
	if d.Err() == nil {
		c := &vt.carriers
		if len(c.offs) != n+1 || c.offs[n] != uint64(len(c.r16)+len(c.r32)) || !wide && c.r32 != nil {
			d.Fail(fmt.Errorf("%w: carrier lists do not match %d variants", index.ErrCorrupt, n))
		}
		c.blockShift, c.blockWords = uint(shift), int(words)
		if shift < 8 || shift > 31 || words > 1<<26 || uint64(len(c.blocks)) != uint64(n>>shift)*words {
			d.Fail(fmt.Errorf("%w: carrier blocks do not match %d variants", index.ErrCorrupt, n))
		}
	}
	hasCarriedBy := d.Bool()
	vt.carriedBy = d.Bitmaps()
	if !hasCarriedBy {
		vt.carriedBy = nil
	}
	vt.cl = decodeCaseLevel(d, n, spaces)
	vt.calls = decodeCallTable(d, n)
	return vt
}

func decodeCaseLevel(d *index.Decoder, n int, spaces []*sampleSpace) *caseLevel {
	cl := &caseLevel{spaces: spaces}
	cl.from = index.NonNil(d.Bitmap())
	cl.sampleBits = d.Bitmaps()
	nt := d.Count(255)
	for range nt {
		k := release.ZygosityTerm{ID: d.String(), Label: d.String()}
		cl.terms = append(cl.terms, zygTerm{ZygosityTerm: k, suffix: append(release.AppendZygosity(nil, k.ID, k.Label), '}')})
	}
	cl.at = index.DecodeArray[uint32](d)
	cl.codes = d.Bytes()
	if d.Err() == nil && (len(cl.at) != n+1 || int(cl.at[n]) != len(cl.codes)) {
		d.Fail(fmt.Errorf("%w: zygosity codes do not match %d variants", index.ErrCorrupt, n))
	}
	// The codes are not scanned for ones beyond the terms: one byte per carrier call, that
	// would read gigabytes at open; their readers treat such a code as none (codeSpace).
	nf := d.Count(uint64(n))
	for range nf {
		row := uint32(d.Uint())
		sets := make([]release.ZygositySet, d.Count(255))
		for i := range sets {
			sets[i] = release.ZygositySet{ID: d.String(), Label: d.String(), Bits: index.NonNil(d.Bitmap())}
		}
		if cl.fallback == nil {
			cl.fallback = map[uint32][]release.ZygositySet{}
		}
		cl.fallback[row] = sets
	}
	return cl
}
