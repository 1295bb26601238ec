// Package popgen generates a deterministic synthetic population: individuals
// with their biosamples, sequencing runs and analyses, one cohort, one
// dataset, germline variants with per-sample genotypes, and the small
// disease/phenotype ontology the individuals are coded with.
//
// It serves the server's built-in demo dataset (Demo) and the benchmark
// suite. Output is Beacon-Friendly Format (BFF): one JSON array per entry
// type, every record valid against the Beacon v2 default-model schema
// (WriteBFF); the variants and genotypes can also be written as a
// multi-sample BGZF VCF of the same population (WriteVCF), e.g. with the
// metadata BFF alone (Config.SkipBFFVariants).
//
// All randomness comes from math/rand/v2 PCG streams seeded from
// Config.Seed, and the generator uses only integer arithmetic and correctly
// rounded floating-point operations (no math.Log/Exp/Pow, no fused
// multiply-add), so the same Config yields byte-identical files on every
// platform.
//
// The population model, in brief: sex is 50/50; each variant draws a
// population allele frequency p from a skewed spectrum (80% rare, p < 1%;
// 12% low-frequency, 1-5%; 8% common, 5-90%), then each sample's genotype
// under Hardy-Weinberg (het 2pq, hom p²; X in males: hemizygous with
// probability p). The allele frequency written is the one observed in the
// generated genotypes, and every variant has at least one carrier.
package popgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Defaults applied by WriteBFF to zero fields of Config.
const (
	DefaultDatasetID = "bitbeacon_demo"
	DefaultAssembly  = "GRCh38"
)

// defaultChromosomes is the Chromosomes default.
var defaultChromosomes = []string{"1", "2", "22", "X"}

// Config describes a synthetic population. The zero value of DatasetID,
// Chromosomes and Assembly means the default.
type Config struct {
	Seed        uint64
	DatasetID   string   // default "bitbeacon_demo"
	Individuals int      // samples; one biosample, one run, one analysis each
	Variants    int      // total over all chromosomes
	Chromosomes []string // default {"1","2","22","X"}; "chr" prefix accepted
	Assembly    string   // default "GRCh38", the only one supported
	// SkipBFFVariants makes WriteBFF leave out genomicVariations.json (the
	// bulk of the output at scale: about 10 GB for 10^6 variants x 2,504
	// samples), e.g. when the variants go to a VCF written by WriteVCF.
	// It does not change any other file.
	SkipBFFVariants bool
}

// Demo returns the configuration of the server's built-in demo dataset.
func Demo() Config {
	return Config{
		Seed:        1,
		DatasetID:   DefaultDatasetID,
		Individuals: 500,
		Variants:    2000,
		Chromosomes: slices.Clone(defaultChromosomes),
		Assembly:    DefaultAssembly,
	}
}

// File names written by WriteBFF, in the order of Files.Paths.
const (
	IndividualsFile       = "individuals.json"
	BiosamplesFile        = "biosamples.json"
	RunsFile              = "runs.json"
	AnalysesFile          = "analyses.json"
	CohortsFile           = "cohorts.json"
	DatasetsFile          = "datasets.json"
	GenomicVariationsFile = "genomicVariations.json"
	OntologyFile          = "ontology.obo"
)

// Files lists the files written into Dir.
type Files struct {
	Dir string
	// Paths are absolute or relative as Dir is, in the File* order;
	// GenomicVariationsFile is left out with Config.SkipBFFVariants.
	Paths []string
}

// Random stream identifiers: each part of the population has its own PCG
// stream, so e.g. the metadata do not change when Variants changes.
const (
	streamSex  = 1
	streamMeta = 2
	// Variants of chromosome c use stream streamVariants + c.order.
	streamVariants = 100
)

// pcgIncrement is XORed into the seed to form the PCG's second word.
const pcgIncrement = 0xB17BEAC0_5EED_2025

// newRand returns the random source of one stream.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(newPCG(seed, stream))
}

func newPCG(seed, stream uint64) *rand.PCG {
	return rand.NewPCG(seed, seed^pcgIncrement^(stream*0x9E3779B97F4A7C15))
}

// plan is a validated Config with the tables shared by the generators.
type plan struct {
	cfg      Config
	chroms   []chromosome // karyotypic order
	counts   []int        // variants per chromosome
	samples  []sample
	idWidth  int
	xAlleles int // X-chromosome alleles in the population
}

func newPlan(c Config) (*plan, error) {
	if c.DatasetID == "" {
		c.DatasetID = DefaultDatasetID
	}
	if c.Assembly == "" {
		c.Assembly = DefaultAssembly
	}
	if len(c.Chromosomes) == 0 {
		c.Chromosomes = defaultChromosomes
	}
	c.Chromosomes = slices.Clone(c.Chromosomes)
	if c.Assembly != DefaultAssembly {
		return nil, fmt.Errorf("popgen: unsupported assembly %q (only %s)", c.Assembly, DefaultAssembly)
	}
	if c.Individuals < 1 {
		return nil, errors.New("popgen: Individuals must be at least 1")
	}
	if c.Variants < 0 {
		return nil, errors.New("popgen: Variants must not be negative")
	}
	p := &plan{cfg: c}
	for _, name := range c.Chromosomes {
		ch, err := lookupChromosome(name)
		if err != nil {
			return nil, err
		}
		for _, o := range p.chroms {
			if o.order == ch.order {
				return nil, fmt.Errorf("popgen: chromosome %q listed twice", name)
			}
		}
		p.chroms = append(p.chroms, ch)
	}
	slices.SortFunc(p.chroms, func(a, b chromosome) int { return a.order - b.order })

	// Split the variants over the chromosomes in proportion to their length
	// (largest remainder, ties to the earlier chromosome).
	var total int64
	for _, ch := range p.chroms {
		total += ch.length
	}
	n := int64(c.Variants)
	p.counts = make([]int, len(p.chroms))
	rem := make([]int64, len(p.chroms))
	left := n
	for i, ch := range p.chroms {
		p.counts[i] = int(n * ch.length / total)
		rem[i] = n * ch.length % total
		left -= int64(p.counts[i])
	}
	for ; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		p.counts[best]++
		rem[best] = -1
	}
	for i, ch := range p.chroms {
		if int64(p.counts[i]) > ch.length/minBasesPerVariant {
			return nil, fmt.Errorf("popgen: %d variants on chromosome %s exceed one per %d bases", p.counts[i], ch.name, minBasesPerVariant)
		}
	}

	p.samples = drawSamples(c.Seed, c.Individuals)
	for _, s := range p.samples {
		p.xAlleles += int(s.xCopies)
	}
	p.idWidth = max(4, len(strconv.Itoa(c.Individuals)))
	return p, nil
}

// minBasesPerVariant bounds the variant density of a chromosome.
const minBasesPerVariant = 16

// individualID returns the id of individual i (0-based): "DEMO" and the
// 1-based number, zero padded to at least 4 digits.
func (p *plan) individualID(i int) string {
	return string(p.appendIndividualID(nil, i))
}

func (p *plan) appendIndividualID(b []byte, i int) []byte {
	b = append(b, "DEMO"...)
	var num [20]byte
	d := strconv.AppendInt(num[:0], int64(i+1), 10)
	for k := len(d); k < p.idWidth; k++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// WriteBFF writes the population described by c into dir (created if
// needed) as BFF JSON arrays, one record per line, plus ontology.obo:
//
//	individuals.json, biosamples.json, runs.json, analyses.json,
//	cohorts.json, datasets.json, genomicVariations.json, ontology.obo
//
// With c.SkipBFFVariants, genomicVariations.json is not written (a stale
// one in dir is removed, so dir never mixes two populations) and not listed
// in Files.Paths.
//
// Records are streamed; memory does not grow with Variants. The same Config
// always produces byte-identical files. On error, dir may hold partial
// files.
func WriteBFF(dir string, c Config) (Files, error) {
	p, err := newPlan(c)
	if err != nil {
		return Files{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, fmt.Errorf("popgen: %w", err)
	}
	names := []string{IndividualsFile, BiosamplesFile, RunsFile, AnalysesFile, CohortsFile, DatasetsFile, GenomicVariationsFile, OntologyFile}
	files := Files{Dir: dir}
	for _, n := range names {
		files.Paths = append(files.Paths, filepath.Join(dir, n))
	}
	if err := p.writeMetadata(files.Paths[:4]); err != nil {
		return Files{}, err
	}
	if err := writeFile(files.Paths[4], func(w *bufio.Writer) error {
		return writeArray(w, p.cohort())
	}); err != nil {
		return Files{}, err
	}
	if err := writeFile(files.Paths[5], func(w *bufio.Writer) error {
		return writeArray(w, p.dataset())
	}); err != nil {
		return Files{}, err
	}
	if c.SkipBFFVariants {
		if err := os.Remove(files.Paths[6]); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Files{}, fmt.Errorf("popgen: %w", err)
		}
	} else if err := writeFile(files.Paths[6], p.writeVariants); err != nil {
		return Files{}, err
	}
	if err := writeFile(files.Paths[7], func(w *bufio.Writer) error { writeOBO(w); return nil }); err != nil {
		return Files{}, err
	}
	if c.SkipBFFVariants {
		files.Paths = slices.Delete(files.Paths, 6, 7)
	}
	return files, nil
}

// writeFile creates path and runs fill with a buffered writer on it.
func writeFile(path string, fill func(*bufio.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("popgen: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("popgen: %w", cerr)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fill(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("popgen: writing %s: %w", path, err)
	}
	return nil
}

// arrayWriter frames records as a JSON array with one record per line.
type arrayWriter struct {
	w *bufio.Writer
	n int
}

func (a *arrayWriter) begin() { a.w.WriteString("[\n") }

func (a *arrayWriter) record(b []byte) {
	if a.n > 0 {
		a.w.WriteString(",\n")
	}
	a.w.Write(b)
	a.n++
}

func (a *arrayWriter) end() {
	if a.n > 0 {
		a.w.WriteByte('\n')
	}
	a.w.WriteString("]\n")
}

// jsonEncoder marshals small records into a reused buffer, without HTML
// escaping.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONEncoder() *jsonEncoder {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// encode returns v's JSON, valid until the next call.
func (e *jsonEncoder) encode(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, fmt.Errorf("popgen: %w", err)
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte{'\n'}), nil
}

// writeArray writes a one-record array.
func writeArray(w *bufio.Writer, rec any) error {
	b, err := newJSONEncoder().encode(rec)
	if err != nil {
		return err
	}
	a := arrayWriter{w: w}
	a.begin()
	a.record(b)
	a.end()
	return nil
}

// writeMetadata writes individuals, biosamples, runs and analyses in one
// pass over the individuals.
func (p *plan) writeMetadata(paths []string) error {
	return p.writeMetadataRange(paths, newMetaGen(p), newJSONEncoder(), 0, p.cfg.Individuals)
}

// writeMetadataRange writes the records of individuals [lo, hi) to the four
// files. g draws the individuals in order: it must have drawn lo of them.
func (p *plan) writeMetadataRange(paths []string, g *metaGen, enc *jsonEncoder, lo, hi int) (err error) {
	var fs [4]*os.File
	var ws [4]arrayWriter
	defer func() {
		for _, f := range fs {
			if f == nil {
				continue
			}
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("popgen: %w", cerr)
			}
		}
	}()
	for i, path := range paths {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("popgen: %w", err)
		}
		fs[i] = f
		ws[i] = arrayWriter{w: bufio.NewWriterSize(f, 256<<10)}
		ws[i].begin()
	}
	var m metaRecords
	recs := [4]any{&m.ind, &m.bs, &m.run, &m.an}
	for i := lo; i < hi; i++ {
		g.next(i, &m)
		for k, rec := range recs {
			b, err := enc.encode(rec)
			if err != nil {
				return err
			}
			ws[k].record(b)
		}
	}
	for i := range ws {
		ws[i].end()
		if err := ws[i].w.Flush(); err != nil {
			return fmt.Errorf("popgen: writing %s: %w", paths[i], err)
		}
	}
	return nil
}
