package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// indexTmpPrefix names the directories an index build writes into before renaming them to
// index/ (and index.tmp-*.old, the files they replace).
const indexTmpPrefix = "index.tmp-"

// removeIndexLeftovers deletes the index.tmp-* directories that index builds killed before
// their rename left in any release under root (each as large as the index), and the spill
// files of builds killed between a spill file's creation and its unlinking (a build's
// default spill directory is its release's). The caller holds the root's lock, so none
// belongs to a live build.
func removeIndexLeftovers(root string) error {
	rels, err := os.ReadDir(filepath.Join(root, "releases"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("index files: %w", err)
	}
	for _, r := range rels {
		if !r.IsDir() {
			continue
		}
		dir := filepath.Join(root, "releases", r.Name())
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue // a release being removed or written; not ours to judge
		}
		for _, e := range ents {
			if e.IsDir() && strings.HasPrefix(e.Name(), indexTmpPrefix) || !e.IsDir() && strings.HasPrefix(e.Name(), spillFilePrefix) {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return fmt.Errorf("index files: removing the leftover %s: %w", e.Name(), err)
				}
			}
		}
	}
	return nil
}
