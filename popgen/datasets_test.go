package popgen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// splitTestConfig: 7 datasets do not divide 47 individuals evenly.
var splitTestConfig = Config{Seed: 11, Individuals: 47, Variants: 600}

// wholePopulation writes the population of c as one dataset: the oracle of its splits.
func wholePopulation(t *testing.T, c Config) (Files, vcfParsed) {
	t.Helper()
	dir := t.TempDir()
	c.SkipBFFVariants = true
	files, err := WriteBFF(dir, c)
	if err != nil {
		t.Fatal(err)
	}
	return files, readVCF(t, writeVCFFile(t, dir, c))
}

// recordKey is a variant line without its genotypes and allele counts.
func recordKey(r vcfRecord) string {
	return r.chrom + ":" + strconv.FormatInt(r.pos, 10) + ":" + r.ref + ">" + r.alt + " " + r.info["ANN"]
}

func TestWriteDatasetsSplitsIndividuals(t *testing.T) {
	const n = 7
	whole, wholeVCF := wholePopulation(t, splitTestConfig)
	ds, err := WriteDatasets(t.TempDir(), splitTestConfig, Split{Datasets: n})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != n {
		t.Fatalf("%d datasets", len(ds))
	}
	// The individuals' records, dataset after dataset, are the whole population's.
	var inds []json.RawMessage
	sample := 0 // next individual of the population
	type call struct{ variant, gt string }
	got := map[string][]call{} // biosample id → its carried calls, over every dataset
	for k, d := range ds {
		if d.DatasetID != DatasetID(splitTestConfig, k, n) || d.DatasetID != "bitbeacon_demo_"+strconv.Itoa(k+1) {
			t.Errorf("dataset %d id %q", k, d.DatasetID)
		}
		recs := records(t, d.Paths[0])
		if len(recs) != d.Individuals || d.Individuals < 47/n || d.Individuals > 47/n+1 {
			t.Errorf("%s: %d individuals (says %d)", d.DatasetID, len(recs), d.Individuals)
		}
		inds = append(inds, recs...)
		dsRec := decodeAll[map[string]any](t, d.Paths[5])
		if len(dsRec) != 1 || dsRec[0]["id"] != d.DatasetID {
			t.Errorf("%s: datasets.json %v", d.DatasetID, dsRec)
		}
		vcf := readVCF(t, d.Paths[7])
		if len(vcf.recs) != d.Variants || d.Variants == 0 {
			t.Errorf("%s: %d VCF lines, says %d", d.DatasetID, len(vcf.recs), d.Variants)
		}
		for i, s := range vcf.samples {
			if want := wholeVCF.samples[sample+i]; s != want {
				t.Fatalf("%s: sample %d is %s, want %s", d.DatasetID, i, s, want)
			}
		}
		for _, r := range vcf.recs {
			ac, an, carried := 0, 0, false
			for i, gt := range r.gts {
				if an += 2; len(gt) == 1 {
					an-- // haploid: a male's X
				}
				ac += strings.Count(gt, "1")
				if gt != "0|0" && gt != "0" {
					carried = true
					got[vcf.samples[i]] = append(got[vcf.samples[i]], call{recordKey(r), gt})
				}
			}
			if !carried {
				t.Errorf("%s: %s carried by none of its samples", d.DatasetID, recordKey(r))
			}
			if r.info["AC"] != strconv.Itoa(ac) || r.info["AN"] != strconv.Itoa(an) {
				t.Errorf("%s: %s AC=%s AN=%s, its genotypes have %d of %d", d.DatasetID, recordKey(r), r.info["AC"], r.info["AN"], ac, an)
			}
		}
		sample += len(vcf.samples)
	}
	if wantInds := records(t, whole.Paths[0]); !slices.EqualFunc(inds, wantInds, func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
		t.Errorf("the datasets' individuals differ from the whole population's (%d and %d records)", len(inds), len(wantInds))
	}
	// Every carried call of the population is in exactly one dataset, and nothing else is.
	want := map[string][]call{}
	for _, r := range wholeVCF.recs {
		for i, gt := range r.gts {
			if gt != "0|0" && gt != "0" {
				want[wholeVCF.samples[i]] = append(want[wholeVCF.samples[i]], call{recordKey(r), gt})
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d carrying samples over the datasets, %d in the population", len(got), len(want))
	}
	for s, calls := range want {
		if !slices.Equal(got[s], calls) {
			t.Errorf("%s: %d calls over the datasets, %d in the population", s, len(got[s]), len(calls))
		}
	}
}

func TestWriteDatasetsSharedCohort(t *testing.T) {
	const n = 4
	c := splitTestConfig
	c.Variants = 601 // not a multiple of n
	whole, wholeVCF := wholePopulation(t, c)
	ds, err := WriteDatasets(t.TempDir(), c, Split{Datasets: n, SharedCohort: true})
	if err != nil {
		t.Fatal(err)
	}
	var lines []vcfRecord
	for k, d := range ds {
		for i := range 4 { // individuals, biosamples, runs, analyses: the whole cohort's
			a, _ := os.ReadFile(d.Paths[i])
			b, _ := os.ReadFile(whole.Paths[i])
			if !bytes.Equal(a, b) || len(a) == 0 {
				t.Errorf("%s: %s differs from the whole cohort's", d.DatasetID, filepath.Base(d.Paths[i]))
			}
		}
		if cohorts := decodeAll[map[string]any](t, d.Paths[4]); len(cohorts) != 1 || cohorts[0]["id"] != "bitbeacon_demo_cohort" {
			t.Errorf("%s: cohorts %v, want the one shared cohort", d.DatasetID, cohorts)
		}
		vcf := readVCF(t, d.Paths[7])
		if !slices.Equal(vcf.samples, wholeVCF.samples) {
			t.Errorf("%s: samples differ from the cohort's", d.DatasetID)
		}
		if lo, hi := k*c.Variants/n, (k+1)*c.Variants/n; len(vcf.recs) != hi-lo || d.Variants != hi-lo {
			t.Errorf("%s: %d VCF lines (says %d), want %d", d.DatasetID, len(vcf.recs), d.Variants, hi-lo)
		}
		lines = append(lines, vcf.recs...)
	}
	if len(lines) != len(wholeVCF.recs) {
		t.Fatalf("%d lines over the datasets, %d in the population", len(lines), len(wholeVCF.recs))
	}
	for i, r := range lines {
		w := wholeVCF.recs[i]
		if recordKey(r) != recordKey(w) || !slices.Equal(r.gts, w.gts) || r.info["AC"] != w.info["AC"] || r.info["AN"] != w.info["AN"] || r.info["AF"] != w.info["AF"] {
			t.Fatalf("line %d: %s differs from the population's %s", i, recordKey(r), recordKey(w))
		}
	}
}

func TestWriteDatasetsRefusesImpossibleSplits(t *testing.T) {
	c := Config{Seed: 1, Individuals: 3, Variants: 10}
	for _, sp := range []Split{{Datasets: 0}, {Datasets: 4}, {Datasets: -1, SharedCohort: true}} {
		if _, err := WriteDatasets(t.TempDir(), c, sp); err == nil {
			t.Errorf("%+v of 3 individuals: no error", sp)
		}
	}
	if _, err := WriteDatasets(t.TempDir(), c, Split{Datasets: 4, SharedCohort: true}); err != nil {
		t.Errorf("4 datasets of one shared cohort of 3: %v", err)
	}
}
