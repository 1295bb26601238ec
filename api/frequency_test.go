package api

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// populationFrequency is one frequencies[] item as the answer writes it.
type populationFrequency struct {
	Population   string  `json:"population"`
	Frequency    float64 `json:"alleleFrequency"`
	Count        uint64  `json:"alleleCount"`
	Number       uint64  `json:"alleleNumber"`
	Homozygous   uint64  `json:"alleleCountHomozygous"`
	Heterozygous uint64  `json:"alleleCountHeterozygous"`
	Hemizygous   uint64  `json:"alleleCountHemizygous"`
}

type frequencyEntry struct {
	Source          string                `json:"source"`
	SourceReference string                `json:"sourceReference"`
	Frequencies     []populationFrequency `json:"frequencies"`
}

// vcfOracle counts the allele of one VCF line straight from the GT strings of the CINECA
// VCF, among the samples keep accepts: the oracle the beacon's bitmaps are held to.
func vcfOracle(t *testing.T, pos, ref, alt string, keep func(sample string) bool) (c populationFrequency) {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.DataDir(t), "cineca_uk1_cnag_vcf", "cineca_uk1_chr22_5002.fully_annotated.vcf.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(z)
	sc.Buffer(nil, 1<<24)
	var samples []string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#CHROM") {
			samples = strings.Split(line, "\t")[9:]
			continue
		}
		cols := strings.Split(line, "\t")
		if strings.HasPrefix(line, "#") || cols[1] != pos || cols[3] != ref || cols[4] != alt {
			continue
		}
		for i, gt := range cols[9:] {
			if !keep(samples[i]) {
				continue
			}
			gt, _, _ = strings.Cut(gt, ":")
			alleles := strings.FieldsFunc(gt, func(r rune) bool { return r == '/' || r == '|' })
			n := uint64(0)
			for _, a := range alleles {
				if a != "." {
					c.Number++
				}
				if a == "1" {
					n++
				}
			}
			c.Count += n
			switch {
			case n == 0:
			case len(alleles) == 1:
				c.Hemizygous++
			case n == uint64(len(alleles)):
				c.Homozygous++
			default:
				c.Heterozygous++
			}
		}
		return c
	}
	t.Fatalf("no VCF line %s %s>%s", pos, ref, alt)
	return c
}

// cinecaPeople returns the CINECA individuals' sex and disease ids by id (the samples are
// the individuals' biosamples, of the same id).
func cinecaPeople(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.DataDir(t), "cineca_uk1_ega_ri_api", "individuals.json"))
	if err != nil {
		t.Fatal(err)
	}
	var inds []struct {
		ID  string `json:"id"`
		Sex struct {
			ID string `json:"id"`
		} `json:"sex"`
		Diseases []struct {
			DiseaseCode struct {
				ID string `json:"id"`
			} `json:"diseaseCode"`
		} `json:"diseases"`
	}
	if err := json.Unmarshal(b, &inds); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, in := range inds {
		terms := []string{in.Sex.ID}
		for _, d := range in.Diseases {
			terms = append(terms, d.DiseaseCode.ID)
		}
		out[in.ID] = terms
	}
	return out
}

// TestFrequencyInPopulations: the frequency of chr22:16051249 T>C in the CINECA cohort
// (its VCF's genotypes, 16 of them no-calls) and among the women with type 1 diabetes, in
// the variant's record and in a count answer, equals the counts read from the VCF text;
// a subgroup under the count threshold is left out with a warning.
func TestFrequencyInPopulations(t *testing.T) {
	const female, t1d = "NCIT:C16576", "ICD10:E10"
	people := cinecaPeople(t)
	has := func(id, term string) bool {
		for _, x := range people[id] {
			if x == term {
				return true
			}
		}
		return false
	}
	all := vcfOracle(t, "16051249", "T", "C", func(string) bool { return true })
	women := vcfOracle(t, "16051249", "T", "C", func(s string) bool { return has(s, female) && has(s, t1d) })
	if all.Number != 2*(2504-16) || women.Number == 0 || women.Count == 0 {
		t.Fatalf("oracle: %+v, %+v: not the line the test is about", all, women)
	}
	all.Frequency = float64(all.Count) / float64(all.Number)
	women.Frequency = float64(women.Count) / float64(women.Number)
	all.Population = cinecaDataset + ": all genotyped individuals"
	women.Population = cinecaDataset + ": individuals matching " + female + " AND " + t1d
	base := "/g_variants?assemblyId=GRCh37&referenceName=22&start=16051248&referenceBases=T&alternateBases=C&filters=" + female + "," + t1d

	ours := func(t *testing.T, entries []frequencyEntry) frequencyEntry {
		t.Helper()
		for _, e := range entries {
			if strings.Contains(e.Source, "computed from the genotypes") {
				return e
			}
		}
		t.Fatalf("no frequencyInPopulations entry of the beacon in %+v", entries)
		return frequencyEntry{}
	}
	check := func(t *testing.T, e frequencyEntry, want ...populationFrequency) {
		t.Helper()
		if len(e.Frequencies) != len(want) {
			t.Fatalf("frequencies %+v, want %+v", e.Frequencies, want)
		}
		for i := range want {
			if e.Frequencies[i] != want[i] {
				t.Errorf("frequency %d: %+v, want %+v", i, e.Frequencies[i], want[i])
			}
		}
	}
	h := testHandler(t, "cineca-vcf")
	t.Run("record", func(t *testing.T) {
		s := query(t, h, "GET", base+"&requestedGranularity=record", nil, 200)
		if len(s.Response.ResultSets) != 1 || len(s.Response.ResultSets[0].Results) != 1 {
			t.Fatalf("want one variant: %+v", s.Response)
		}
		var rec struct {
			Frequencies []frequencyEntry `json:"frequencyInPopulations"`
		}
		if err := json.Unmarshal(s.Response.ResultSets[0].Results[0], &rec); err != nil {
			t.Fatal(err)
		}
		check(t, ours(t, rec.Frequencies), all, women)
	})
	t.Run("count", func(t *testing.T) {
		_, out := do(h, "GET", base+"&requestedGranularity=count", nil)
		query(t, h, "GET", base+"&requestedGranularity=count", nil, 200) // schema-valid
		var r struct {
			Response struct {
				ResultSets []struct {
					Frequencies []frequencyEntry `json:"frequencyInPopulations"`
				} `json:"resultSets"`
			} `json:"response"`
		}
		if err := json.Unmarshal(out, &r); err != nil || len(r.Response.ResultSets) != 1 {
			t.Fatalf("%v: %s", err, out)
		}
		check(t, ours(t, r.Response.ResultSets[0].Frequencies), all, women)
	})
	t.Run("POST", func(t *testing.T) {
		body := `{"meta":{"apiVersion":"2.0"},"query":{"requestParameters":{"assemblyId":"GRCh37","referenceName":"22","start":[16051248],"referenceBases":"T","alternateBases":"C"},
			"filters":[{"id":"` + female + `"},{"id":"` + t1d + `"}],"requestedGranularity":"record"}}`
		s := query(t, h, "POST", "/g_variants", []byte(body), 200)
		var rec struct {
			Frequencies []frequencyEntry `json:"frequencyInPopulations"`
		}
		if len(s.Response.ResultSets) != 1 || len(s.Response.ResultSets[0].Results) != 1 || json.Unmarshal(s.Response.ResultSets[0].Results[0], &rec) != nil {
			t.Fatalf("want one variant: %+v", s.Response)
		}
		check(t, ours(t, rec.Frequencies), all, women)
	})
	t.Run("threshold", func(t *testing.T) {
		// The carriers among the filtered people are the variant answer's support: at a
		// threshold of their number the record and both frequencies are shown, one above it
		// nothing is (the subgroup, which holds them, cannot be smaller than the support).
		carriers := int(women.Homozygous + women.Heterozygous + women.Hemizygous)
		for _, k := range []int{carriers, carriers + 1} {
			cfg := DefaultConfig()
			cfg.Datasets = map[string]DatasetConfig{cinecaDataset: {CountThreshold: k}}
			th := testHandlerWith(t, "cineca-vcf", &cfg)
			s := query(t, th, "GET", base+"&requestedGranularity=record&includeResultsetResponses=ALL", nil, 200)
			if len(s.Response.ResultSets) != 1 {
				t.Fatalf("threshold %d: %+v", k, s.Response)
			}
			rs := s.Response.ResultSets[0]
			if k > carriers {
				if rs.Exists || len(rs.Results) != 0 {
					t.Fatalf("threshold %d above the %d carriers: set %+v", k, carriers, rs)
				}
				continue
			}
			var rec struct {
				Frequencies []frequencyEntry `json:"frequencyInPopulations"`
			}
			if len(rs.Results) != 1 || json.Unmarshal(rs.Results[0], &rec) != nil {
				t.Fatalf("threshold %d: want one variant: %+v", k, rs)
			}
			check(t, ours(t, rec.Frequencies), all, women)
		}
	})
}
