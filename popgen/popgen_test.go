package popgen

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
)

// write writes c into a fresh temporary directory.
func write(t testing.TB, c Config) Files {
	t.Helper()
	f, err := WriteBFF(t.TempDir(), c)
	if err != nil {
		t.Fatalf("WriteBFF: %v", err)
	}
	return f
}

// demoDir holds one Demo() output shared by the tests of this binary.
var demoDir string

func demo(t *testing.T) string {
	t.Helper()
	if demoDir == "" {
		dir, err := os.MkdirTemp("", "popgen-demo-")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := WriteBFF(dir, Demo()); err != nil {
			t.Fatalf("WriteBFF(Demo()): %v", err)
		}
		t.Logf("Demo() written in %v", time.Since(start))
		demoDir = dir
	}
	return demoDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// records splits a JSON array file into its raw records.
func records(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return out
}

func decodeAll[T any](t *testing.T, path string) []T {
	t.Helper()
	var out []T
	for i, r := range records(t, path) {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			t.Fatalf("%s record %d: %v", filepath.Base(path), i, err)
		}
		out = append(out, v)
	}
	return out
}

func hashes(t *testing.T, f Files) map[string][32]byte {
	t.Helper()
	h := map[string][32]byte{}
	for _, p := range f.Paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h[filepath.Base(p)] = sha256.Sum256(b)
	}
	return h
}

func TestDeterministic(t *testing.T) {
	a := hashes(t, write(t, Demo()))
	b := hashes(t, write(t, Demo()))
	if len(a) != 8 {
		t.Fatalf("got %d files, want 8", len(a))
	}
	for name, ha := range a {
		if hb := b[name]; ha != hb {
			t.Errorf("%s differs between two runs: %x vs %x", name, ha, hb)
		}
	}
	// Zero fields mean the defaults: same bytes as Demo().
	d := hashes(t, write(t, Config{Seed: 1, Individuals: 500, Variants: 2000}))
	for name, ha := range a {
		if d[name] != ha {
			t.Errorf("%s: Config with default fields differs from Demo()", name)
		}
	}
	// Another seed changes the population.
	c := Demo()
	c.Seed = 2
	o := hashes(t, write(t, c))
	for _, name := range []string{IndividualsFile, GenomicVariationsFile} {
		if o[name] == a[name] {
			t.Errorf("%s identical for seeds 1 and 2", name)
		}
	}
	// The metadata do not depend on the number of variants.
	c = Demo()
	c.Variants = 10
	m := hashes(t, write(t, c))
	if m[IndividualsFile] != a[IndividualsFile] {
		t.Errorf("individuals.json depends on Variants")
	}
}

func TestFilesAndCounts(t *testing.T) {
	dir := demo(t)
	want := map[string]int{
		IndividualsFile: 500, BiosamplesFile: 500, RunsFile: 500, AnalysesFile: 500,
		CohortsFile: 1, DatasetsFile: 1, GenomicVariationsFile: 2000,
	}
	for name, n := range want {
		if got := len(records(t, filepath.Join(dir, name))); got != n {
			t.Errorf("%s: %d records, want %d", name, got, n)
		}
	}
	f := write(t, Config{Seed: 7, Individuals: 3, Variants: 0, Chromosomes: []string{"chr22"}})
	var names []string
	for _, p := range f.Paths {
		names = append(names, filepath.Base(p))
	}
	wantNames := []string{IndividualsFile, BiosamplesFile, RunsFile, AnalysesFile, CohortsFile, DatasetsFile, GenomicVariationsFile, OntologyFile}
	if !slices.Equal(names, wantNames) {
		t.Errorf("Paths = %v, want %v", names, wantNames)
	}
	if n := len(records(t, f.Paths[6])); n != 0 {
		t.Errorf("Variants 0: %d variant records", n)
	}
}

// TestSchemas validates every record of the Demo() output against the
// official Beacon v2 default-model schemas.
func TestSchemas(t *testing.T) {
	dir := demo(t)
	v := schematest.For(t)
	entities := map[string]string{
		IndividualsFile: "individual", BiosamplesFile: "biosample", RunsFile: "run",
		AnalysesFile: "analysis", CohortsFile: "cohort", DatasetsFile: "dataset",
		GenomicVariationsFile: "genomicVariation",
	}
	for file, entity := range entities {
		failures := 0
		for i, rec := range records(t, filepath.Join(dir, file)) {
			if err := v.Record(entity, rec); err != nil {
				t.Errorf("%s record %d: %v", file, i, err)
				if failures++; failures > 3 {
					break
				}
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for name, c := range map[string]Config{
		"assembly":      {Individuals: 1, Assembly: "GRCh37"},
		"chromosome":    {Individuals: 1, Chromosomes: []string{"Y"}},
		"duplicate":     {Individuals: 1, Chromosomes: []string{"1", "chr1"}},
		"individuals":   {Individuals: 0},
		"variants":      {Individuals: 1, Variants: -1},
		"too many vars": {Individuals: 1, Variants: 10_000_000, Chromosomes: []string{"22"}},
	} {
		if _, err := WriteBFF(t.TempDir(), c); err == nil {
			t.Errorf("%s: no error for %+v", name, c)
		}
	}
}

// Variant record fields read by the tests.
type variantRec struct {
	VariantInternalID string `json:"variantInternalId"`
	Variation         struct {
		VariantType    string `json:"variantType"`
		ReferenceBases string `json:"referenceBases"`
		AlternateBases string `json:"alternateBases"`
		Location       struct {
			SequenceID string `json:"sequence_id"`
			Interval   struct {
				Start struct{ Value int64 } `json:"start"`
				End   struct{ Value int64 } `json:"end"`
			} `json:"interval"`
		} `json:"location"`
	} `json:"variation"`
	Identifiers struct {
		GenomicHGVSID string `json:"genomicHGVSId"`
	} `json:"identifiers"`
	MolecularAttributes struct {
		GeneIDs          []string `json:"geneIds"`
		MolecularEffects []term   `json:"molecularEffects"`
		AminoacidChanges []string `json:"aminoacidChanges"`
	} `json:"molecularAttributes"`
	CaseLevelData []struct {
		BiosampleID string `json:"biosampleId"`
		Zygosity    term   `json:"zygosity"`
	} `json:"caseLevelData"`
	FrequencyInPopulations []struct {
		Frequencies []struct {
			Population      string  `json:"population"`
			AlleleFrequency float64 `json:"alleleFrequency"`
		} `json:"frequencies"`
	} `json:"frequencyInPopulations"`
}

type individualTestRec struct {
	ID       string `json:"id"`
	Sex      term   `json:"sex"`
	Diseases []struct {
		DiseaseCode term        `json:"diseaseCode"`
		AgeOfOnset  timeElement `json:"ageOfOnset"`
	} `json:"diseases"`
	PhenotypicFeatures []struct {
		FeatureType term `json:"featureType"`
	} `json:"phenotypicFeatures"`
}

func TestVariantInvariants(t *testing.T) {
	dir := demo(t)
	inds := decodeAll[individualTestRec](t, filepath.Join(dir, IndividualsFile))
	female := map[string]bool{} // by biosample id
	for _, ind := range inds {
		female[ind.ID+"-BS"] = ind.Sex == termFemale
	}
	vars := decodeAll[variantRec](t, filepath.Join(dir, GenomicVariationsFile))
	seen := map[string]bool{}
	lastOrder, lastPos := 0, int64(0)
	kinds := map[string]int{}
	for i, v := range vars {
		id := v.VariantInternalID
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("variant %d %s: "+format, append([]any{i, id}, args...)...)
		}
		if seen[id] {
			fail("duplicate id")
		}
		seen[id] = true
		parts := strings.Split(id, "_")
		if len(parts) != 4 {
			fail("id is not chrom_pos_ref_alt")
			continue
		}
		ch, err := lookupChromosome(parts[0])
		if err != nil {
			fail("%v", err)
			continue
		}
		pos, _ := strconv.ParseInt(parts[1], 10, 64)
		if ch.order < lastOrder || (ch.order == lastOrder && pos <= lastPos) {
			fail("not sorted after order %d pos %d", lastOrder, lastPos)
		}
		lastOrder, lastPos = ch.order, pos
		vt, ref, alt := v.Variation.VariantType, v.Variation.ReferenceBases, v.Variation.AlternateBases
		kinds[vt]++
		start, end := v.Variation.Location.Interval.Start.Value, v.Variation.Location.Interval.End.Value
		if v.Variation.Location.SequenceID != "refseq:"+ch.refseq {
			fail("sequence_id %s", v.Variation.Location.SequenceID)
		}
		if !strings.HasPrefix(v.Identifiers.GenomicHGVSID, ch.refseq+":g.") {
			fail("HGVS %s", v.Identifiers.GenomicHGVSID)
		}
		if end > ch.length || start < 0 {
			fail("interval [%d,%d) outside chromosome", start, end)
		}
		switch vt {
		case "SNP":
			if start != pos-1 || end != pos || len(ref) != 1 || len(alt) != 1 || ref == alt || parts[2] != ref || parts[3] != alt {
				fail("bad SNV %s>%s [%d,%d)", ref, alt, start, end)
			}
			if want := ch.refseq + ":g." + parts[1] + ref + ">" + alt; v.Identifiers.GenomicHGVSID != want {
				fail("HGVS %s, want %s", v.Identifiers.GenomicHGVSID, want)
			}
		case "INDEL":
			if start != pos-1 || end != start+int64(len(ref)) || ref[0] != alt[0] || (len(ref) == 1) == (len(alt) == 1) || parts[2] != ref || parts[3] != alt {
				fail("bad indel %s>%s [%d,%d)", ref, alt, start, end)
			}
		case "DEL", "DUP":
			if start != pos || end-start < 1000 || end-start > 100000 || ref != "N" || alt != "N" || parts[3] != vt {
				fail("bad SV [%d,%d)", start, end)
			}
		default:
			fail("variantType %q", vt)
		}
		// Reference bases agree with the pseudo-reference.
		if vt == "SNP" || vt == "INDEL" {
			for k := range len(ref) {
				if ref[k] != refBase(ch.order, pos+int64(k)) {
					fail("ref base %d is not the reference", k)
				}
			}
		}
		// geneIds are exactly the genes overlapping the interval.
		var wantGenes []string
		for _, g := range Genes() {
			if g.Chromosome == ch.name && start < g.End && end > g.Start-1 {
				wantGenes = append(wantGenes, g.Symbol)
			}
		}
		if !slices.Equal(v.MolecularAttributes.GeneIDs, wantGenes) {
			fail("geneIds %v, want %v", v.MolecularAttributes.GeneIDs, wantGenes)
		}
		if len(v.MolecularAttributes.MolecularEffects) != 1 {
			fail("%d molecular effects", len(v.MolecularAttributes.MolecularEffects))
		} else {
			eff := v.MolecularAttributes.MolecularEffects[0]
			hasAA := len(v.MolecularAttributes.AminoacidChanges) == 1
			if (eff == soMissense || eff == soStopGained) != hasAA {
				fail("effect %s with aminoacidChanges %v", eff.Label, v.MolecularAttributes.AminoacidChanges)
			}
			if len(wantGenes) == 0 && vt != "DEL" && vt != "DUP" && eff != soIntergenic {
				fail("intergenic variant with effect %s", eff.Label)
			}
		}
		// Genotypes: ascending unique samples, ploidy-consistent zygosity,
		// allele frequency = observed AC/AN.
		if len(v.CaseLevelData) == 0 {
			fail("no carriers")
		}
		ac, prev := 0, ""
		for _, cl := range v.CaseLevelData {
			if cl.BiosampleID <= prev {
				fail("caseLevelData not ascending at %s", cl.BiosampleID)
			}
			prev = cl.BiosampleID
			f, ok := female[cl.BiosampleID]
			if !ok {
				fail("unknown biosample %s", cl.BiosampleID)
			}
			switch z := cl.Zygosity; {
			case z == termHet:
				ac++
				if ch.x && !f {
					fail("heterozygous male on X")
				}
			case z == termHom:
				ac += 2
				if ch.x && !f {
					fail("homozygous male on X")
				}
			case z == termHemi:
				ac++
				if !ch.x || f {
					fail("hemizygous outside a male X")
				}
			default:
				fail("zygosity %v", z)
			}
		}
		an := 2 * len(inds)
		if ch.x {
			an = 0
			for _, f := range female {
				if f {
					an += 2
				} else {
					an++
				}
			}
		}
		af := v.FrequencyInPopulations[0].Frequencies[0].AlleleFrequency
		if want := float64(ac) / float64(an); math.Abs(af-want) > want*1e-5 {
			fail("alleleFrequency %g, want %d/%d", af, ac, an)
		}
	}
	for _, vt := range []string{"SNP", "INDEL", "DEL", "DUP"} {
		if kinds[vt] == 0 {
			t.Errorf("no %s variants", vt)
		}
	}
	t.Logf("variant types: %v", kinds)
}

// TestGenes checks that every gene of the generated chromosomes is hit by
// variants, so gene queries have answers.
func TestGenes(t *testing.T) {
	vars := decodeAll[variantRec](t, filepath.Join(demo(t), GenomicVariationsFile))
	hits := map[string]int{}
	for _, v := range vars {
		for _, g := range v.MolecularAttributes.GeneIDs {
			hits[g]++
		}
	}
	for _, g := range Genes() {
		if slices.Contains(defaultChromosomes, g.Chromosome) && hits[g.Symbol] < 5 {
			t.Errorf("gene %s: %d variants, want at least 5", g.Symbol, hits[g.Symbol])
		}
	}
	t.Logf("variants per gene: %v", hits)
}

// TestAlleleFrequencySpectrum checks the spectrum and Hardy-Weinberg
// proportions on a larger population. The output is deterministic, so the
// bounds are not flaky; they catch a broken sampler.
func TestAlleleFrequencySpectrum(t *testing.T) {
	f := write(t, Config{Seed: 3, Individuals: 2000, Variants: 3000, Chromosomes: []string{"2"}})
	vars := decodeAll[variantRec](t, f.Paths[6])
	var rare, common int
	var hom, expHom, carriers, expCarriers float64
	for _, v := range vars {
		af := v.FrequencyInPopulations[0].Frequencies[0].AlleleFrequency
		switch {
		case af < 0.01:
			rare++
		case af >= 0.05:
			common++
		}
		n := 0
		for _, cl := range v.CaseLevelData {
			if cl.Zygosity == termHom {
				n++
			}
		}
		if af >= 0.05 {
			hom += float64(n)
			expHom += 2000 * af * af
			carriers += float64(len(v.CaseLevelData))
			expCarriers += 2000 * (1 - (1-af)*(1-af))
		}
	}
	if fr := float64(rare) / float64(len(vars)); fr < 0.7 || fr > 0.9 {
		t.Errorf("rare fraction %.3f, want about 0.8", fr)
	}
	if fc := float64(common) / float64(len(vars)); fc < 0.04 || fc > 0.15 {
		t.Errorf("common fraction %.3f, want about 0.08", fc)
	}
	if r := hom / expHom; r < 0.95 || r > 1.05 {
		t.Errorf("homozygotes %v, Hardy-Weinberg expects %v", hom, expHom)
	}
	if r := carriers / expCarriers; r < 0.97 || r > 1.03 {
		t.Errorf("carriers %v, Hardy-Weinberg expects %v", carriers, expCarriers)
	}
}

func TestMetadataInvariants(t *testing.T) {
	dir := demo(t)
	inds := decodeAll[individualTestRec](t, filepath.Join(dir, IndividualsFile))
	bss := decodeAll[biosampleRec](t, filepath.Join(dir, BiosamplesFile))
	runs := decodeAll[runRec](t, filepath.Join(dir, RunsFile))
	ans := decodeAll[analysisRec](t, filepath.Join(dir, AnalysesFile))
	obo := readOBO(t, filepath.Join(dir, OntologyFile))
	diseaseCount := map[string]int{}
	females := 0
	for i, ind := range inds {
		want := "DEMO" + leftPad(strconv.Itoa(i+1), 4)
		if ind.ID != want {
			t.Fatalf("individual %d id %s, want %s", i, ind.ID, want)
		}
		if ind.Sex == termFemale {
			females++
		} else if ind.Sex != termMale {
			t.Errorf("%s: sex %v", ind.ID, ind.Sex)
		}
		bs, run, an := bss[i], runs[i], ans[i]
		if bs.ID != ind.ID+"-BS" || bs.IndividualID != ind.ID ||
			run.ID != ind.ID+"-RUN" || run.BiosampleID != bs.ID || run.IndividualID != ind.ID ||
			an.ID != ind.ID+"-AN" || an.RunID != run.ID || an.BiosampleID != bs.ID || an.IndividualID != ind.ID {
			t.Errorf("%s: broken links %+v %+v %+v", ind.ID, bs, run, an)
		}
		if !(bs.CollectionDate < run.RunDate && run.RunDate < an.AnalysisDate) {
			t.Errorf("%s: dates out of order: %s %s %s", ind.ID, bs.CollectionDate, run.RunDate, an.AnalysisDate)
		}
		age, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(bs.CollectionMoment, "P"), "Y"))
		for _, d := range ind.Diseases {
			diseaseCount[d.DiseaseCode.ID]++
			if obo[d.DiseaseCode.ID].label != d.DiseaseCode.Label {
				t.Errorf("%s: disease %v not in ontology.obo", ind.ID, d.DiseaseCode)
			}
			onset, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(d.AgeOfOnset.ISO8601Duration, "P"), "Y"))
			if onset < 1 || onset > age {
				t.Errorf("%s: onset %s after age %d", ind.ID, d.AgeOfOnset.ISO8601Duration, age)
			}
			if d.DiseaseCode.ID == "MONDO:0008315" && ind.Sex != termMale {
				t.Errorf("%s: prostate cancer in a female", ind.ID)
			}
		}
		for _, p := range ind.PhenotypicFeatures {
			if obo[p.FeatureType.ID].label != p.FeatureType.Label {
				t.Errorf("%s: phenotype %v not in ontology.obo", ind.ID, p.FeatureType)
			}
		}
	}
	if females < 200 || females > 300 {
		t.Errorf("%d females of 500", females)
	}
	// Both children of diabetes mellitus and the inner class coronary artery
	// disorder (used directly and through its child) appear.
	for _, id := range []string{"MONDO:0005147", "MONDO:0005148", "MONDO:0005010", "MONDO:0005068"} {
		if diseaseCount[id] == 0 {
			t.Errorf("no individual with %s", id)
		}
	}
	t.Logf("disease codes: %v", diseaseCount)
}

type oboEntry struct {
	label  string
	parent string
}

// readOBO parses the [Term] stanzas of ontology.obo and checks the
// hierarchy: every parent is defined and there are no cycles.
func readOBO(t *testing.T, path string) map[string]oboEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	terms := map[string]oboEntry{}
	var id string
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first && line != "format-version: 1.2" {
			t.Fatalf("first line %q", line)
		}
		first = false
		switch {
		case line == "[Term]":
			id = ""
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
			if _, dup := terms[id]; dup {
				t.Errorf("duplicate term %s", id)
			}
			terms[id] = oboEntry{}
		case strings.HasPrefix(line, "name: "):
			e := terms[id]
			e.label = line[6:]
			terms[id] = e
		case strings.HasPrefix(line, "is_a: "):
			e := terms[id]
			e.parent, _, _ = strings.Cut(line[6:], " ! ")
			terms[id] = e
		}
	}
	for id, e := range terms {
		depth := 0
		for p := e.parent; p != ""; p = terms[p].parent {
			if _, ok := terms[p]; !ok {
				t.Fatalf("%s: parent %s undefined", id, p)
			}
			if depth++; depth > 10 {
				t.Fatalf("%s: is_a cycle", id)
			}
		}
	}
	return terms
}

func TestOntologyDepth(t *testing.T) {
	terms := readOBO(t, filepath.Join(demo(t), OntologyFile))
	depth := func(id string) int {
		d := 0
		for p := terms[id].parent; p != ""; p = terms[p].parent {
			d++
		}
		return d
	}
	// myocardial infarction -> coronary artery disorder -> heart disorder ->
	// cardiovascular disorder -> disease.
	if d := depth("MONDO:0005068"); d != 4 {
		t.Errorf("depth of MONDO:0005068 = %d, want 4", d)
	}
	if d := depth("HP:0000726"); d != 4 {
		t.Errorf("depth of HP:0000726 = %d, want 4", d)
	}
	for _, d := range diseases {
		if terms[d.t.ID].label != d.t.Label {
			t.Errorf("disease %v missing from ontology.obo", d.t)
		}
	}
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// BenchmarkWriteBFF measures WriteBFF end to end (files on the temporary
// directory's file system).
func BenchmarkWriteBFF(b *testing.B) {
	for _, bc := range []struct {
		name string
		c    Config
	}{
		{"demo", Demo()},
		{"2504x20000", Config{Seed: 1, Individuals: 2504, Variants: 20000}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dir := b.TempDir()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := WriteBFF(dir, bc.c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(bc.c.Variants)*float64(b.N)/b.Elapsed().Seconds(), "variants/s")
		})
	}
}

// BenchmarkVariants measures the variant generator and BFF renderer alone
// (1000 Genomes-sized population, output discarded).
func BenchmarkVariants(b *testing.B) {
	p, err := newPlan(Config{Seed: 1, Individuals: 2504, Variants: 100000})
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(io.Discard, 1<<20)
	var n, bytesOut int64
	b.ReportAllocs()
	for b.Loop() {
		s := newVariantStream(p)
		vw := newVariantWriter(p)
		for v := s.next(); v != nil; v = s.next() {
			vw.buf = vw.appendVariant(vw.buf[:0], v)
			w.Write(vw.buf)
			n++
			bytesOut += int64(len(vw.buf))
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "variants/s")
	b.ReportMetric(float64(bytesOut)/float64(n), "B/variant")
}
