// Package testenv locates the shared, out-of-repository test resources
// (official Beacon v2 schemas, reference data sets) for tests.
//
// The shared folder is never copied into the repository. Tests find it via
// the BITBEACON_SHARED environment variable, or as the "shared" sibling of
// the repository root (<repo root>/../shared). A missing folder is a test
// failure, never a skip: a skipped assertion would silently hide a defect.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// Environment variables that override the default locations.
const (
	// EnvShared names the shared folder (holds beacon-v2/, data/, docs/).
	EnvShared = "BITBEACON_SHARED"
	// EnvSchemas names the beacon-v2 schema folder (holds framework/,
	// models/, external/). Defaults to $BITBEACON_SHARED/beacon-v2.
	EnvSchemas = "BITBEACON_SCHEMAS"
)

// RepoRoot returns the nearest ancestor of the working directory (itself
// included) that contains go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := findRepoRoot()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return root
}

// SharedDir returns the shared folder: $BITBEACON_SHARED if set, else
// <repo root>/../shared. It fails the test if the folder does not exist.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir, err := sharedDir()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return dir
}

// DataDir returns SharedDir/data (reference data sets). It fails the test
// if the folder does not exist.
func DataDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(SharedDir(t), "data")
	if err := mustBeDir(dir, "data folder", EnvShared); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return dir
}

// SchemaDir returns the beacon-v2 schema folder: $BITBEACON_SCHEMAS if set,
// else SharedDir/beacon-v2. It fails the test if the folder does not exist.
func SchemaDir(t testing.TB) string {
	t.Helper()
	dir, err := schemaDir()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return dir
}

func findRepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("cannot get working directory: %v", err)
	}
	for dir := wd; ; {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod found in %s or any parent directory", wd)
		}
		dir = parent
	}
}

func sharedDir() (string, error) {
	if dir := os.Getenv(EnvShared); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %v", EnvShared, dir, err)
		}
		return abs, mustBeDir(abs, "shared folder ($"+EnvShared+")", EnvShared)
	}
	root, err := findRepoRoot()
	if err != nil {
		return "", fmt.Errorf("%v; set %s to the shared folder (the one holding beacon-v2/ and data/)", err, EnvShared)
	}
	dir := filepath.Join(filepath.Dir(root), "shared")
	return dir, mustBeDir(dir, "shared folder", EnvShared)
}

func schemaDir() (string, error) {
	if dir := os.Getenv(EnvSchemas); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %v", EnvSchemas, dir, err)
		}
		return abs, mustBeDir(abs, "schema folder ($"+EnvSchemas+")", EnvSchemas)
	}
	shared, err := sharedDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(shared, "beacon-v2")
	return dir, mustBeDir(dir, "beacon-v2 schema folder", EnvSchemas)
}

// mustBeDir reports an error naming the environment variable to set when
// dir is not an existing directory.
func mustBeDir(dir, what, env string) error {
	fi, err := os.Stat(dir)
	if err == nil && fi.IsDir() {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("not a directory")
	}
	return fmt.Errorf("%s %s not usable (%v): set %s to its location (tests never skip on missing resources)", what, dir, err, env)
}

// CINECADataset is the dataset id of the CINECA UK1 cohort, as the example queries use it.
const CINECADataset = "CINECA_synthetic_cohort_EUROPE_UK1"

// CINECAInputs lists the files of the README's ingest command for the CINECA UK1 cohort
// (metadata, the BFF variants of chr22) plus the GENO and UBERON ontology extracts.
func CINECAInputs(t testing.TB) []string {
	d := DataDir(t)
	var in []string
	for _, e := range []release.Entity{release.Individual, release.Biosample, release.Run, release.Analysis, release.Cohort, release.Dataset} {
		in = append(in, filepath.Join(d, "cineca_uk1_ega_ri_api", e.Plural()+".json"))
	}
	return append(in,
		filepath.Join(d, "cineca_uk1_cnag_vcf", "cineca_uk1_chr22_5002.genomicVariations.bff.json.gz"),
		filepath.Join(d, "ontologies", "phenopacketlab_test_subsets", "geno.json"),
		filepath.Join(d, "ontologies", "uberon", "uberon_efo_slim.obo"),
	)
}
