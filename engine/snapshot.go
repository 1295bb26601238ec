package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// Snapshot is one loaded release: immutable after Open, safe for any number of concurrent
// queries. A new release is loaded as a new Snapshot and swapped in by Engine.
type Snapshot struct {
	ReleaseID string
	Dir       string
	LoadedAt  time.Time
	Manifest  *release.Manifest

	datasets     []DatasetInfo
	datasetIndex map[string]uint16
	everyDataset []uint16 // 0, 1, … len(datasets)-1: the datasets of a query naming none

	tables   map[release.Entity]*table
	variants *variantTable
	onto     *index.Ontology
	labels   map[string]string // term id → label, from the ontologies and the records
	// biosamplesOfIndividual lists the biosample rows of each individual row.
	biosamplesOfIndividual [][]uint32

	// mapping holds the index files the snapshot's arrays point into; nil when built from
	// Parquet (see mapping.go for when it is unmapped). spilled holds the spill files of a
	// build from Parquet (spill.go).
	mapping *mapping
	spilled *mapping

	// cohort is what allele frequencies read of the samples, built when first asked
	// (frequency.go).
	cohortOnce sync.Once
	cohort     *cohorts
	// aggTerms is the catalog of aggregation concepts, built when first asked (aggregate.go).
	aggOnce  sync.Once
	aggTerms []AggregationTerm
	// perBiosample and perVariant are the mean carried variants of a biosample and carriers
	// of a variant, counted when a plan's cost is first estimated (plancost.go).
	callsOnce                sync.Once
	perBiosample, perVariant int64
}

// DatasetInfo describes one dataset of the release.
type DatasetInfo struct {
	ID       string
	Assembly string
}

// Open loads the current release under dir. It maps the release's index files when they
// match the release (see indexload.go); otherwise it opens its index partitions when there
// are any (partitionset.go: all of them, or an error); otherwise it logs why, verifies the
// release's files (see release.Open) and builds every index from them.
func Open(dir string, opts Options) (*Snapshot, error) {
	r, err := release.OpenUnverified(dir)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	s, err := openIndexed(r)
	if err == nil {
		opts.log().Debug("engine: loaded from index files", "release", s.ReleaseID, "took", time.Since(start))
		return s, nil
	}
	// A partitioned index is used whole or not at all: a missing or damaged partition fails
	// the open (a server keeps its release) instead of a build from Parquet in the server.
	ps, perr := openPartitions(r, opts)
	if perr == nil {
		opts.log().Info("engine: loaded from index partitions", "release", ps.ReleaseID, "took", time.Since(start))
		return ps, nil
	}
	if !errors.Is(perr, errNoPartitions) {
		return nil, perr
	}
	opts.log().Info("engine: building from Parquet", "release", r.Manifest().ReleaseID, "reason", "index files not used: "+err.Error())
	if err := r.Verify(); err != nil {
		return nil, err
	}
	return load(r, opts)
}

// newSnapshot returns a snapshot of r's release with its datasets and no tables.
func newSnapshot(r *release.Reader) (*Snapshot, error) {
	m := r.Manifest()
	s := &Snapshot{
		ReleaseID:    m.ReleaseID,
		Dir:          r.Dir(),
		LoadedAt:     time.Now(),
		Manifest:     m,
		datasetIndex: map[string]uint16{},
		tables:       map[release.Entity]*table{},
		labels:       map[string]string{},
	}
	if len(m.Datasets) > maxDatasets {
		return nil, fmt.Errorf("release %s: too many datasets (%d)", m.ReleaseID, len(m.Datasets))
	}
	for i, d := range m.Datasets {
		s.datasets = append(s.datasets, DatasetInfo{ID: d.ID, Assembly: d.Assembly})
		s.datasetIndex[d.ID] = uint16(i)
		s.everyDataset = append(s.everyDataset, uint16(i))
	}
	return s, nil
}

// load builds the snapshot of r's release from its Parquet files, spilling the large parts
// of the variant table to files in opts.SpillDir.
func load(r *release.Reader, opts Options) (*Snapshot, error) {
	return loadPart(r, opts, nil)
}

// partRead restricts a build to the variants of one partition of a plan (partition.go).
type partRead struct {
	plan *PartitionPlan
	k    int
}

// loadPart is load of every table but the variants' whole and of only part's variants (all
// of them when part is nil).
func loadPart(r *release.Reader, opts Options, part *partRead) (*Snapshot, error) {
	m := r.Manifest()
	s, err := newSnapshot(r)
	if err != nil {
		return nil, err
	}
	s.spilled = &mapping{}
	unmapWhenUnreachable(s, s.spilled)

	var terms []index.TermParents
	err = r.ReadOntology(func(t *release.OntologyTerm) error {
		terms = append(terms, index.TermParents{ID: t.ID, Parents: t.Parents})
		if t.Label != "" {
			s.labels[t.ID] = t.Label
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("release %s: ontology: %w", m.ReleaseID, err)
	}
	terms = s.addBuiltinTerms(terms)
	s.onto = index.NewOntology(terms)

	builders := map[release.Entity]*tableBuilder{}
	samples := make([][]string, len(m.Datasets))
	nVariants := 0
	for di, d := range m.Datasets {
		if samples[di], err = r.ReadSamples(d.ID); err != nil {
			return nil, fmt.Errorf("release %s: dataset %s: samples: %w", m.ReleaseID, d.ID, err)
		}
		nVariants += int(d.Rows[release.GenomicVariation])
		for _, e := range release.Entities {
			if e == release.GenomicVariation {
				continue
			}
			b := builders[e]
			if b == nil {
				b = newTableBuilder(e)
				builders[e] = b
			}
			err := r.ReadRecords(d.ID, e, func(rec *release.Record) error {
				b.add(rec, uint16(di))
				s.collectLabels(rec)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("release %s: dataset %s: %s: %w", m.ReleaseID, d.ID, e, err)
			}
		}
	}
	for e, b := range builders {
		if s.tables[e], err = b.build(s.onto, len(s.datasets)); err != nil {
			return nil, err
		}
	}
	bios := s.tables[release.Biosample]
	spaces := newSampleSpaces(samples, bios)
	if part != nil {
		nVariants = int(part.plan.Variants[part.k])
	}
	if s.variants, err = s.buildVariants(r, nVariants, bios, spaces, opts, part); err != nil {
		return nil, err
	}
	s.tables[release.GenomicVariation] = s.variants.table
	for _, t := range s.tables {
		t.resolveLinks(s.tables)
	}
	s.resolveHubs()
	s.indexBiosamplesOfIndividuals()
	return s, nil
}

// addBuiltinTerms adds the vocabularies the server ships (the GENO zygosity branch,
// release.ZygosityHierarchy) to the release's ontology terms, so that their parent terms
// work with no ontology file; a file's terms merge with them (their parents add up) and its
// labels win.
func (s *Snapshot) addBuiltinTerms(terms []index.TermParents) []index.TermParents {
	for _, t := range release.ZygosityHierarchy() {
		terms = append(terms, index.TermParents{ID: t.ID, Parents: t.Parents})
		if _, ok := s.labels[t.ID]; !ok {
			s.labels[t.ID] = t.Label
		}
	}
	return terms
}

// buildVariants streams the variants of every dataset into the variant table. Variants
// written in row order (a VCF sorted by position, one dataset with variants) are built as
// they are read, holding nothing of a variant but its copy in the table; otherwise they are
// all read, sorted and built, which holds every variant in memory at once.
//
// A VCF sorted by position is in row order but for variants starting at the same position,
// where a long one (a structural variant, a deletion) may come before a shorter one: the
// variants of one start are held until the next start and added sorted, as the full sort
// would order them (stably: dataset, then file order).
func (s *Snapshot) buildVariants(r *release.Reader, n int, bios *table, spaces []*sampleSpace, opts Options, part *partRead) (*variantTable, error) {
	m := r.Manifest()
	read := func(fn func(v *release.Variant, di uint16) error) error {
		for di, d := range m.Datasets {
			var err error
			if part == nil {
				err = r.ReadVariants(d.ID, func(v *release.Variant) error { return fn(v, uint16(di)) })
			} else {
				// Only the row groups holding the partition's variants, and of those only its own.
				err = r.ReadVariantRowGroups(d.ID, part.plan.rowGroups[part.k][di], func(v *release.Variant) error {
					if part.plan.partitionOfVariant(v.Assembly, v.Chrom, v.Start) != part.k {
						return nil
					}
					return fn(v, uint16(di))
				})
			}
			if err != nil {
				if errors.Is(err, errUnsorted) {
					return err
				}
				return fmt.Errorf("release %s: dataset %s: variants: %w", m.ReleaseID, d.ID, err)
			}
		}
		return nil
	}
	vb := newVariantBuilder(n, bios, spaces, newSpiller(opts.SpillDir, s.spilled))
	var group []pendingVariant // the variants of one start, in the order read
	addGroup := func() error {
		slices.SortStableFunc(group, func(a, b pendingVariant) int { return compareVariants(a.v, b.v) })
		for _, p := range group {
			if err := vb.add(p.v, p.dataset); err != nil {
				return err
			}
		}
		clear(group) // nor keep their batches alive
		group = group[:0]
		return nil
	}
	err := read(func(v *release.Variant, di uint16) error {
		s.variantLabels(v)
		if len(group) > 0 && !sameStart(group[0].v, v) {
			if err := addGroup(); err != nil {
				return err
			}
		}
		group = append(group, pendingVariant{v: v, dataset: di})
		return nil
	})
	if err == nil {
		err = addGroup()
	}
	if errors.Is(err, errUnsorted) {
		opts.log().Info("engine: variants not in (assembly, chromosome, start) order: reading all of them before building", "release", m.ReleaseID)
		vb.sp.abort()
		var pending []pendingVariant
		err = read(func(v *release.Variant, di uint16) error {
			pending = append(pending, pendingVariant{v: v, dataset: di})
			s.variantLabels(v)
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(pending, func(a, b pendingVariant) int { return compareVariants(a.v, b.v) })
		vb = newVariantBuilder(len(pending), bios, spaces, newSpiller(opts.SpillDir, s.spilled))
		for _, p := range pending {
			if err := vb.add(p.v, p.dataset); err != nil {
				return nil, err
			}
		}
	}
	if err != nil {
		vb.sp.abort()
		return nil, err
	}
	return vb.build(s.onto, len(s.datasets))
}

// sameStart reports whether a and b start at the same position of the same sequence.
func sameStart(a, b *release.Variant) bool {
	return a.Start == b.Start && a.Chrom == b.Chrom && a.Assembly == b.Assembly
}

// pendingVariant is a variant read from the release with its dataset, before sorting.
type pendingVariant struct {
	v       *release.Variant
	dataset uint16
}

// variantLabels learns the labels of a variant's terms and zygosities. Zygosity labels come
// first: caseLevelData, where the record walk would find them, is mostly not in the stored
// record.
func (s *Snapshot) variantLabels(v *release.Variant) {
	for _, z := range v.Zygosity {
		if _, ok := s.labels[z.ID]; !ok && z.Label != "" {
			s.labels[strings.Clone(z.ID)] = strings.Clone(z.Label)
		}
	}
	s.collectLabels(&v.Record)
}

// indexBiosamplesOfIndividuals inverts biosample → individual for the query planner.
func (s *Snapshot) indexBiosamplesOfIndividuals() {
	ind, bios := s.tables[release.Individual], s.tables[release.Biosample]
	if ind == nil || bios == nil {
		return
	}
	s.biosamplesOfIndividual = make([][]uint32, ind.n)
	for b, i := range bios.indOf {
		if i >= 0 {
			s.biosamplesOfIndividual[i] = append(s.biosamplesOfIndividual[i], uint32(b))
		}
	}
}

// collectLabels learns the labels of the record's terms that have none yet. Terms repeat a
// lot across records, so after the first few records hardly any record is parsed.
func (s *Snapshot) collectLabels(r *release.Record) {
	missing := false
	for _, t := range r.Terms {
		if _, ok := s.labels[t]; !ok {
			missing = true
			break
		}
	}
	if !missing {
		return
	}
	var doc any
	if json.Unmarshal(r.JSON, &doc) != nil {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["id"].(string); ok {
				if label, ok := x["label"].(string); ok && label != "" {
					if _, seen := s.labels[id]; !seen {
						s.labels[id] = label
					}
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
}

// Datasets lists the datasets of the release in manifest order.
func (s *Snapshot) Datasets() []DatasetInfo { return s.datasets }

// Count returns the number of records of an entity type in the release.
func (s *Snapshot) Count(e release.Entity) int {
	if t := s.tables[e]; t != nil {
		return int(t.n)
	}
	return 0
}

// Label returns the label of an ontology term, or "". An effect id the records do not
// name (indexed as the equivalent of one they do) is labelled by its consequence name.
func (s *Snapshot) Label(term string) string {
	if l, ok := s.labels[term]; ok {
		return l
	}
	return release.EffectLabel(term)
}

// HasDataset reports whether the release holds a dataset with this id.
func (s *Snapshot) HasDataset(id string) bool {
	_, ok := s.datasetIndex[id]
	return ok
}

// CohortDatasets returns the datasets that hold a cohort with this id.
func (s *Snapshot) CohortDatasets(id string) []string {
	t := s.tables[release.Cohort]
	if t == nil {
		return nil
	}
	var out []string
	for _, r := range t.rowsOf(id) {
		out = append(out, s.datasets[t.dataset[r]].ID)
	}
	return out
}
