package release

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// prunableRoot writes four releases: 1 holds a and b (generation 1), 2 adds c (generation
// 2), 3 replaces a (generation 3), 4 replaces c (generation 4). Release 4 thus refers to
// 000003/a, 000001/b and 000004/c; release 3 also to 000002/c; releases 1 and 2 also to
// 000001/a.
func prunableRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	commitDatasets(t, root, "a", "b")
	commitDatasets(t, root, "c")
	commitDatasets(t, root, "a")
	commitDatasets(t, root, "c")
	return root
}

// checkReleasesOpen opens every remaining complete release, which hashes every file it
// lists: a generation removed while a release still links into it fails here.
func checkReleasesOpen(t *testing.T, root string, want ...string) {
	t.Helper()
	got, err := completeReleaseIDs(root)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("releases %v, want %v", got, want)
	}
	for _, id := range got {
		r, err := Open(ReleaseDir(root, id))
		if err != nil {
			t.Fatalf("release %s after the prune: %v", id, err)
		}
		for _, d := range r.Manifest().Datasets {
			checkDataset(t, r, d.ID, 3, 4)
		}
	}
}

func checkPruned(t *testing.T, sum PruneSummary, releases, gens, datasets []string) {
	t.Helper()
	if !slices.Equal(sum.Releases, releases) || !slices.Equal(sum.Generations, gens) || !slices.Equal(sum.Datasets, datasets) {
		t.Fatalf("pruned %+v, want releases %v, generations %v, datasets %v", sum, releases, gens, datasets)
	}
}

// TestPruneRemovesOnlyUnreferenced prunes step by step and checks that exactly what no
// remaining release links to goes, and that every remaining release still opens, verifies
// and can be carried over by the next ingest.
func TestPruneRemovesOnlyUnreferenced(t *testing.T) {
	root := prunableRoot(t)
	all := []string{"000001", "000002", "000003", "000004"}

	sum, err := Prune(root, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkPruned(t, sum, nil, nil, nil) // every release kept: everything is referenced
	checkReleasesOpen(t, root, all...)

	sum, err = Prune(root, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Releases 1 and 2 go; the old a in generation 1 went with them, b there stays.
	checkPruned(t, sum, []string{"000001", "000002"}, nil, []string{"000001/a"})
	checkReleasesOpen(t, root, "000003", "000004")
	if got := strings.Join(dirNames(t, filepath.Join(root, "datasets", "000001")), " "); got != "b" {
		t.Errorf("datasets/000001 holds %s", got)
	}

	sum, err = Prune(root, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkPruned(t, sum, []string{"000003"}, []string{"000002"}, nil)
	checkReleasesOpen(t, root, "000004")
	if got := strings.Join(dirNames(t, filepath.Join(root, "datasets")), " "); got != "000001 000003 000004" {
		t.Errorf("datasets/ holds %s", got)
	}

	// Nothing left to prune; the next ingest carries every dataset over and verifies it.
	sum, err = Prune(root, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkPruned(t, sum, nil, nil, nil)
	commitDatasets(t, root, "d")
	checkReleasesOpen(t, root, "000004", "000005")
}

// TestPruneKeepsTheCurrentGeneration: the generation of the current release's id is kept
// even when no link names it, and so is a complete release newer than CURRENT with what it
// links to.
func TestPruneKeepsTheCurrentGeneration(t *testing.T) {
	root := prunableRoot(t)
	if err := os.Remove(filepath.Join(root, "releases", "000004", "c")); err != nil {
		t.Fatal(err)
	}
	// Release 5, complete but never published (a crash before CURRENT), links to 000002/c.
	if err := os.Mkdir(ReleaseDir(root, "000005"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../datasets/000002/c", filepath.Join(ReleaseDir(root, "000005"), "c")); err != nil {
		t.Fatal(err)
	}
	sum, err := Prune(root, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkPruned(t, sum, []string{"000001", "000002", "000003"}, nil, []string{"000001/a"})
	for _, p := range []string{"000004/c", "000002/c", "000003/a", "000001/b"} {
		if _, err := os.Stat(filepath.Join(root, "datasets", p)); err != nil {
			t.Errorf("datasets/%s: %v", p, err)
		}
	}
}

// TestPruneFollowsLinksAsSpelled: a link written differently from the writer's (absolute,
// with "./") still protects what it points to.
func TestPruneFollowsLinksAsSpelled(t *testing.T) {
	root := prunableRoot(t)
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	rel4 := ReleaseDir(root, "000004")
	for name, target := range map[string]string{
		"b": filepath.Join(abs, "datasets", "000001", "b"),
		"a": "../.././datasets/000003//a",
	} {
		if err := os.Remove(filepath.Join(rel4, name)); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(rel4, name)); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := Prune(root, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkPruned(t, sum, []string{"000001", "000002", "000003"}, []string{"000002"}, []string{"000001/a"})
	checkReleasesOpen(t, root, "000004")
}

// TestPruneCrashLeftovers: a prune killed after renaming what it deletes leaves temporary
// names, which the next Prune (or Create) removes without touching anything referenced.
func TestPruneCrashLeftovers(t *testing.T) {
	root := prunableRoot(t)
	for _, p := range [][2]string{
		{"releases/000001", "releases/000001" + pruneMarker},
		{"datasets/000002", "datasets/000002" + pruneMarker},
	} {
		if err := os.Rename(filepath.Join(root, p[0]), filepath.Join(root, p[1])); err != nil {
			t.Fatal(err)
		}
	}
	// A half-deleted leftover: part of its files gone.
	if err := os.Remove(filepath.Join(root, "datasets", "000002"+pruneMarker, "c", "individual.parquet")); err != nil {
		t.Fatal(err)
	}
	// Release 3 links to the renamed 000002/c: it is broken as a crash in the middle of
	// pruning it would leave it; the prune is asked to keep only the current release.
	sum, err := Prune(root, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkPruned(t, sum, []string{"000002", "000003"}, nil, []string{"000001/a"})
	checkReleasesOpen(t, root, "000004")
	for _, d := range []string{"releases", "datasets"} {
		for _, name := range dirNames(t, filepath.Join(root, d)) {
			if strings.Contains(name, tmpMarker) {
				t.Errorf("%s/%s left", d, name)
			}
		}
	}
}

// TestPruneUnderTheLock: a prune while an ingest holds the root fails and removes nothing;
// a root with nothing published is refused.
func TestPruneUnderTheLock(t *testing.T) {
	root := prunableRoot(t)
	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Prune(root, 1); !errors.Is(err, ErrLocked) {
		t.Fatalf("prune during an ingest: %v, want ErrLocked", err)
	}
	w.Abort()
	checkReleasesOpen(t, root, "000001", "000002", "000003", "000004")
	if _, err := Prune(t.TempDir(), 1); err == nil {
		t.Fatal("a root without CURRENT was pruned")
	}
	if _, err := Prune(root, -1); err == nil {
		t.Fatal("keep -1 accepted")
	}
}
