package release

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// The dataset store: the files of every dataset live once, in the generation directory of
// the release that wrote them (root/datasets/<id>/<datasetDir>/), and every release that
// holds the dataset refers to that directory by a relative symlink
// (root/releases/<id>/<datasetDir> -> ../../datasets/<gen>/<datasetDir>). A release that
// carries a thousand datasets over thus makes a thousand symlinks in one directory, instead
// of linking every file and fsyncing every dataset directory again; and deleting an old
// release directory never deletes data that a later release still uses.
const storeDir = "datasets"

// storeLinkPrefix is how a release's dataset symlink starts: from root/releases/<id>/ up to
// the root and into the store.
const storeLinkPrefix = "../../" + storeDir + "/"

// storeLink is the symlink target, relative to a release directory, of dataset directory
// dir written by release gen.
func storeLink(gen, dir string) string { return storeLinkPrefix + gen + "/" + dir }

// parseStoreLink checks that target is storeLink(gen, dir) for some generation and returns
// it: a release's dataset symlink must point into the store and at the directory of the same
// name, so that carrying it over never carries a link to anywhere else.
func parseStoreLink(target, dir string) (gen string, ok bool) {
	rest, ok := strings.CutPrefix(filepath.ToSlash(target), storeLinkPrefix)
	if !ok {
		return "", false
	}
	gen, d, ok := strings.Cut(rest, "/")
	return gen, ok && validReleaseID(gen) && d == dir
}

// removeOrphanGenerations deletes the store's temporary directories (an ingest that died
// before its Commit renamed them) and the generations above every complete release: a
// generation is renamed into place just before its release, and only that release or later
// ones can refer to it, so a generation newer than every release was left by an ingest that
// died between the two renames. It runs under the root's lock.
func removeOrphanGenerations(root string) error {
	dir := filepath.Join(root, storeDir)
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	cur, err := readCurrent(root)
	if err != nil {
		return err
	}
	newest, err := newestReleaseID(root, cur)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		orphan := strings.Contains(name, tmpMarker)
		if n, err := strconv.Atoi(name); err == nil && lexical.AllDigits(name) && n > newest {
			orphan = true
		}
		if orphan {
			if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("release: remove orphan %s: %w", filepath.Join(storeDir, name), err)
			}
		}
	}
	return nil
}
