package release

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// FormatVersion is the on-disk format a Writer produces and a Reader accepts. Bump it on any
// change a reader of the previous version would misread.
//
// 2: carriers are roaring bitmaps of sample indexes with a samples file per dataset, and a
// variant's record may leave its caseLevelData to them (version 1 had list<utf8> carrier
// and zygosity columns and caseLevelData always in the record). Version 1 is not read: its
// datasets must be ingested again.
const FormatVersion = 2

// Manifest describes one immutable release: which datasets it holds, where their files are
// and the checksum of every file, so a reader can prove it sees exactly what was published.
// It is stored as manifest.json at the root of the release directory.
type Manifest struct {
	FormatVersion int            `json:"formatVersion"`
	ReleaseID     string         `json:"releaseId"`
	CreatedAt     string         `json:"createdAt"` // RFC 3339, UTC
	Datasets      []DatasetEntry `json:"datasets"`  // sorted by id
	// OntologyFile is the path of ontology.parquet, "" when no ontology was ever loaded.
	OntologyFile string `json:"ontologyFile"`
	// Files lists every file of the release but manifest.json itself, by slash-separated path
	// relative to the release directory.
	Files map[string]FileEntry `json:"files"`
}

// DatasetEntry is one dataset of a release. Files and Rows hold only the entities that have
// at least one record.
type DatasetEntry struct {
	ID       string            `json:"id"`
	Assembly string            `json:"assembly"`
	Files    map[Entity]string `json:"files"`
	Rows     map[Entity]int64  `json:"rows"`
	// Samples is the path of samples.parquet, the dataset's sample list (sample index →
	// carrier id) that variant carrier bitmaps index; "" when no variant has carriers.
	// SampleCount is its number of rows.
	Samples     string `json:"samples,omitempty"`
	SampleCount int64  `json:"sampleCount,omitempty"`
}

// paths lists every file of the dataset.
func (d *DatasetEntry) paths() []string {
	out := make([]string, 0, len(d.Files)+1)
	for _, rel := range d.Files {
		out = append(out, rel)
	}
	if d.Samples != "" {
		out = append(out, d.Samples)
	}
	return out
}

// FileEntry is the checksum and size of one file.
type FileEntry struct {
	SHA256 string `json:"sha256"` // lower-case hex
	Bytes  int64  `json:"bytes"`
}

// Dataset returns the entry of a dataset by id.
func (m *Manifest) Dataset(id string) (*DatasetEntry, bool) {
	for i := range m.Datasets {
		if m.Datasets[i].ID == id {
			return &m.Datasets[i], true
		}
	}
	return nil, false
}

// readManifest loads and checks the manifest of a release directory. Every path it names
// must be listed in Files and stay inside the directory, so that verifying Files covers
// everything a reader will open.
func readManifest(dir string) (*Manifest, error) {
	m, _, err := readManifestHashed(dir)
	return m, err
}

// readManifestHashed is readManifest that also returns the sha256 of manifest.json (lower-case
// hex), which binds derived data such as index files to exactly this release.
func readManifestHashed(dir string) (*Manifest, string, error) {
	p := filepath.Join(dir, manifestName)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, "", fmt.Errorf("release: read manifest: %w", err)
	}
	sum := sha256.Sum256(b)
	m, err := parseManifest(p, b)
	return m, hex.EncodeToString(sum[:]), err
}

func parseManifest(p string, b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("release: %s: %w", p, err)
	}
	if m.FormatVersion == 1 {
		return nil, fmt.Errorf("release: %s: formatVersion 1, written by an older bitbeacon; this build reads %d (carrier bitmaps): ingest the datasets again into a new --out directory", p, FormatVersion)
	}
	if m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("release: %s: formatVersion %d, this build reads %d", p, m.FormatVersion, FormatVersion)
	}
	for rel := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			return nil, fmt.Errorf("release: %s: file path %q leaves the release directory", p, rel)
		}
	}
	listed := func(rel string) error {
		if _, ok := m.Files[rel]; !ok {
			return fmt.Errorf("release: %s: %s is not listed in files", p, rel)
		}
		return nil
	}
	for _, d := range m.Datasets {
		for _, rel := range d.paths() {
			if err := listed(rel); err != nil {
				return nil, err
			}
		}
	}
	if m.OntologyFile != "" {
		if err := listed(m.OntologyFile); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// encode renders the manifest with datasets sorted, indented for people who read it.
func (m *Manifest) encode() ([]byte, error) {
	sort.Slice(m.Datasets, func(i, j int) bool { return m.Datasets[i].ID < m.Datasets[j].ID })
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func nowRFC3339() string { return time.Now().UTC().Format(time.RFC3339) }
