package popgen

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"
)

// sample is what the variant generator needs to know about an individual.
type sample struct {
	female  bool
	xCopies uint8 // 2 for XX, 1 for XY
}

// drawSamples draws each individual's sex; it uses its own random stream so
// that the genotypes do not depend on how the metadata are drawn.
func drawSamples(seed uint64, n int) []sample {
	r := newRand(seed, streamSex)
	s := make([]sample, n)
	for i := range s {
		if r.IntN(2) == 0 {
			s[i] = sample{female: true, xCopies: 2}
		} else {
			s[i] = sample{female: false, xCopies: 1}
		}
	}
	return s
}

// Records of the metadata entry types. Field order is the output order.
type (
	timeElement struct {
		ISO8601Duration string `json:"iso8601duration"`
	}
	diseaseRec struct {
		DiseaseCode term        `json:"diseaseCode"`
		AgeOfOnset  timeElement `json:"ageOfOnset"`
	}
	phenotypicFeature struct {
		FeatureType term `json:"featureType"`
	}
	quantity struct {
		Unit  term        `json:"unit"`
		Value json.Number `json:"value"`
	}
	measure struct {
		AssayCode        term     `json:"assayCode"`
		Date             string   `json:"date"`
		MeasurementValue quantity `json:"measurementValue"`
	}
	individualRec struct {
		ID                 string              `json:"id"`
		Sex                term                `json:"sex"`
		KaryotypicSex      string              `json:"karyotypicSex,omitempty"`
		Ethnicity          *term               `json:"ethnicity,omitempty"`
		GeographicOrigin   *term               `json:"geographicOrigin,omitempty"`
		Diseases           []diseaseRec        `json:"diseases,omitempty"`
		PhenotypicFeatures []phenotypicFeature `json:"phenotypicFeatures,omitempty"`
		Measures           []measure           `json:"measures,omitempty"`
	}
	biosampleRec struct {
		ID                 string `json:"id"`
		IndividualID       string `json:"individualId"`
		BiosampleStatus    term   `json:"biosampleStatus"`
		SampleOriginType   term   `json:"sampleOriginType"`
		SampleOriginDetail term   `json:"sampleOriginDetail"`
		CollectionDate     string `json:"collectionDate"`
		CollectionMoment   string `json:"collectionMoment"`
	}
	runRec struct {
		ID               string `json:"id"`
		BiosampleID      string `json:"biosampleId"`
		IndividualID     string `json:"individualId"`
		RunDate          string `json:"runDate"`
		LibraryLayout    string `json:"libraryLayout"`
		LibrarySelection string `json:"librarySelection"`
		LibrarySource    term   `json:"librarySource"`
		LibraryStrategy  string `json:"libraryStrategy"`
		Platform         string `json:"platform"`
		PlatformModel    term   `json:"platformModel"`
	}
	analysisRec struct {
		ID            string `json:"id"`
		RunID         string `json:"runId"`
		BiosampleID   string `json:"biosampleId"`
		IndividualID  string `json:"individualId"`
		AnalysisDate  string `json:"analysisDate"`
		PipelineName  string `json:"pipelineName"`
		Aligner       string `json:"aligner"`
		VariantCaller string `json:"variantCaller"`
	}
	ageRange struct {
		Start timeElement `json:"start"`
		End   timeElement `json:"end"`
	}
	cohortCriteria struct {
		AgeRange ageRange `json:"ageRange"`
		Genders  []term   `json:"genders"`
	}
	cohortRec struct {
		ID                string         `json:"id"`
		Name              string         `json:"name"`
		CohortType        string         `json:"cohortType"`
		CohortSize        int            `json:"cohortSize"`
		InclusionCriteria cohortCriteria `json:"inclusionCriteria"`
	}
	duoTerm struct {
		term
		Version string `json:"version"`
	}
	dataUseConditions struct {
		DuoDataUse []duoTerm `json:"duoDataUse"`
	}
	datasetRec struct {
		ID                string            `json:"id"`
		Name              string            `json:"name"`
		Description       string            `json:"description"`
		Version           string            `json:"version"`
		CreateDateTime    string            `json:"createDateTime"`
		UpdateDateTime    string            `json:"updateDateTime"`
		DataUseConditions dataUseConditions `json:"dataUseConditions"`
	}
)

// Ages of the cohort's individuals at sample collection, in years.
const (
	minAge = 18
	maxAge = 85
)

// Fixed dates (never time.Now): sample collection happens in
// [collectionEpoch, collectionEpoch+collectionDays).
var collectionEpoch = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	collectionDays = 5 * 365
	// datasetTimestamp is the dataset's createDateTime and updateDateTime.
	datasetTimestamp = "2025-01-01T00:00:00Z"
	dateLayout       = "2006-01-02"
)

// metaRecords is one individual with its biosample, run and analysis.
type metaRecords struct {
	ind individualRec
	bs  biosampleRec
	run runRec
	an  analysisRec
}

// metaGen draws the metadata records of the individuals in order.
type metaGen struct {
	p         *plan
	r         *rand.Rand
	diseaseW  int
	ethnicW   int
	originW   int
	chosen    []int // scratch: indexes of diseases drawn
	seenPheno map[string]bool
}

func newMetaGen(p *plan) *metaGen {
	g := &metaGen{p: p, r: newRand(p.cfg.Seed, streamMeta), ethnicW: totalWeight(ethnicities), originW: totalWeight(origins), seenPheno: map[string]bool{}}
	for _, d := range diseases {
		g.diseaseW += d.weight
	}
	return g
}

// next fills m with the records of individual i (0-based). The records
// reuse m's slices.
func (g *metaGen) next(i int, m *metaRecords) {
	r := g.r
	s := g.p.samples[i]
	ind := &m.ind
	id := g.p.individualID(i)
	*ind = individualRec{ID: id, Diseases: ind.Diseases[:0], PhenotypicFeatures: ind.PhenotypicFeatures[:0], Measures: ind.Measures[:0]}
	if s.female {
		ind.Sex = termFemale
	} else {
		ind.Sex = termMale
	}
	if r.IntN(100) < 60 {
		if s.female {
			ind.KaryotypicSex = "XX"
		} else {
			ind.KaryotypicSex = "XY"
		}
	}
	if r.IntN(100) < 95 {
		t := pickWeighted(ethnicities, r.IntN(g.ethnicW))
		ind.Ethnicity = &t
	}
	if r.IntN(100) < 90 {
		t := pickWeighted(origins, r.IntN(g.originW))
		ind.GeographicOrigin = &t
	}
	age := minAge + r.IntN(maxAge-minAge+1)
	collected := collectionEpoch.AddDate(0, 0, r.IntN(collectionDays))
	date := collected.Format(dateLayout)

	// Diseases: 0-3 distinct codes; P(0,1,2,3) = 45%, 30%, 17%, 8%.
	nd := 0
	switch x := r.IntN(100); {
	case x >= 92:
		nd = 3
	case x >= 75:
		nd = 2
	case x >= 45:
		nd = 1
	}
	g.chosen = g.chosen[:0]
	clear(g.seenPheno)
	// A draw the individual is not eligible for (sex, age) is dropped, not
	// redrawn, so prevalences among the eligible follow the weights.
	for range nd {
		k := g.pickDisease(r.IntN(g.diseaseW))
		d := &diseases[k]
		if (d.sex == 'F' && !s.female) || (d.sex == 'M' && s.female) || d.onsetMin > age || contains(g.chosen, k) {
			continue
		}
		g.chosen = append(g.chosen, k)
		hi := min(d.onsetMax, age)
		onset := d.onsetMin + r.IntN(hi-d.onsetMin+1)
		ind.Diseases = append(ind.Diseases, diseaseRec{d.t, years(onset)})
		for _, ph := range d.phenotypes {
			if r.IntN(100) < d.phenotypeHit && !g.seenPheno[ph.ID] {
				g.seenPheno[ph.ID] = true
				ind.PhenotypicFeatures = append(ind.PhenotypicFeatures, phenotypicFeature{ph})
			}
		}
	}
	for _, ph := range backgroundPhenotypes {
		if r.IntN(100) < 4 && !g.seenPheno[ph.ID] {
			g.seenPheno[ph.ID] = true
			ind.PhenotypicFeatures = append(ind.PhenotypicFeatures, phenotypicFeature{ph})
		}
	}

	// Anthropometry for 90%: height, BMI, and the weight they imply, in
	// integer arithmetic so the values are exact on every platform.
	if r.IntN(100) < 90 {
		var heightMM int64
		if s.female {
			heightMM = 1480 + int64(r.IntN(160)+r.IntN(160)) // 148.0-179.8 cm
		} else {
			heightMM = 1600 + int64(r.IntN(180)+r.IntN(180)) // 160.0-195.8 cm
		}
		bmi100 := int64(1650 + r.IntN(1100) + r.IntN(1100)) // 16.50-38.48, peaked near 27.5
		weight10 := (bmi100*heightMM*heightMM + 5_000_000) / 10_000_000
		ind.Measures = append(ind.Measures,
			measure{termBMI, date, quantity{termKgPerM2, fixed(bmi100, 2)}},
			measure{termBodyWeight, date, quantity{termKilogram, fixed(weight10, 1)}},
			measure{termBodyHeight, date, quantity{termCentimeter, fixed(heightMM, 1)}},
		)
	}

	bsID := id + "-BS"
	origin := termBlood
	if r.IntN(100) < 15 {
		origin = termSaliva
	}
	m.bs = biosampleRec{
		ID: bsID, IndividualID: id,
		BiosampleStatus: termReferenceSample, SampleOriginType: termSpecimenFromOrg, SampleOriginDetail: origin,
		CollectionDate: date, CollectionMoment: years(age).ISO8601Duration,
	}

	runDay := collected.AddDate(0, 0, 10+r.IntN(110))
	runID := id + "-RUN"
	strategy, selection, pipeline := "WGS", "RANDOM", "bitbeacon-germline-wgs"
	if r.IntN(100) < 20 {
		strategy, selection, pipeline = "WES", "Hybrid Selection", "bitbeacon-germline-wes"
	}
	m.run = runRec{
		ID: runID, BiosampleID: bsID, IndividualID: id,
		RunDate:       runDay.Format(dateLayout),
		LibraryLayout: "PAIRED", LibrarySelection: selection, LibrarySource: termGenomicSource,
		LibraryStrategy: strategy, Platform: "Illumina", PlatformModel: termNovaSeq6000,
	}
	m.an = analysisRec{
		ID: id + "-AN", RunID: runID, BiosampleID: bsID, IndividualID: id,
		AnalysisDate: runDay.AddDate(0, 0, 1+r.IntN(60)).Format(dateLayout),
		PipelineName: pipeline, Aligner: "bwa-mem2 2.2.1", VariantCaller: "GATK 4.4 HaplotypeCaller",
	}
}

func (g *metaGen) pickDisease(x int) int {
	for i, d := range diseases {
		if x < d.weight {
			return i
		}
		x -= d.weight
	}
	return len(diseases) - 1
}

func contains(s []int, x int) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func years(n int) timeElement {
	return timeElement{"P" + strconv.Itoa(n) + "Y"}
}

// fixed formats v/10^dec with dec decimals, e.g. fixed(2843, 2) = "28.43".
func fixed(v int64, dec int) json.Number {
	b := strconv.AppendInt(nil, v, 10)
	for len(b) <= dec {
		b = append([]byte{'0'}, b...)
	}
	k := len(b) - dec
	out := make([]byte, 0, len(b)+1)
	out = append(out, b[:k]...)
	out = append(out, '.')
	out = append(out, b[k:]...)
	return json.Number(out)
}

func (p *plan) cohort() cohortRec {
	return cohortRec{
		ID:         p.cfg.DatasetID + "_cohort",
		Name:       "bitbeacon synthetic cohort " + p.cfg.DatasetID,
		CohortType: "study-defined",
		CohortSize: p.cfg.Individuals,
		InclusionCriteria: cohortCriteria{
			AgeRange: ageRange{years(minAge), years(maxAge)},
			Genders:  []term{termFemale, termMale},
		},
	}
}

func (p *plan) dataset() datasetRec {
	c := p.cfg
	return datasetRec{
		ID:   c.DatasetID,
		Name: "bitbeacon synthetic dataset " + c.DatasetID,
		Description: "Synthetic population generated by bitbeacon popgen (seed " + strconv.FormatUint(c.Seed, 10) +
			", " + strconv.Itoa(c.Individuals) + " individuals, " + strconv.Itoa(c.Variants) + " variants on " + c.Assembly +
			"). No real person's data: all records and genotypes are random.",
		Version:        "1.0",
		CreateDateTime: datasetTimestamp,
		UpdateDateTime: datasetTimestamp,
		DataUseConditions: dataUseConditions{
			DuoDataUse: []duoTerm{{termGeneralResearchUse, "2021-02-23"}},
		},
	}
}
