package release

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// Carried-over files are verified once per file, not once per release. A Commit hashes each
// carried-over file against the manifest, as before, unless the store recorded that it
// already did so for this very inode in this very state (FileState); a damaged file therefore
// still fails the next ingest. What the record does not catch is damage below the filesystem
// (a bad disk block); `release.Open`, which every index build runs, hashes every file
// regardless.
//
// The record lives in the stored dataset directory (verifiedName, a dot name no dataset file
// has) and is a cache: missing, unreadable or from another machine it only costs a rehash.

// verifiedName is the verification record of a stored dataset directory.
const verifiedName = ".verified.json"

// settleTime is SettleTime, a variable so that tests can record files they just wrote.
var settleTime = SettleTime

// fileStamp is what a file looked like when it was hashed against its manifest entry.
type fileStamp struct {
	SHA256 string `json:"sha256"`
	FileState
}

// stampFile stamps a file for its manifest entry; false when it cannot be stat'ed.
func stampFile(p string, fe FileEntry) (fileStamp, bool) {
	fi, err := os.Stat(p)
	if err != nil {
		return fileStamp{}, false
	}
	st, ok := StateOf(fi)
	return fileStamp{SHA256: fe.SHA256, FileState: st}, ok
}

// verifyStored checks the files of one stored dataset directory against their manifest
// entries (rel → entry, rel the release path whose last element is the file's name in
// dsDir), hashing those it has no matching record of and recording the ones that hash right.
// It returns how many it hashed.
func verifyStored(dsDir string, files map[string]FileEntry) (hashed int, err error) {
	rec := readVerified(dsDir)
	rels := make([]string, 0, len(files))
	for rel := range files {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	changed := false
	for _, rel := range rels {
		fe, name := files[rel], path.Base(rel)
		p := filepath.Join(dsDir, name)
		before, stamped := stampFile(p, fe)
		if stamped && rec[name] == before {
			continue
		}
		start := time.Now()
		hashed++
		if err := verifyFile(filepath.Dir(dsDir), path.Join(filepath.Base(dsDir), name), fe); err != nil {
			return hashed, err
		}
		after, _ := stampFile(p, fe)
		if stamped && after == before && before.SettledBefore(start.Add(-settleTime)) {
			rec[name] = before
			changed = true
		}
	}
	if changed {
		writeVerified(dsDir, rec)
	}
	return hashed, nil
}

// readVerified reads a directory's verification record; empty when there is none or it
// cannot be read.
func readVerified(dsDir string) map[string]fileStamp {
	rec := map[string]fileStamp{}
	if b, err := os.ReadFile(filepath.Join(dsDir, verifiedName)); err == nil {
		if json.Unmarshal(b, &rec) != nil {
			rec = map[string]fileStamp{}
		}
	}
	return rec
}

// writeVerified replaces a directory's verification record (a temp file renamed over it, so
// a reader sees the old or the new one). Failing to write it only costs a rehash later, so
// errors are dropped, and it is not fsynced: nothing depends on it surviving a crash.
func writeVerified(dsDir string, rec map[string]fileStamp) {
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	f, err := os.CreateTemp(dsDir, verifiedName+tmpMarker+"*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), filepath.Join(dsDir, verifiedName)) != nil {
		os.Remove(f.Name())
	}
}
