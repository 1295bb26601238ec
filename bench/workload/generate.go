package workload

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// Kinds lists the query kinds of a mix in report order.
var Kinds = []string{
	"count-filters-1", "count-filters-2", "count-filters-3", "count-filters-4", "count-filters-5",
	"count-alphanumeric",
	"boolean-filters-1",
	"count-sequence", "count-range", "count-bracket", "count-gene",
	"count-mixed",
	"record-page",
	"cross-entry",
	"aggregated",
	"count-frequency",
}

// Options control Generate.
type Options struct {
	Seed uint64
	// PerKind is the number of queries of each kind (default 20).
	PerKind int
	// Dataset restricts the draw to one dataset of the release (default: the first).
	Dataset string
}

// Generate draws a query mix from the current release under root: every query is built
// from one record or variant of the data, so it has at least one answer.
func Generate(root string, opt Options) (*Mix, error) {
	if opt.PerKind <= 0 {
		opt.PerKind = 20
	}
	r, err := release.Open(root)
	if err != nil {
		return nil, err
	}
	m := r.Manifest()
	if len(m.Datasets) == 0 {
		return nil, fmt.Errorf("workload: release %s has no dataset", m.ReleaseID)
	}
	ds := m.Datasets[0]
	if opt.Dataset != "" {
		i := slices.IndexFunc(m.Datasets, func(d release.DatasetEntry) bool { return d.ID == opt.Dataset })
		if i < 0 {
			return nil, fmt.Errorf("workload: release %s has no dataset %q", m.ReleaseID, opt.Dataset)
		}
		ds = m.Datasets[i]
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))
	d, err := readData(r, ds.ID, ds.Assembly, opt.PerKind*8, rng)
	if err != nil {
		return nil, fmt.Errorf("workload: release %s: %w", m.ReleaseID, err)
	}
	g := &generator{d: d, rng: rng}
	mix := &Mix{Seed: int64(opt.Seed), Release: m.ReleaseID}
	for _, kind := range Kinds {
		for i := range opt.PerKind {
			q, ok := g.query(kind)
			if !ok {
				break // the data holds nothing to draw this kind from (e.g. no genes)
			}
			q.Name = fmt.Sprintf("%s/%02d", kind, i)
			q.Kind = kind
			mix.Queries = append(mix.Queries, q)
		}
	}
	return mix, nil
}

// data is what the generator draws from: every individual and biosample, a sample of variants.
type data struct {
	assembly    string
	individuals []subject
	biosamples  []subject
	// termCount counts the individuals holding each term directly.
	termCount map[string]int
	// measures are (assay term, value) pairs of individuals, for alphanumeric filters.
	measures []release.Field
	// concepts are the ontology-term fields of individuals ("sex", "diseases.diseaseCode"),
	// sorted: what aggregated queries name.
	concepts []string
	variants []variant
	parents  map[string][]string
	// samples are the dataset's carrier ids (nil without genotypes); people finds a carrier's
	// individual or biosample by id.
	samples []string
	people  map[string]*subject
}

type subject struct {
	id    string
	terms []string
}

type variant struct {
	chrom      string
	start, end int64
	ref, alt   string
	genes      []string
	carrier    int // the sample index of its first carrier
}

func readData(r *release.Reader, datasetID, assembly string, variantSample int, rng *rand.Rand) (*data, error) {
	d := &data{assembly: assembly, termCount: map[string]int{}, parents: map[string][]string{}}
	concepts := map[string]bool{}
	err := r.ReadRecords(datasetID, release.Individual, func(rec *release.Record) error {
		d.individuals = append(d.individuals, subject{rec.ID, rec.Terms})
		for _, t := range rec.Terms {
			d.termCount[t]++
		}
		for _, f := range rec.Fields {
			if strings.Contains(f.Path, ":") && !strings.Contains(f.Path, ".") {
				d.measures = append(d.measures, f)
			}
			if c, ok := strings.CutSuffix(f.Path, ".id"); ok && c != "" {
				concepts[c] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("individuals: %w", err)
	}
	if len(d.individuals) == 0 {
		return nil, fmt.Errorf("dataset %s has no individuals", datasetID)
	}
	err = r.ReadRecords(datasetID, release.Biosample, func(rec *release.Record) error {
		d.biosamples = append(d.biosamples, subject{rec.ID, rec.Terms})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("biosamples: %w", err)
	}
	for c := range concepts {
		d.concepts = append(d.concepts, c)
	}
	slices.Sort(d.concepts)
	if d.samples, err = r.ReadSamples(datasetID); err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	d.people = make(map[string]*subject, len(d.individuals)+len(d.biosamples))
	for _, ss := range [][]subject{d.biosamples, d.individuals} { // an individual's id wins
		for i := range ss {
			d.people[ss[i].id] = &ss[i]
		}
	}
	// Reservoir sample of the variants with carriers (Vitter's algorithm R), so every
	// variant query has an answer in /g_variants and in the individuals carrying it.
	seen := 0
	err = r.ReadVariants(datasetID, func(v *release.Variant) error {
		if v.CarrierBits == nil || v.CarrierBits.IsEmpty() {
			return nil
		}
		seen++
		x := variant{v.Chrom, v.Start, v.End, v.Ref, v.Alt, v.GeneIDs, int(v.CarrierBits.Minimum())}
		if len(d.variants) < variantSample {
			d.variants = append(d.variants, x)
		} else if j := rng.IntN(seen); j < variantSample {
			d.variants[j] = x
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("variants: %w", err)
	}
	err = r.ReadOntology(func(t *release.OntologyTerm) error {
		d.parents[t.ID] = t.Parents
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ontology: %w", err)
	}
	return d, nil
}

type generator struct {
	d   *data
	rng *rand.Rand
}

// Request parts, marshalled into the Beacon POST body.
type (
	filter struct {
		ID       string `json:"id"`
		Operator string `json:"operator,omitempty"`
		Value    string `json:"value,omitempty"`
	}
	pagination struct {
		Skip  int `json:"skip"` // pages of Limit records
		Limit int `json:"limit"`
	}
	requestQuery struct {
		RequestParameters    map[string]any `json:"requestParameters,omitempty"`
		Filters              []filter       `json:"filters,omitempty"`
		RequestedGranularity string         `json:"requestedGranularity"`
		Aggregators          []string       `json:"aggregators,omitempty"`
		Pagination           *pagination    `json:"pagination,omitempty"`
	}
	requestBody struct {
		Meta  map[string]any `json:"meta"`
		Query requestQuery   `json:"query"`
	}
)

func body(q requestQuery) json.RawMessage {
	b, err := json.Marshal(requestBody{Meta: map[string]any{"apiVersion": "2.0"}, Query: q})
	if err != nil {
		panic(err) // only maps of strings, numbers and slices: cannot fail
	}
	return b
}

func (g *generator) query(kind string) (Query, bool) {
	d, rng := g.d, g.rng
	var (
		path = "/individuals"
		q    = requestQuery{RequestedGranularity: "count"}
	)
	switch kind {
	case "count-filters-1", "count-filters-2", "count-filters-3", "count-filters-4", "count-filters-5":
		n := int(kind[len(kind)-1] - '0')
		fs, ok := g.termFilters(d.individuals, n)
		if !ok {
			return Query{}, false
		}
		q.Filters = fs
	case "count-alphanumeric":
		if len(d.measures) == 0 {
			return Query{}, false
		}
		m := d.measures[rng.IntN(len(d.measures))]
		q.Filters = []filter{{ID: m.Path, Operator: []string{">=", "<=", "="}[rng.IntN(3)], Value: m.Value}}
	case "boolean-filters-1":
		subjects := d.individuals
		if rng.IntN(2) == 1 && len(d.biosamples) > 0 {
			path, subjects = "/biosamples", d.biosamples
		}
		fs, ok := g.termFilters(subjects, 1)
		if !ok {
			return Query{}, false
		}
		q.Filters, q.RequestedGranularity = fs, "boolean"
	case "count-sequence":
		v, ok := g.pickVariant(func(v *variant) bool { return !strings.HasPrefix(v.alt, "<") && v.ref != "" && v.alt != "" })
		if !ok {
			return Query{}, false
		}
		path = "/g_variants"
		q.RequestParameters = g.params(v.chrom, map[string]any{
			"start": []int64{v.start}, "referenceBases": v.ref, "alternateBases": v.alt,
		})
	case "count-range":
		v, ok := g.pickVariant(nil)
		if !ok {
			return Query{}, false
		}
		w := []int64{1_000, 10_000, 100_000}[rng.IntN(3)]
		lo := max(0, v.start-rng.Int64N(w))
		path = "/g_variants"
		q.RequestParameters = g.params(v.chrom, map[string]any{"start": []int64{lo}, "end": []int64{lo + w}})
	case "count-bracket":
		v, ok := g.pickVariant(nil)
		if !ok {
			return Query{}, false
		}
		path = "/g_variants"
		q.RequestParameters = g.params(v.chrom, map[string]any{
			"start": []int64{max(0, v.start-500), v.start + 500},
			"end":   []int64{max(0, v.end-500), v.end + 500},
		})
	case "count-gene":
		v, ok := g.pickVariant(func(v *variant) bool { return len(v.genes) > 0 })
		if !ok {
			return Query{}, false
		}
		path = "/g_variants"
		q.RequestParameters = map[string]any{"geneId": v.genes[rng.IntN(len(v.genes))]}
	case "count-mixed":
		v, ok := g.pickVariant(nil)
		if !ok {
			return Query{}, false
		}
		fs, ok := g.termFilters(d.individuals, 1+rng.IntN(2))
		if !ok {
			return Query{}, false
		}
		lo := max(0, v.start-50_000)
		q.RequestParameters = g.params(v.chrom, map[string]any{"start": []int64{lo}, "end": []int64{lo + 1_000_000}})
		q.Filters = fs
	case "record-page":
		s := d.individuals[rng.IntN(len(d.individuals))]
		if len(s.terms) == 0 {
			return Query{}, false
		}
		t := s.terms[rng.IntN(len(s.terms))]
		// The term's direct holders alone fill this many pages; descendants only add rows.
		// skip counts pages, as the spec and bitbeacon's default configuration have it.
		pages := (d.termCount[t] + 9) / 10
		q.Filters = []filter{{ID: t}}
		q.RequestedGranularity = "record"
		q.Pagination = &pagination{Skip: rng.IntN(max(1, min(pages, 20))), Limit: 10}
	case "cross-entry":
		s := d.individuals[rng.IntN(len(d.individuals))]
		path = "/individuals/" + url.PathEscape(s.id) + "/g_variants"
	case "aggregated":
		// The distribution of one to three concepts over every individual or, half of the
		// time, over the holders of one term (a cohort statistic, answered from bitmaps).
		if len(d.concepts) == 0 {
			return Query{}, false
		}
		for _, i := range rng.Perm(len(d.concepts))[:1+rng.IntN(min(3, len(d.concepts)))] {
			q.Aggregators = append(q.Aggregators, d.concepts[i])
		}
		q.RequestedGranularity = "aggregated"
		if rng.IntN(2) == 1 {
			fs, ok := g.termFilters(d.individuals, 1)
			if !ok {
				return Query{}, false
			}
			q.Filters = fs
		}
	case "count-frequency":
		// One allele among the people holding one or two terms of one of its carriers: a
		// count of one variant, which carries its frequency in the dataset and in them.
		v, ok := g.pickVariant(func(v *variant) bool {
			return !strings.HasPrefix(v.alt, "<") && v.ref != "" && v.alt != "" && len(g.carrierTerms(v)) > 0
		})
		if !ok {
			return Query{}, false
		}
		terms := g.carrierTerms(v)
		for _, i := range rng.Perm(len(terms))[:1+rng.IntN(min(2, len(terms)))] {
			q.Filters = append(q.Filters, filter{ID: terms[i]})
		}
		path = "/g_variants"
		q.RequestParameters = g.params(v.chrom, map[string]any{
			"start": []int64{v.start}, "referenceBases": v.ref, "alternateBases": v.alt,
		})
	default:
		panic("workload: unknown kind " + kind)
	}
	return Query{Path: path, Body: body(q), Granularity: q.RequestedGranularity}, true
}

// carrierTerms returns the terms of v's first carrier (the individual or biosample its
// sample id names), nil when the dataset has no samples or the carrier no record.
func (g *generator) carrierTerms(v *variant) []string {
	if v.carrier < 0 || v.carrier >= len(g.d.samples) {
		return nil
	}
	if s := g.d.people[g.d.samples[v.carrier]]; s != nil {
		return s.terms
	}
	return nil
}

// params adds the assembly and chromosome to variant request parameters.
func (g *generator) params(chrom string, p map[string]any) map[string]any {
	p["referenceName"] = chrom
	if g.d.assembly != "" {
		p["assemblyId"] = g.d.assembly
	}
	return p
}

// termFilters draws n distinct terms held together by one subject; each is replaced by one
// of its ontology parents with probability 1/3, so parent-term queries (answered with every
// descendant) are part of the mix. The subject still matches, so the answer is not empty.
func (g *generator) termFilters(subjects []subject, n int) ([]filter, bool) {
	for range 100 {
		s := subjects[g.rng.IntN(len(subjects))]
		if len(s.terms) < n {
			continue
		}
		var fs []filter
		for _, i := range g.rng.Perm(len(s.terms))[:n] {
			t := s.terms[i]
			if ps := g.d.parents[t]; len(ps) > 0 && g.rng.IntN(3) == 0 {
				t = ps[g.rng.IntN(len(ps))]
			}
			if !slices.ContainsFunc(fs, func(f filter) bool { return f.ID == t }) {
				fs = append(fs, filter{ID: t})
			}
		}
		if len(fs) < n {
			continue // two terms gave the same parent: draw again
		}
		return fs, true
	}
	return nil, false
}

// pickVariant draws a sampled variant that ok accepts (any when ok is nil).
func (g *generator) pickVariant(ok func(*variant) bool) (*variant, bool) {
	vs := g.d.variants
	if len(vs) == 0 {
		return nil, false
	}
	start := g.rng.IntN(len(vs))
	for i := range vs {
		v := &vs[(start+i)%len(vs)]
		if ok == nil || ok(v) {
			return v, true
		}
	}
	return nil, false
}
