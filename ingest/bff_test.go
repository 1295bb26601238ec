package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
	"github.com/klauspost/compress/gzip"
)

func TestEntityFromName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want release.Entity
	}{
		{"individuals.json", release.Individual}, {"/x/datasets/Biosamples.JSON", release.Biosample},
		{"runs.json.gz", release.Run}, {"analyses.json", release.Analysis}, {"analysis.json", release.Analysis},
		{"cohorts.json", release.Cohort}, {"datasets.json", release.Dataset},
		{"genomicVariations.json", release.GenomicVariation},
		{"cineca_uk1_chr22_5002.genomicVariations.bff.json.gz", release.GenomicVariation},
		{"genomicVariationsVcf.json.gz", release.GenomicVariation}, {"g_variants.json", release.GenomicVariation},
		{"cineca-g_variants.json", release.GenomicVariation}, {"a.individuals.json", release.Individual},
		{"genomicVariants.json", release.GenomicVariation}, {"gvariants.json", release.GenomicVariation},
		{"COHORT.json", release.Cohort}, {"x.genomicVariant.json", release.GenomicVariation},
		{"big_variants.json", ""}, {"reruns.json", ""}, {"g_variant.json", ""}, {"cohort-datasets.json", ""}, {"stuff.json", ""}, {"individuals_biosamples.json", ""},
	} {
		got, err := EntityFromName(tc.name)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("EntityFromName(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func TestClassify(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		data []byte
		want inputKind
	}{
		{"individuals.json", []byte(" \n[{\"id\":\"x\"}]"), kindBFF},
		// Compressed although the name does not say so: detected by magic bytes.
		{"biosamples.json", gzipped(t, `[{"id":"x"}]`), kindBFF},
		{"hp.json", []byte(`{"meta":{"x":[1,2]},"graphs":[]}`), kindOntologyGraphs},
		{"hp.json.gz", gzipped(t, `{"graphs":[{"nodes":[]}]}`), kindOntologyGraphs},
		{"slim.obo", []byte("format-version: 1.2\n"), kindOntologyOBO},
		{"slim.txt", []byte("format-version: 1.2\n[Term]\nid: X:1\n"), kindOntologyOBO},
		{"x.vcf.gz", gzipped(t, "##fileformat=VCFv4.2\n"), kindVCF},
		{"calls.txt", gzipped(t, "##fileformat=VCFv4.2\n"), kindVCF},
		{"bom.json", []byte("\xef\xbb\xbf[]"), kindBFF},
	} {
		got, err := classify(write(tc.name, tc.data))
		if err != nil || got != tc.want {
			t.Errorf("classify(%s) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	for _, name := range []string{"obj.json", "empty.json", "text.txt"} {
		data := map[string]string{"obj.json": `{"id":"x"}`, "empty.json": "", "text.txt": "hello"}[name]
		if _, err := classify(write(name, []byte(data))); err == nil {
			t.Errorf("classify(%s): no error", name)
		}
	}
}

func TestReadBFFStreamsGzip(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 5000; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`{"id":"R` + strings.Repeat("x", i%7) + `","n":1.50}`)
	}
	b.WriteString("]")
	p := filepath.Join(t.TempDir(), "runs.json")
	if err := os.WriteFile(p, gzipped(t, b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := readBFFFile(p, nil, func(i int, raw map[string]any) error {
		if i != n || raw["n"].(interface{ String() string }).String() != "1.50" {
			t.Fatalf("record %d: %v", i, raw)
		}
		n++
		return nil
	})
	if err != nil || n != 5000 {
		t.Fatalf("read %d records: %v", n, err)
	}
}
