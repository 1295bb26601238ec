package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bitbeacon/bitbeacon/release"
)

// Index files are checked against their CRC-32Cs once per file state, not at every open. The
// check reads every byte: 13 GB at 10^7 variants, seconds from the page cache and tens of
// seconds from disk, all of it paged into a server whose queries touch a fraction, which made
// ready O(data) against a target of under 2 s at 10^7 (docs/benchmarks.md). A file whose
// state (release.FileState: device, inode, size, mtime, ctime) is the one the index
// directory's .verified.json records with the file's CRC-32Cs is mapped without being read;
// any write, truncation, chmod, link or replacement changes the state, and the file is
// checked in full again. What a record cannot show is damage below the filesystem (a bad
// disk block) since it was made: removing .verified.json makes the next open check every
// file.
//
// Two things record. The writer (writeIndexDir), for each file it wrote and synced, with the
// CRC-32Cs of the bytes it wrote: reading them back at once would read the page cache the
// write filled, checking nothing more. A write right after the record, in the same
// timestamp tick, would leave the times as recorded (the reason for release.SettleTime), so
// the writer first sets the file's mtime SettleTime back (backdate): any later write sets it
// to the time of that write, which differs; what only changes the ctime (a chmod, a link)
// changes no byte. And an open that checked a file in full and found it right, once the
// file's times are settled, so that index files from an older build, copied elsewhere or
// whose record was removed are checked once more, not at every start. The record is a cache:
// missing, unreadable or unwritable (a read-only volume, a server without write access to the
// release) it only costs a full check.

// indexVerifiedName is the verification record of an index directory: a dot name, which no
// index file has and the index manifest never lists.
const indexVerifiedName = ".verified.json"

// indexSettleTime is release.SettleTime, a variable so that tests can record files they just
// wrote.
var indexSettleTime = release.SettleTime

// indexStamp is what an index file looked like when its bytes were known to have its
// CRC-32Cs.
type indexStamp struct {
	CRC32C []uint32 `json:"crc32c"`
	release.FileState
}

// vouches reports whether the stamp covers a file now in state st that the index manifest
// lists as want.
func (s indexStamp) vouches(st release.FileState, want indexFileEntry) bool {
	return s.FileState == st && st.Bytes == want.Bytes && slices.Equal(s.CRC32C, want.CRC32C)
}

// readIndexVerified reads an index directory's verification record; empty when there is none
// or it cannot be read.
func readIndexVerified(dir string) map[string]indexStamp {
	rec := map[string]indexStamp{}
	if b, err := os.ReadFile(filepath.Join(dir, indexVerifiedName)); err == nil {
		if json.Unmarshal(b, &rec) != nil {
			rec = map[string]indexStamp{}
		}
	}
	return rec
}

// writeIndexVerified replaces an index directory's verification record (a temp file renamed
// over it, so that a concurrent open reads the old or the new one). Failing only costs a full
// check later, so errors are dropped, and it is not fsynced: a record lost in a crash is a
// record missing.
func writeIndexVerified(dir string, rec map[string]indexStamp) {
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	f, err := os.CreateTemp(dir, indexVerifiedName+".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if werr == nil {
		werr = f.Chmod(0o444) // read-only like every file of a release; replaced, never changed
	}
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), filepath.Join(dir, indexVerifiedName)) != nil {
		os.Remove(f.Name())
	}
}

// backdate sets the mtime of a file just written SettleTime back and returns its state then;
// false when either fails (the file is then checked in full at its first open).
func backdate(path string) (release.FileState, bool) {
	if os.Chtimes(path, time.Time{}, time.Now().Add(-indexSettleTime)) != nil {
		return release.FileState{}, false
	}
	fi, err := os.Stat(path)
	if err != nil {
		return release.FileState{}, false
	}
	return release.StateOf(fi)
}
