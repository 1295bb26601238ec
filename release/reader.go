package release

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// Reader reads one published release. It is safe for concurrent use: every Read call opens
// its own file.
type Reader struct {
	dir     string
	m       *Manifest
	mSHA256 string
}

// Open opens the release named by root/CURRENT, or root itself when it is a release directory
// (it holds manifest.json). It verifies the size and sha256 of every file the manifest lists
// and fails naming the first file that does not match, so a reader never serves a damaged or
// half-copied release.
func Open(root string) (*Reader, error) {
	r, err := OpenUnverified(root)
	if err != nil {
		return nil, err
	}
	if err := r.Verify(); err != nil {
		return nil, err
	}
	return r, nil
}

// OpenUnverified is Open without checking the files against the manifest: for a reader that
// trusts derived data bound to the manifest's hash (index files) and reads the Parquet files
// only to rebuild it, after Verify.
func OpenUnverified(root string) (*Reader, error) {
	dir := root
	if _, err := os.Stat(filepath.Join(root, manifestName)); err != nil {
		id, err := readCurrent(root)
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, fmt.Errorf("release: %s holds no published release (no %s and no %s)", root, currentName, manifestName)
		}
		dir = filepath.Join(root, releasesDir, id)
	}
	m, sum, err := readManifestHashed(dir)
	if err != nil {
		return nil, err
	}
	if id := filepath.Base(dir); validReleaseID(id) && id != m.ReleaseID {
		return nil, fmt.Errorf("release: %s: manifest says release %s", dir, m.ReleaseID)
	}
	return &Reader{dir: dir, m: m, mSHA256: sum}, nil
}

// Verify checks the size and sha256 of every file the manifest lists and fails naming the
// first file that does not match.
func (r *Reader) Verify() error { return verifyFiles(r.dir, r.m.Files) }

// ManifestSHA256 is the sha256 (lower-case hex) of the release's manifest.json as read.
func (r *Reader) ManifestSHA256() string { return r.mSHA256 }

// verifyFiles checks every file against its manifest entry, hashing several files at once.
// The error names the first failing file in path order, whatever the scheduling.
func verifyFiles(dir string, files map[string]FileEntry) error {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	errs := make([]error, len(paths))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = verifyFile(dir, p, files[p])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func verifyFile(dir, rel string, want FileEntry) error {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("release: %s: %w", rel, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("release: %s: %w", rel, err)
	}
	if st.Size() != want.Bytes {
		return fmt.Errorf("release: %s: size %d bytes, manifest says %d (file damaged or replaced)", p, st.Size(), want.Bytes)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("release: %s: %w", rel, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
		return fmt.Errorf("release: %s: sha256 %s, manifest says %s (file damaged or replaced)", p, got, want.SHA256)
	}
	return nil
}

// Manifest returns the release's manifest. Callers must not modify it.
func (r *Reader) Manifest() *Manifest { return r.m }

// Dir is the release directory.
func (r *Reader) Dir() string { return r.dir }

func (r *Reader) entityFile(datasetID string, e Entity) (string, error) {
	d, ok := r.m.Dataset(datasetID)
	if !ok {
		return "", fmt.Errorf("release %s: no dataset %q", r.m.ReleaseID, datasetID)
	}
	rel := d.Files[e]
	if rel == "" {
		return "", nil
	}
	return filepath.Join(r.dir, filepath.FromSlash(rel)), nil
}

// ReadRecords calls fn with every record of one entity of a dataset, in the order written.
// Each call gets a fresh Record the callee may keep. Its strings and JSON point into one
// copy per column per batch (up to 64Ki rows), so keeping any value keeps that column's
// batch alive; copy what you keep if you keep little. An entity without records means no
// calls. An error from fn stops the scan and is returned as is.
func (r *Reader) ReadRecords(datasetID string, e Entity, fn func(*Record) error) error {
	if e == GenomicVariation {
		return errors.New("release: read genomic variations with ReadVariants")
	}
	p, err := r.entityFile(datasetID, e)
	if err != nil || p == "" {
		return err
	}
	return readRecordFile(p, fn)
}

// ReadVariants calls fn with every variant of a dataset, in the order written, each a fresh
// Variant the callee may keep. Strings and JSON are shared as ReadRecords describes; the
// carrier and zygosity bitmaps are read-only views of one copy per batch of their column
// (modifying one copies the container it touches). Their values are indexes into the
// dataset's sample list (ReadSamples).
func (r *Reader) ReadVariants(datasetID string, fn func(*Variant) error) error {
	p, err := r.entityFile(datasetID, GenomicVariation)
	if err != nil || p == "" {
		return err
	}
	return readVariantFile(p, nil, fn)
}

// ReadSamples returns the sample list of a dataset, the carrier id of each sample index that
// variant carrier bitmaps use; nil when the dataset has none.
func (r *Reader) ReadSamples(datasetID string) ([]string, error) {
	d, ok := r.m.Dataset(datasetID)
	if !ok {
		return nil, fmt.Errorf("release %s: no dataset %q", r.m.ReleaseID, datasetID)
	}
	if d.Samples == "" {
		return nil, nil
	}
	ids, err := readSamplesFile(filepath.Join(r.dir, filepath.FromSlash(d.Samples)))
	if err != nil {
		return nil, err
	}
	if int64(len(ids)) != d.SampleCount {
		return nil, fmt.Errorf("release %s: dataset %q: %d samples, the manifest says %d", r.m.ReleaseID, datasetID, len(ids), d.SampleCount)
	}
	return ids, nil
}

// ReadOntology calls fn with every ontology term of the release, sorted by id.
func (r *Reader) ReadOntology(fn func(*OntologyTerm) error) error {
	if r.m.OntologyFile == "" {
		return nil
	}
	return readOntologyFile(filepath.Join(r.dir, filepath.FromSlash(r.m.OntologyFile)), fn)
}
