package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPruneCommand: after dataset A is replaced, prune --keep-releases 1 deletes the two
// older releases and A's first generation, and the current release still answers with both
// datasets.
func TestPruneCommand(t *testing.T) {
	ctx := context.Background()
	rel := filepath.Join(t.TempDir(), "rel")
	for _, ds := range []string{"A", "B", "A"} {
		if out, err := run(t, ctx, append([]string{"ingest", "--out", rel, "--dataset", ds, "--assembly", "GRCh38", "--no-index"}, fixtureFiles(t)...)...); err != nil {
			t.Fatalf("ingest %s: %v\n%s", ds, err, out)
		}
	}
	out, err := run(t, ctx, "prune", "--data", rel)
	if err != nil || !strings.Contains(out, "pruned 0 releases, 0 dataset generations, 0 dataset directories") {
		t.Fatalf("prune keeping every release: %v\n%s", err, out)
	}
	out, err = run(t, ctx, "prune", "--data", rel, "--keep-releases", "1")
	if err != nil {
		t.Fatalf("prune: %v\n%s", err, out)
	}
	for _, want := range []string{"pruned 2 releases, 1 dataset generations, 0 dataset directories", "releases: 000001 000002", "generations: 000001"} {
		if !strings.Contains(out, want) {
			t.Errorf("prune output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(rel, "datasets", "000001")); !os.IsNotExist(err) {
		t.Errorf("the replaced dataset's generation is still there: %v", err)
	}
	if n := queryFemaleCount(t, ctx, rel); n != 6 {
		t.Errorf("query over both datasets after the prune: %d female individuals, want 6", n)
	}
	if _, err := run(t, ctx, "prune", "--data", rel, "--keep-releases", "-1"); err == nil {
		t.Error("prune accepted --keep-releases -1")
	}
}
