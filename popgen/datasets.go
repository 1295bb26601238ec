package popgen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// Split divides one population into many datasets, as a Beacon of an archive holds them
// (thousands of datasets, each a result set): WriteDatasets writes them.
type Split struct {
	// Datasets is the number of datasets, at least 1.
	Datasets int
	// SharedCohort false splits the individuals into consecutive groups of nearly equal
	// size, one per dataset: each dataset holds its group's records and a VCF of its own
	// samples with the variants they carry (AC, AN and AF of its genotypes). SharedCohort
	// true makes every dataset hold the whole cohort (the same individual and biosample ids,
	// one cohort id) and a consecutive part of the variants, genotyped on every sample:
	// studies of one cohort, each released as its own dataset.
	SharedCohort bool
}

// DatasetFiles are the files of one dataset written by WriteDatasets: ingest them together
// with DatasetID as the dataset.
type DatasetFiles struct {
	DatasetID string
	Dir       string
	// Paths are the metadata BFF (individuals, biosamples, runs, analyses, cohorts,
	// datasets), the ontology and the VCF, in that order.
	Paths []string
	// Individuals and Variants are what the dataset holds (variant lines of its VCF).
	Individuals, Variants int
}

// DatasetID returns the id of dataset k (0-based) of a split of n: c.DatasetID (or the
// default) and the 1-based number, zero padded to the digits of n.
func DatasetID(c Config, k, n int) string {
	base := c.DatasetID
	if base == "" {
		base = DefaultDatasetID
	}
	num := strconv.Itoa(k + 1)
	for len(num) < len(strconv.Itoa(n)) {
		num = "0" + num
	}
	return base + "_" + num
}

// WriteDatasets writes the population of c divided as sp says into dir: one directory per
// dataset, named by its id, with the metadata BFF, the ontology (one file in dir, shared)
// and a BGZF VCF (c.SkipBFFVariants is implied). The same population as WriteBFF and
// WriteVCF of c: the same individuals' records and the same variants and genotypes, split.
// Individual records are the same whichever split; a variant of the shared-cohort split is
// line for line the one WriteVCF writes.
//
// The split of individuals buffers every dataset's VCF text in memory until the variants
// are all drawn (a variant goes to every dataset one of whose samples carries it): about the
// size of the genotype calls of the population's carriers, not of the whole VCF.
func WriteDatasets(dir string, c Config, sp Split) ([]DatasetFiles, error) {
	p, err := newPlan(c)
	if err != nil {
		return nil, err
	}
	n := sp.Datasets
	switch {
	case n < 1:
		return nil, errors.New("popgen: Split.Datasets must be at least 1")
	case !sp.SharedCohort && n > p.cfg.Individuals:
		return nil, fmt.Errorf("popgen: %d datasets of %d individuals: each dataset needs one", n, p.cfg.Individuals)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("popgen: %w", err)
	}
	onto := filepath.Join(dir, OntologyFile)
	if err := writeFile(onto, func(w *bufio.Writer) error { writeOBO(w); return nil }); err != nil {
		return nil, err
	}
	out := make([]DatasetFiles, n)
	for k := range out {
		id := DatasetID(p.cfg, k, n)
		d := &out[k]
		d.DatasetID, d.Dir = id, filepath.Join(dir, id)
		if err := os.MkdirAll(d.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("popgen: %w", err)
		}
		for _, name := range []string{IndividualsFile, BiosamplesFile, RunsFile, AnalysesFile, CohortsFile, DatasetsFile} {
			d.Paths = append(d.Paths, filepath.Join(d.Dir, name))
		}
		d.Paths = append(d.Paths, onto, filepath.Join(d.Dir, VCFFile))
	}
	if err := p.writeSplitMetadata(out, sp); err != nil {
		return nil, err
	}
	if sp.SharedCohort {
		err = p.writeSharedVCFs(out)
	} else {
		err = p.writeSplitVCFs(out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// individualRange is the individuals [lo, hi) of dataset k of n in the split of individuals.
func (p *plan) individualRange(k, n int) (lo, hi int) {
	return k * p.cfg.Individuals / n, (k + 1) * p.cfg.Individuals / n
}

// writeSplitMetadata writes each dataset's individuals (its group, or every one for a shared
// cohort, written once and linked), cohort and dataset records.
func (p *plan) writeSplitMetadata(out []DatasetFiles, sp Split) error {
	n := len(out)
	g := newMetaGen(p)
	enc := newJSONEncoder()
	for k := range out {
		d := &out[k]
		lo, hi := p.individualRange(k, n)
		if sp.SharedCohort {
			lo, hi = 0, p.cfg.Individuals
		}
		d.Individuals = hi - lo
		if sp.SharedCohort && k > 0 {
			for i := range 4 {
				if err := linkOrCopy(out[0].Paths[i], d.Paths[i]); err != nil {
					return err
				}
			}
		} else if err := p.writeMetadataRange(d.Paths[:4], g, enc, lo, hi); err != nil {
			return err
		}
		part := *p
		part.cfg.DatasetID = d.DatasetID
		part.cfg.Individuals = d.Individuals
		cohort := part.cohort()
		if sp.SharedCohort {
			cohort = p.cohort() // one cohort, the same record in every dataset
		}
		if err := writeFile(d.Paths[4], func(w *bufio.Writer) error { return writeArray(w, cohort) }); err != nil {
			return err
		}
		if err := writeFile(d.Paths[5], func(w *bufio.Writer) error { return writeArray(w, part.dataset()) }); err != nil {
			return err
		}
	}
	return nil
}

// writeSharedVCFs writes dataset k's part of the variant stream, [k*V/n, (k+1)*V/n), with
// every sample.
func (p *plan) writeSharedVCFs(out []DatasetFiles) error {
	n := len(out)
	s := newVariantStream(p)
	v := s.next()
	for k := range out {
		d := &out[k]
		hi := (k + 1) * p.cfg.Variants / n
		f, err := createBGZF(d.Paths[len(d.Paths)-1], vcfLevel, runtime.GOMAXPROCS(0))
		if err != nil {
			return err
		}
		w := newVCFWriter(p, d.DatasetID, 0, len(p.samples))
		w.buf = w.appendHeader(make([]byte, 0, vcfChunk+64<<10))
		for i := k * p.cfg.Variants / n; i < hi && v != nil; i++ {
			w.buf = w.appendRecord(w.buf, v)
			d.Variants++
			if len(w.buf) >= vcfChunk {
				if err := w.flush(f, false); err != nil {
					f.abort()
					return err
				}
			}
			v = s.next()
		}
		if err := w.flush(f, true); err != nil {
			f.abort()
			return err
		}
		if err := f.close(); err != nil {
			return err
		}
	}
	return nil
}

// writeSplitVCFs gives each variant to the datasets whose samples carry it, buffering every
// dataset's text, then compresses them one by one.
func (p *plan) writeSplitVCFs(out []DatasetFiles) error {
	n := len(out)
	ws := make([]*vcfWriter, n)
	for k := range out {
		lo, hi := p.individualRange(k, n)
		ws[k] = newVCFWriter(p, out[k].DatasetID, lo, hi)
		ws[k].buf = ws[k].appendHeader(nil)
	}
	s := newVariantStream(p)
	for v := s.next(); v != nil; v = s.next() {
		last := -1
		for _, c := range v.carriers {
			k := p.datasetOf(int(c), n)
			if k == last {
				continue
			}
			last = k
			ws[k].buf = ws[k].appendRecord(ws[k].buf, v)
			out[k].Variants++
		}
	}
	for k, w := range ws {
		f, err := createBGZF(out[k].Paths[len(out[k].Paths)-1], vcfLevel, runtime.GOMAXPROCS(0))
		if err != nil {
			return err
		}
		if err := w.flush(f, true); err != nil {
			f.abort()
			return err
		}
		ws[k] = nil // give the text back
		if err := f.close(); err != nil {
			return err
		}
	}
	return nil
}

// datasetOf is the dataset of n whose individual range holds individual i.
func (p *plan) datasetOf(i, n int) int {
	k := i * n / p.cfg.Individuals // a lower bound: ranges start at k*N/n
	for {
		if _, hi := p.individualRange(k, n); i < hi {
			return k
		}
		k++
	}
}

// linkOrCopy makes dst the same file as src: a hard link, or a copy where links fail.
func linkOrCopy(src, dst string) error {
	os.Remove(dst)
	if os.Link(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("popgen: %w", err)
	}
	defer in.Close()
	o, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("popgen: %w", err)
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return fmt.Errorf("popgen: %w", err)
	}
	if err := o.Close(); err != nil {
		return fmt.Errorf("popgen: %w", err)
	}
	return nil
}
