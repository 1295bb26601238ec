package release

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// Names of the on-disk layout under a release root:
//
//	root/CURRENT                 id of the published release
//	root/LOCK                    flock held by the one ingest writing
//	root/releases/<id>/          one immutable release
//	root/releases/<id>.tmp-XXXX  a release being written (removed by the next Create)
//	root/datasets/<gen>/<dir>/   the files of a dataset written by release gen (store.go)
const (
	currentName  = "CURRENT"
	lockName     = "LOCK"
	releasesDir  = "releases"
	manifestName = "manifest.json"
	ontologyName = "ontology.parquet"
	samplesName  = "samples.parquet" // inside a dataset directory
	tmpMarker    = ".tmp-"
)

// releaseIDWidth is the zero padding of release ids, so that they sort as text.
const releaseIDWidth = 6

// nextReleaseID returns one more than the highest id among CURRENT and the complete release
// directories. A directory renamed into place by a commit that crashed before updating
// CURRENT thus never gets its id reused.
func nextReleaseID(root, current string) (string, error) {
	max, err := newestReleaseID(root, current)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", releaseIDWidth, max+1), nil
}

// newestReleaseID is the highest id among CURRENT and the complete release directories, 0
// when there is none.
func newestReleaseID(root, current string) (int, error) {
	max := 0
	if n, err := strconv.Atoi(current); err == nil {
		max = n
	}
	ents, err := os.ReadDir(filepath.Join(root, releasesDir))
	if err != nil && !os.IsNotExist(err) {
		return 0, err
	}
	for _, e := range ents {
		if !e.IsDir() || !lexical.AllDigits(e.Name()) {
			continue
		}
		if n, err := strconv.Atoi(e.Name()); err == nil && n > max {
			max = n
		}
	}
	return max, nil
}

// validReleaseID reports whether s can name a release directory: digits only, so a tampered
// CURRENT cannot point outside root/releases.
func validReleaseID(s string) bool { return lexical.AllDigits(s) }

// reservedNames are the names a dataset directory must not take, compared in lower case.
var reservedNames = map[string]bool{manifestName: true, ontologyName: true, indexDirName: true}

// datasetDirName derives a directory name from a dataset id: the id itself when it is made of
// [A-Za-z0-9._-] only, does not start with a dot and is free; otherwise a cleaned-up prefix
// plus a hash of the id. taken holds the lower-cased names already used in this release, so
// two ids never share a directory, even on a case-insensitive filesystem.
func datasetDirName(id string, taken map[string]bool) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 64 {
			break
		}
	}
	name := strings.TrimLeft(b.String(), ".")
	free := func(n string) bool {
		l := strings.ToLower(n)
		return !taken[l] && !reservedNames[l]
	}
	if name == id && name != "" && free(name) {
		return name
	}
	if name == "" {
		name = "dataset"
	}
	sum := sha256.Sum256([]byte(id))
	h := hex.EncodeToString(sum[:])
	for n := 8; ; n++ {
		var cand string
		if n <= len(h) {
			cand = name + "-" + h[:n]
		} else {
			cand = fmt.Sprintf("%s-%s-%d", name, h, n)
		}
		if free(cand) {
			return cand
		}
	}
}

// entityFileName is the file of one entity inside a dataset directory.
func entityFileName(e Entity) string { return string(e) + ".parquet" }

// ReleaseDir is the directory of release id under root.
func ReleaseDir(root, id string) string { return filepath.Join(root, releasesDir, id) }

// IndexDir is the directory of a release's index files (derived data, see
// docs/release-format.md); it is not listed in the manifest.
func IndexDir(releaseDir string) string { return filepath.Join(releaseDir, indexDirName) }

// LockFile takes an exclusive flock on path (created if missing), for a writer of derived
// data that must not run twice at once; ErrLocked when another process holds it.
func LockFile(path string) (unlock func() error, err error) {
	l, err := lockRoot(path)
	if err != nil {
		return nil, err
	}
	return l.unlock, nil
}

// indexDirName is the index files' directory inside a release directory.
const indexDirName = "index"

// LockRoot takes the root's LOCK (the one Create takes) for a writer of derived data, so it
// never races an ingest; the returned function releases it.
func LockRoot(root string) (unlock func() error, err error) {
	l, err := lockRoot(filepath.Join(root, lockName))
	if err != nil {
		return nil, err
	}
	return l.unlock, nil
}
