package release

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
)

// Writer builds a new release in a temporary directory and publishes it atomically with
// Commit. Until then nothing a reader can see changes, and Abort (or a crash) leaves the
// published release as it was. A Writer is not safe for concurrent use.
type Writer struct {
	root    string
	id      string
	tmp     string // root/releases/<id>.tmp-XXXX
	lock    *rootLock
	prev    *Manifest // published release carried over, nil if none
	prevDir string
	// gen is root/datasets/<id>.tmp-XXXX, where the datasets written by this release go
	// (renamed to root/datasets/<id> at Commit); "" until the first Dataset.
	gen string

	datasets map[string]*DatasetWriter  // opened by Dataset, by id
	carried  map[string]*carriedDataset // carried over from prev and not replaced, by id
	dirs     map[string]bool            // lower-cased dataset directory names in use
	terms    map[string]*OntologyTerm   // added by AddOntologyTerms
	done     bool
}

// DatasetWriter streams the records of one dataset into its entity files. Files are created
// on the first record of an entity, so an entity without records has no file.
type DatasetWriter struct {
	w        *Writer
	id       string
	assembly string
	dir      string // directory name inside the release and inside the generation
	tables   map[Entity]*tableWriter
	asmSeen  map[string]bool

	// samples is the sample list (sample index → carrier id); sampleIdx the first index of
	// each id, built when Carriers lists are converted. samplesUsed is set once a variant
	// with carriers was written: SetSamples is too late then.
	samples     []string
	sampleIdx   map[string]uint32
	samplesUsed bool
}

// carriedDataset is a dataset of the previous release that the new one keeps as it is.
type carriedDataset struct {
	entry DatasetEntry
	dir   string // its directory name in the release ("" when it has no files)
	// gen is the store generation holding its files; "" when the previous release holds
	// them in a directory of its own (written before the store), then Commit links them
	// into this release's generation first.
	gen string
}

// Create starts a new release under root (root/releases/<id>.tmp-XXXX), carrying over every
// dataset of the current release by reference to its stored files (store.go) unless the
// writer later replaces it by the same dataset id. It takes the root's lock until Commit or
// Abort and removes the temporary directories of ingests that crashed.
func Create(root string) (w *Writer, err error) {
	if err := os.MkdirAll(filepath.Join(root, releasesDir), 0o755); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	lock, err := lockRoot(filepath.Join(root, lockName))
	if err != nil {
		return nil, err
	}
	w = &Writer{
		root: root, lock: lock,
		datasets: map[string]*DatasetWriter{}, carried: map[string]*carriedDataset{},
		dirs: map[string]bool{}, terms: map[string]*OntologyTerm{},
	}
	defer func() {
		if err != nil {
			w.Abort()
			w = nil
		}
	}()
	if err := removeStaleTemps(root); err != nil {
		return w, err
	}
	if err := removeOrphanGenerations(root); err != nil {
		return w, err
	}
	cur, err := readCurrent(root)
	if err != nil {
		return w, err
	}
	if cur != "" {
		w.prevDir = filepath.Join(root, releasesDir, cur)
		if w.prev, err = readManifest(w.prevDir); err != nil {
			return w, fmt.Errorf("release: current release %s: %w", cur, err)
		}
	}
	if w.id, err = nextReleaseID(root, cur); err != nil {
		return w, fmt.Errorf("release: %w", err)
	}
	if w.tmp, err = os.MkdirTemp(filepath.Join(root, releasesDir), w.id+tmpMarker); err != nil {
		return w, fmt.Errorf("release: %w", err)
	}
	if w.prev != nil {
		for _, d := range w.prev.Datasets {
			if err := w.carryOver(d); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}

// removeStaleTemps deletes the temporary directories left by ingests that died before Commit
// or Abort. It runs under the lock, so none of them can belong to a live ingest.
func removeStaleTemps(root string) error {
	dir := filepath.Join(root, releasesDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), tmpMarker) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("release: remove stale %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}

// carryOver keeps one dataset of the previous release: its directory there is a symlink
// into the store, which the new release will repeat; nothing is linked or copied. Its
// checksums are taken from the previous manifest, not recomputed: a file damaged since it
// was published keeps failing verification instead of being blessed with a new checksum.
func (w *Writer) carryOver(d DatasetEntry) error {
	c := &carriedDataset{entry: d}
	for _, rel := range d.paths() {
		if _, ok := w.prev.Files[rel]; !ok {
			return fmt.Errorf("release: previous release: %s not listed in files", rel)
		}
		dir := topDir(rel)
		if dir == rel || (c.dir != "" && dir != c.dir) {
			return fmt.Errorf("release: previous release: dataset %q: file %s is not in the dataset's directory", d.ID, rel)
		}
		c.dir = dir
	}
	if c.dir != "" {
		p := filepath.Join(w.prevDir, c.dir)
		fi, err := os.Lstat(p)
		if err != nil {
			return fmt.Errorf("release: carry over dataset %q: %w", d.ID, err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("release: carry over dataset %q: %w", d.ID, err)
			}
			gen, ok := parseStoreLink(target, c.dir)
			if !ok {
				return fmt.Errorf("release: carry over dataset %q: %s links to %q, not into the root's %s/", d.ID, p, target, storeDir)
			}
			c.gen = gen
		}
		w.dirs[strings.ToLower(c.dir)] = true
	}
	w.carried[d.ID] = c
	return nil
}

func topDir(rel string) string {
	if i := strings.IndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return rel
}

// ID is the id the release will have once committed.
func (w *Writer) ID() string { return w.id }

// Dataset opens a dataset for writing. A dataset carried over from the current release with
// the same id is dropped: a dataset is always replaced whole, never merged. assembly is the
// dataset's declared assembly ("" if unknown; then the one its variants agree on is used).
func (w *Writer) Dataset(id, assembly string) (*DatasetWriter, error) {
	if w.done {
		return nil, errors.New("release: writer already committed or aborted")
	}
	if id == "" || !utf8.ValidString(id) || strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, fmt.Errorf("release: invalid dataset id %q", id)
	}
	if _, ok := w.datasets[id]; ok {
		return nil, fmt.Errorf("release: dataset %q opened twice", id)
	}
	dir := ""
	if old, ok := w.carried[id]; ok {
		dir = old.dir // the new files go to a new generation; the old ones stay where they are
		delete(w.carried, id)
	}
	if dir == "" {
		dir = datasetDirName(id, w.dirs)
	}
	w.dirs[strings.ToLower(dir)] = true
	if err := w.makeGen(); err != nil {
		return nil, err
	}
	if err := os.Mkdir(filepath.Join(w.gen, dir), 0o755); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	d := &DatasetWriter{w: w, id: id, assembly: NormalizeAssembly(assembly), dir: dir, tables: map[Entity]*tableWriter{}, asmSeen: map[string]bool{}}
	w.datasets[id] = d
	return d, nil
}

// makeGen creates the store generation of this release's datasets, once.
func (w *Writer) makeGen() error {
	if w.gen != "" {
		return nil
	}
	store := filepath.Join(w.root, storeDir)
	if err := os.MkdirAll(store, 0o755); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	gen, err := os.MkdirTemp(store, w.id+tmpMarker)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	w.gen = gen
	return nil
}

// ID is the dataset id.
func (d *DatasetWriter) ID() string { return d.id }

func (d *DatasetWriter) table(e Entity) (*tableWriter, error) {
	if d.w.done {
		return nil, errors.New("release: writer already committed or aborted")
	}
	if t := d.tables[e]; t != nil {
		return t, nil
	}
	p := filepath.Join(d.w.gen, d.dir, entityFileName(e))
	t, err := newTableWriter(p, schemaFor(e))
	if err != nil {
		return nil, fmt.Errorf("release: dataset %q: %w", d.id, err)
	}
	d.tables[e] = t
	return t, nil
}

// WriteRecord appends one record of entity e (any but GenomicVariation). The record is
// written as given; its DatasetID should be the dataset's id.
func (d *DatasetWriter) WriteRecord(e Entity, r *Record) error {
	if e == GenomicVariation {
		return errors.New("release: genomic variations go through WriteVariant")
	}
	if !e.Known() {
		return fmt.Errorf("release: unknown entity %q", e)
	}
	if r.ID == "" {
		return fmt.Errorf("release: %s record without id", e)
	}
	t, err := d.table(e)
	if err != nil {
		return err
	}
	return t.endRow(appendRecord(t.b, r))
}

// SetSamples sets the dataset's sample list: sample index i is ids[i], the carrier id a
// VCF sample column stands for (biosample id, else individual id, else the column name).
// Ids may repeat (two columns naming one biosample stay two samples). It is optional, and
// must come before the first variant with carriers; ids that Carriers lists name later and
// that are not in the list get the next indexes, in the order first seen.
func (d *DatasetWriter) SetSamples(ids []string) error {
	if d.samplesUsed || len(d.samples) > 0 {
		return fmt.Errorf("release: dataset %q: SetSamples after samples were assigned", d.id)
	}
	for i, id := range ids {
		if id == "" {
			return fmt.Errorf("release: dataset %q: sample %d has an empty id", d.id, i)
		}
	}
	if uint64(len(ids)) > 1<<32-1 {
		return fmt.Errorf("release: dataset %q: %d samples", d.id, len(ids))
	}
	d.samples = append([]string(nil), ids...)
	d.sampleIdx = nil
	return nil
}

// sampleIndex returns the index of id, appending it to the sample list when new.
func (d *DatasetWriter) sampleIndex(id string) uint32 {
	if d.sampleIdx == nil {
		d.sampleIdx = make(map[string]uint32, len(d.samples))
		for i, s := range d.samples {
			if _, ok := d.sampleIdx[s]; !ok {
				d.sampleIdx[s] = uint32(i)
			}
		}
	}
	if i, ok := d.sampleIdx[id]; ok {
		return i
	}
	i := uint32(len(d.samples))
	d.samples = append(d.samples, id)
	d.sampleIdx[id] = i
	return i
}

// carrierBits turns the Carriers/CarrierZygosity lists of v into CarrierBits and Zygosity.
func (d *DatasetWriter) carrierBits(v *Variant) error {
	if len(v.CarrierZygosity) != 0 && len(v.CarrierZygosity) != len(v.Carriers) {
		return fmt.Errorf("release: variant %q: %d zygosities for %d carriers", v.ID, len(v.CarrierZygosity), len(v.Carriers))
	}
	bits := roaring.New()
	var zyg []ZygositySet
	for i, id := range v.Carriers {
		if id == "" {
			return fmt.Errorf("release: variant %q: carrier %d has an empty id", v.ID, i)
		}
		x := d.sampleIndex(id)
		if !bits.CheckedAdd(x) && v.CaseLevelFromCarriers {
			return fmt.Errorf("release: variant %q: carrier %q twice, its caseLevelData cannot come from the carriers", v.ID, id)
		}
		if len(v.CarrierZygosity) == 0 || v.CarrierZygosity[i].ID == "" {
			continue
		}
		z := v.CarrierZygosity[i]
		j := 0
		for j < len(zyg) && (zyg[j].ID != z.ID || zyg[j].Label != z.Label) {
			j++
		}
		if j == len(zyg) {
			zyg = append(zyg, ZygositySet{ID: z.ID, Label: z.Label, Bits: roaring.New()})
		}
		zyg[j].Bits.Add(x)
	}
	v.CarrierBits, v.Zygosity = bits, zyg
	v.Carriers, v.CarrierZygosity = nil, nil
	return nil
}

// WriteVariant appends one genomic variation. Its carriers come as CarrierBits and Zygosity
// (sample indexes of the dataset's sample list) or as Carriers lists, which it converts,
// setting CarrierBits and Zygosity and clearing the lists. Bitmaps are stored
// run-optimised; one with run or bitmap containers, or several, is run-optimised in place.
func (d *DatasetWriter) WriteVariant(v *Variant) error {
	if v.ID == "" {
		return errors.New("release: variant without id")
	}
	if len(v.Carriers) > 0 || len(v.CarrierZygosity) > 0 {
		if v.CarrierBits != nil || len(v.Zygosity) > 0 {
			return fmt.Errorf("release: variant %q: carriers given both as lists and as bitmaps", v.ID)
		}
		if err := d.carrierBits(v); err != nil {
			return err
		}
	}
	if v.CarrierBits != nil && !v.CarrierBits.IsEmpty() {
		if max := v.CarrierBits.Maximum(); uint64(max) >= uint64(len(d.samples)) {
			return fmt.Errorf("release: variant %q: carrier sample index %d, the dataset has %d samples", v.ID, max, len(d.samples))
		}
		d.samplesUsed = true
	}
	for _, z := range v.Zygosity {
		if z.ID == "" {
			return fmt.Errorf("release: variant %q: zygosity without id", v.ID)
		}
	}
	if v.CaseLevelFromCarriers && (len(v.JSON) < 2 || v.JSON[0] != '{' || v.JSON[len(v.JSON)-1] != '}') {
		return fmt.Errorf("release: variant %q: caseLevelFromCarriers needs a JSON object record", v.ID)
	}
	t, err := d.table(GenomicVariation)
	if err != nil {
		return err
	}
	if v.Assembly != "" {
		d.asmSeen[v.Assembly] = true
	}
	n, err := appendVariant(t.b, v)
	if err != nil {
		return fmt.Errorf("release: variant %q: %w", v.ID, err)
	}
	return t.endRow(n)
}

// AddOntologyTerms adds terms to the release's ontology. It is merged with the previous
// release's ontology at Commit: terms are deduplicated by id, parents are the union, and a
// non-empty label given here replaces the previous one.
func (w *Writer) AddOntologyTerms(terms []OntologyTerm) {
	for i := range terms {
		mergeTerm(w.terms, &terms[i])
	}
}

func mergeTerm(into map[string]*OntologyTerm, t *OntologyTerm) {
	cur, ok := into[t.ID]
	if !ok {
		cur = &OntologyTerm{ID: t.ID}
		into[t.ID] = cur
	}
	if t.Label != "" {
		cur.Label = t.Label
	}
	for _, p := range t.Parents {
		if !containsString(cur.Parents, p) {
			cur.Parents = append(cur.Parents, p)
		}
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Commit closes the files, writes manifest.json with the sha256 of every file, fsyncs files
// and directories, renames the temporary directory to root/releases/<id>, then atomically
// replaces root/CURRENT (write CURRENT.tmp, fsync, rename). On failure before the rename
// nothing is published and the temporary directory is removed; the writer is finished
// either way.
func (w *Writer) Commit() (m *Manifest, err error) {
	if w.done {
		return nil, errors.New("release: writer already committed or aborted")
	}
	published := false
	defer func() {
		if err != nil && !published {
			w.Abort()
		}
		if err != nil || published {
			w.done = true
			w.lock.unlock()
		}
	}()
	m = &Manifest{FormatVersion: FormatVersion, ReleaseID: w.id, CreatedAt: nowRFC3339(), Datasets: []DatasetEntry{}, Files: map[string]FileEntry{}}
	// Datasets of a release written before the store move into this release's generation
	// first (hard links), so that from now on they are shared by reference too.
	for _, c := range w.carried {
		if c.gen != "" || c.dir == "" {
			continue
		}
		if err := w.makeGen(); err != nil {
			return nil, err
		}
		for _, rel := range c.entry.paths() {
			if err := linkOrCopy(filepath.Join(w.prevDir, filepath.FromSlash(rel)), filepath.Join(w.gen, filepath.FromSlash(rel))); err != nil {
				return nil, fmt.Errorf("release: carry over dataset %q: %w", c.entry.ID, err)
			}
		}
	}
	// What is carried over is verified (size and sha256, or a record that this very file was
	// hashed right before: verified.go) before it is published again: a file damaged in the
	// current release must fail this ingest, not become a release no server can open.
	for _, c := range w.carried {
		files := map[string]FileEntry{}
		for _, rel := range c.entry.paths() {
			files[rel] = w.prev.Files[rel]
			m.Files[rel] = files[rel]
		}
		if len(files) > 0 {
			if _, err := verifyStored(w.storedDir(c), files); err != nil {
				return nil, fmt.Errorf("release: carried-over file of the current release: %w; re-ingest its dataset to replace it", err)
			}
		}
		m.Datasets = append(m.Datasets, c.entry)
	}
	for _, d := range w.datasets {
		e, err := d.close(m)
		if err != nil {
			return nil, err
		}
		m.Datasets = append(m.Datasets, e)
	}
	if err := w.writeOntology(m); err != nil {
		return nil, err
	}
	if err := w.publishGen(); err != nil {
		return nil, err
	}
	// The release refers to every dataset's stored directory by one symlink.
	for _, e := range m.Datasets {
		gen, dir := w.id, ""
		if c, ok := w.carried[e.ID]; ok {
			dir = c.dir
			if c.gen != "" {
				gen = c.gen
			}
		} else {
			dir = w.datasets[e.ID].dir
		}
		if dir == "" {
			continue
		}
		if err := os.Symlink(storeLink(gen, dir), filepath.Join(w.tmp, dir)); err != nil {
			return nil, fmt.Errorf("release: dataset %q: %w", e.ID, err)
		}
	}
	b, err := m.encode()
	if err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(w.tmp, manifestName), b, 0o444); err != nil {
		return nil, fmt.Errorf("release: write manifest: %w", err)
	}
	if err := syncDir(w.tmp); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	final := filepath.Join(w.root, releasesDir, w.id)
	if err := os.Rename(w.tmp, final); err != nil {
		return nil, fmt.Errorf("release: publish %s: %w", w.id, err)
	}
	published = true // from here on the directory is complete; CURRENT decides if it is live
	if err := syncDir(filepath.Join(w.root, releasesDir)); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	curTmp := filepath.Join(w.root, currentName+".tmp")
	if err := writeFileSync(curTmp, []byte(w.id+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("release: write CURRENT: %w", err)
	}
	if err := os.Rename(curTmp, filepath.Join(w.root, currentName)); err != nil {
		return nil, fmt.Errorf("release: replace CURRENT: %w", err)
	}
	if err := syncDir(w.root); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	return m, nil
}

// storedDir is where a carried-over dataset's files are: its generation's directory, or this
// release's generation for one moved in from a release written before the store.
func (w *Writer) storedDir(c *carriedDataset) string {
	if c.gen == "" {
		return filepath.Join(w.gen, c.dir)
	}
	return filepath.Join(w.root, storeDir, c.gen, c.dir)
}

// publishGen makes this release's generation durable under its final name
// (root/datasets/<id>) before anything refers to it: every directory in it fsynced (their
// files were fsynced as they were closed), the generation renamed into place, the store
// directory fsynced. Without new datasets there is no generation and nothing to do.
func (w *Writer) publishGen() error {
	if w.gen == "" {
		return nil
	}
	ents, err := os.ReadDir(w.gen)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	for _, e := range ents {
		if err := syncDir(filepath.Join(w.gen, e.Name())); err != nil {
			return fmt.Errorf("release: %w", err)
		}
	}
	if err := syncDir(w.gen); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	final := filepath.Join(w.root, storeDir, w.id)
	if err := os.Rename(w.gen, final); err != nil {
		return fmt.Errorf("release: publish the datasets of %s: %w", w.id, err)
	}
	w.gen = final // Abort removes it: nothing refers to it until the release is renamed
	return syncDir(filepath.Join(w.root, storeDir))
}

// close finishes the dataset's files and records them in m.
func (d *DatasetWriter) close(m *Manifest) (DatasetEntry, error) {
	e := DatasetEntry{ID: d.id, Assembly: d.assembly, Files: map[Entity]string{}, Rows: map[Entity]int64{}}
	if e.Assembly == "" && len(d.asmSeen) == 1 {
		for a := range d.asmSeen {
			e.Assembly = a
		}
	}
	for _, ent := range Entities {
		t := d.tables[ent]
		if t == nil {
			continue
		}
		delete(d.tables, ent)
		fe, err := t.close()
		if err != nil {
			return e, fmt.Errorf("release: dataset %q: %w", d.id, err)
		}
		rel := d.dir + "/" + entityFileName(ent)
		e.Files[ent] = rel
		e.Rows[ent] = t.rows
		m.Files[rel] = fe
	}
	if len(d.samples) > 0 {
		fe, err := writeSamples(filepath.Join(d.w.gen, d.dir, samplesName), d.samples)
		if err != nil {
			return e, fmt.Errorf("release: dataset %q: %w", d.id, err)
		}
		e.Samples = d.dir + "/" + samplesName
		e.SampleCount = int64(len(d.samples))
		m.Files[e.Samples] = fe
	}
	return e, nil
}

// writeSamples writes a dataset's sample list.
func writeSamples(p string, ids []string) (FileEntry, error) {
	t, err := newTableWriter(p, samplesSchema)
	if err != nil {
		return FileEntry{}, err
	}
	for _, id := range ids {
		if err := t.endRow(appendSample(t.b, id)); err != nil {
			t.discard()
			return FileEntry{}, err
		}
	}
	return t.close()
}

// writeOntology writes ontology.parquet: the previous release's terms merged with the added
// ones. When nothing was added the previous file is carried over as is.
func (w *Writer) writeOntology(m *Manifest) error {
	hasPrev := w.prev != nil && w.prev.OntologyFile != ""
	if len(w.terms) == 0 {
		if !hasPrev {
			return nil
		}
		fe := w.prev.Files[w.prev.OntologyFile]
		if err := linkOrCopy(filepath.Join(w.prevDir, filepath.FromSlash(w.prev.OntologyFile)), filepath.Join(w.tmp, ontologyName)); err != nil {
			return fmt.Errorf("release: carry over ontology: %w", err)
		}
		if err := verifyFile(w.tmp, ontologyName, fe); err != nil {
			return fmt.Errorf("release: carried-over ontology of the current release: %w", err)
		}
		m.OntologyFile = ontologyName
		m.Files[ontologyName] = fe
		return nil
	}
	merged := map[string]*OntologyTerm{}
	if hasPrev {
		err := readOntologyFile(filepath.Join(w.prevDir, filepath.FromSlash(w.prev.OntologyFile)), func(t *OntologyTerm) error {
			mergeTerm(merged, t)
			return nil
		})
		if err != nil {
			return fmt.Errorf("release: previous ontology: %w", err)
		}
	}
	for _, t := range w.terms {
		mergeTerm(merged, t)
	}
	ids := make([]string, 0, len(merged))
	for id := range merged {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	t, err := newTableWriter(filepath.Join(w.tmp, ontologyName), ontologySchema)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	for _, id := range ids {
		term := merged[id]
		sort.Strings(term.Parents)
		if err := t.endRow(appendOntologyTerm(t.b, term)); err != nil {
			t.discard()
			return fmt.Errorf("release: %w", err)
		}
	}
	fe, err := t.close()
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	m.OntologyFile = ontologyName
	m.Files[ontologyName] = fe
	return nil
}

// Abort removes the temporary directory and releases the lock. It is safe to call after
// Commit (then it does nothing) and more than once, so callers can defer it.
func (w *Writer) Abort() error {
	if w == nil || w.done {
		return nil
	}
	w.done = true
	for _, d := range w.datasets {
		for _, t := range d.tables {
			t.discard()
		}
		d.tables = nil
	}
	var err error
	if w.tmp != "" {
		err = os.RemoveAll(w.tmp)
	}
	if w.gen != "" {
		err = errors.Join(err, os.RemoveAll(w.gen))
	}
	return errors.Join(err, w.lock.unlock())
}
