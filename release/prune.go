package release

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// Pruning the store. Releases share their datasets' files through symlinks into
// datasets/<gen>/ (store.go), so deleting an old release directory frees only its manifest,
// symlinks and index files; the generations it alone referred to (the datasets replaced since)
// stay. Prune removes what nothing refers to any more: the release directories older than the
// newest few, when asked, and then every generation (and every dataset directory of a
// generation) that no remaining release links to.
//
// It runs under the root's LOCK, so no ingest or index build is carrying datasets over or
// writing meanwhile, and it is crash-safe by ordering: a directory to delete is first renamed
// to a temporary name (which no reader opens and the next Create or Prune removes) and the
// rename fsynced, and the references are read from the releases that remain after the
// releases were removed, so a crash at any point leaves every remaining release whole and at
// worst some garbage for the next run. The current release is never removed, nor the
// generation of its id, nor a complete release newer than it (a crash between its rename and
// CURRENT; Create skips its id).

// pruneMarker names what Prune is deleting: a temporary name, so that the next Create or
// Prune removes it when a crash interrupted the deletion.
const pruneMarker = tmpMarker + "prune"

// PruneSummary is what Prune removed: release ids, whole generations, and dataset
// directories of generations that are still referred to ("<gen>/<dir>").
type PruneSummary struct {
	Releases    []string `json:"releases"`
	Generations []string `json:"generations"`
	Datasets    []string `json:"datasets"`
}

// Prune removes, under root's lock, the complete releases older than the newest keepReleases
// ones up to and including the current one (none when keepReleases is 0), then every store
// generation, and every dataset directory of a generation, that no remaining complete
// release's dataset symlink points into. It returns
// ErrLocked (wrapped) while an ingest holds the root.
func Prune(root string, keepReleases int) (sum PruneSummary, err error) {
	if keepReleases < 0 {
		return sum, fmt.Errorf("release: prune: keep %d releases: must be 0 or more", keepReleases)
	}
	lock, err := lockRoot(filepath.Join(root, lockName))
	if err != nil {
		return sum, err
	}
	defer func() { err = errors.Join(err, lock.unlock()) }()
	cur, err := readCurrent(root)
	if err != nil {
		return sum, err
	}
	if cur == "" {
		return sum, fmt.Errorf("release: prune: %s has no published release (no %s)", root, currentName)
	}
	if err := removeStaleTemps(root); err != nil {
		return sum, err
	}
	if err := removeOrphanGenerations(root); err != nil {
		return sum, err
	}
	ids, err := completeReleaseIDs(root)
	if err != nil {
		return sum, err
	}
	if sum.Releases, err = pruneReleases(root, cur, ids, keepReleases); err != nil {
		return sum, err
	}
	refs := storeRefs{cur: {wholeGeneration: true}}
	for _, id := range ids {
		if slices.Contains(sum.Releases, id) {
			continue
		}
		if err := addGenerationRefs(root, id, refs); err != nil {
			return sum, err
		}
	}
	sum.Generations, sum.Datasets, err = pruneStore(root, refs)
	return sum, err
}

// completeReleaseIDs lists the complete release directories (digit names), oldest first.
func completeReleaseIDs(root string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(root, releasesDir))
	if err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	var ids []string
	for _, e := range ents {
		if e.IsDir() && validReleaseID(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	sort.Slice(ids, func(i, j int) bool { return releaseNumber(ids[i]) < releaseNumber(ids[j]) })
	return ids, nil
}

func releaseNumber(id string) int {
	n, _ := strconv.Atoi(id)
	return n
}

// pruneReleases removes the releases older than the current one beyond the keep-1 before it.
func pruneReleases(root, cur string, ids []string, keep int) ([]string, error) {
	if keep == 0 {
		return nil, nil
	}
	var older []string
	for _, id := range ids {
		if releaseNumber(id) < releaseNumber(cur) {
			older = append(older, id)
		}
	}
	if len(older) <= keep-1 {
		return nil, nil
	}
	doomed := older[:len(older)-(keep-1)]
	dir := filepath.Join(root, releasesDir)
	for _, id := range doomed {
		if err := removeByRename(dir, id, id); err != nil {
			return nil, err
		}
	}
	return doomed, nil
}

// storeRefs is what the releases refer to: generation → dataset directories linked to
// (wholeGeneration when a link names the generation itself).
type storeRefs map[string]map[string]bool

const wholeGeneration = ""

// addGenerationRefs adds what release id's dataset symlinks point into. A symlink is resolved
// as the filesystem would, relative to the release directory, so a link spelled differently
// from the writer's (an absolute path, "./") still counts; one that cannot be read stops the
// prune, since what it refers to is unknown.
func addGenerationRefs(root, id string, refs storeRefs) error {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	store := filepath.Join(absRoot, storeDir)
	relDir := filepath.Join(absRoot, releasesDir, id)
	ents, err := os.ReadDir(relDir)
	if err != nil {
		return fmt.Errorf("release: prune: %w", err)
	}
	for _, e := range ents {
		if e.Type()&os.ModeSymlink == 0 {
			continue
		}
		target, err := os.Readlink(filepath.Join(relDir, e.Name()))
		if err != nil {
			return fmt.Errorf("release: prune: %w", err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(relDir, target)
		}
		rel, err := filepath.Rel(store, filepath.Clean(target))
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue // not into the store
		}
		gen, dir, _ := strings.Cut(filepath.ToSlash(rel), "/")
		dir, _, _ = strings.Cut(dir, "/")
		if refs[gen] == nil {
			refs[gen] = map[string]bool{}
		}
		refs[gen][dir] = true
	}
	return nil
}

// pruneStore removes the store's generations (digit names) that refs does not hold, and the
// dataset directories of the others that refs does not name.
func pruneStore(root string, refs storeRefs) (gens, datasets []string, err error) {
	dir := filepath.Join(root, storeDir)
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("release: %w", err)
	}
	for _, e := range ents {
		gen := e.Name()
		if !e.IsDir() || !lexical.AllDigits(gen) {
			continue
		}
		used := refs[gen]
		if used == nil {
			if err := removeByRename(dir, gen, gen); err != nil {
				return gens, datasets, err
			}
			gens = append(gens, gen)
			continue
		}
		if used[wholeGeneration] {
			continue
		}
		sub, err := os.ReadDir(filepath.Join(dir, gen))
		if err != nil {
			return gens, datasets, fmt.Errorf("release: %w", err)
		}
		for _, d := range sub {
			if !d.IsDir() || used[d.Name()] {
				continue
			}
			// Moved up into the store's own directory under a temporary name, where the next
			// Create or Prune finds it.
			if err := removeByRename(filepath.Join(dir, gen), d.Name(), "../"+gen+"-"+d.Name()); err != nil {
				return gens, datasets, err
			}
			datasets = append(datasets, gen+"/"+d.Name())
		}
	}
	return gens, datasets, nil
}

// removeByRename deletes dir/name by renaming it first to dir/<doomed><pruneMarker> (doomed
// may lead to the parent directory), made durable before anything inside is unlinked: a
// crash then leaves either the whole directory under its name or garbage under a name the
// next Create or Prune removes, never a half-deleted directory that still looks complete.
func removeByRename(dir, name, doomed string) error {
	to := filepath.Join(dir, doomed+pruneMarker)
	if err := os.RemoveAll(to); err != nil {
		return fmt.Errorf("release: prune: %w", err)
	}
	if err := os.Rename(filepath.Join(dir, name), to); err != nil {
		return fmt.Errorf("release: prune: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("release: prune: %w", err)
	}
	if d := filepath.Dir(to); d != filepath.Clean(dir) {
		if err := syncDir(d); err != nil {
			return fmt.Errorf("release: prune: %w", err)
		}
	}
	if err := os.RemoveAll(to); err != nil {
		return fmt.Errorf("release: prune %s: %w", to, err)
	}
	return nil
}
