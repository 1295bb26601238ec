// Package ingest reads Beacon source files (BFF JSON, VCF, ontologies), normalises
// every record into the shared release schema and publishes them as a new release. Either the
// whole run is published or nothing changes.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bitbeacon/bitbeacon/release"
)

// Options configure one ingest run; the CLI fills them from flags.
type Options struct {
	Out       string // release root (holds CURRENT and releases/)
	DatasetID string // dataset the records belong to; may come from a one-record datasets file
	Assembly  string // assembly of variants that name none
	// EntityOverride, if set, is the entity of every BFF input instead of the one its name
	// says.
	EntityOverride release.Entity
	// Progress receives a progress bar for input files larger than 8 MiB; nil for none.
	Progress io.Writer
	Log      *slog.Logger // nil discards
	// MaxWarnings is how many warnings are logged one by one before the rest are only
	// counted per field; 0 means 20.
	MaxWarnings int
	// SkipBadLines skips VCF lines that cannot be read (counted in the summary) instead of
	// failing the run.
	SkipBadLines bool
}

// Summary is what a run published.
type Summary struct {
	ReleaseID     string
	Records       map[release.Entity]int // records written per entity (variants excluded)
	Variants      int
	OntologyTerms int // terms read from this run's ontology inputs
	// Warnings holds the first maxKeptWarnings warnings; WarningCount counts them all and
	// WarningsByField per field.
	Warnings        []Warning
	WarningCount    int
	WarningsByField map[string]int
	Dir             string // the published release directory
	Elapsed         time.Duration
	// VCF reports each VCF input; BadLines counts the VCF lines skipped (--skip-bad-lines);
	// VCFMerged counts variants found in more than one VCF, written once with all carriers.
	VCF       []VCFSummary
	BadLines  int
	VCFMerged int
}

// maxKeptWarnings bounds Summary.Warnings: a systematic deviation repeats in every record,
// and millions of copies of it would say nothing more than the per-field count.
const maxKeptWarnings = 10000

// source is one classified input.
type source struct {
	path   string
	kind   inputKind
	entity release.Entity // BFF only
}

// rawRecord is a decoded record with where it came from.
type rawRecord struct {
	file  string
	index int
	raw   map[string]any
}

// Run ingests inputs into a new release under opts.Out and publishes it. The datasets of the
// current release are carried over, except the one being ingested, which is replaced whole.
// On any error the new release is discarded and the published one is left as it was.
func Run(ctx context.Context, opts Options, inputs []string) (sum *Summary, err error) {
	began := time.Now()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Out == "" {
		return nil, errors.New("ingest: no output directory")
	}
	if len(inputs) == 0 {
		return nil, errors.New("ingest: no input files")
	}
	if opts.EntityOverride != "" && !opts.EntityOverride.Known() {
		return nil, fmt.Errorf("ingest: unknown entity %q", opts.EntityOverride)
	}
	sources, err := classifyAll(inputs, opts.EntityOverride)
	if err != nil {
		return nil, err
	}
	warns := newWarnSink(opts.MaxWarnings, log)

	// Dataset records are read first: they may name the dataset everything else belongs to.
	var dsRecords []rawRecord
	for _, s := range sources {
		if s.kind == kindBFF && s.entity == release.Dataset {
			err := readBFFFile(s.path, opts.Progress, func(i int, raw map[string]any) error {
				dsRecords = append(dsRecords, rawRecord{s.path, i, raw})
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	datasetID, dsRecords, err := resolveDataset(opts.DatasetID, dsRecords, warns)
	if err != nil {
		return nil, err
	}
	// VCF headers are read now: a VCF whose assembly is unknown fails before any work.
	var vcfs []*vcfFile
	defer func() {
		for _, vf := range vcfs {
			vf.in.Close()
		}
	}()
	for _, s := range sources {
		if s.kind == kindVCF {
			vf, err := prepareVCF(s.path, opts, warns)
			if err != nil {
				return nil, err
			}
			vcfs = append(vcfs, vf)
		}
	}

	w, err := release.Create(opts.Out)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	dw, err := w.Dataset(datasetID, opts.Assembly)
	if err != nil {
		return nil, err
	}
	sum = &Summary{Records: map[release.Entity]int{}}
	st := &runState{opts: opts, ctx: ctx, log: log, dw: dw, datasetID: datasetID, warns: warns, sum: sum, seen: map[release.Entity]map[string]string{}}

	if len(dsRecords) == 0 {
		// Every dataset is listed by /datasets, so one without a datasets file still gets a
		// minimal record.
		dsRecords = []rawRecord{{file: "(synthesised)", raw: map[string]any{"id": datasetID, "name": datasetID}}}
	}
	for _, r := range dsRecords {
		if err := st.record(release.Dataset, r.file, r.index, r.raw); err != nil {
			return nil, err
		}
	}
	// Variant files wait until every biosample is known: the sample list is fixed before
	// the first carrier is written.
	var variantFiles []source
	for _, s := range sources {
		switch {
		case s.kind == kindBFF && s.entity == release.GenomicVariation:
			variantFiles = append(variantFiles, s)
		case s.kind == kindBFF && s.entity != release.Dataset:
			if err := st.file(s); err != nil {
				return nil, err
			}
		case s.kind == kindFilteringTerms:
			if err := st.filteringTerms(s.path); err != nil {
				return nil, err
			}
		case s.kind == kindOntologyOBO || s.kind == kindOntologyGraphs:
			terms, err := ReadOntologyFile(s.path)
			if err != nil {
				return nil, err
			}
			w.AddOntologyTerms(terms)
			sum.OntologyTerms += len(terms)
			log.Info("ontology read", "file", s.path, "terms", len(terms))
		}
	}
	// The sample list carrier bitmaps index: the VCF sample columns matched to the
	// biosamples read above; without VCFs, the biosamples in the order written, so that a
	// BFF carrier numbers as its biosample. Carrier ids not in it are appended as met.
	if len(vcfs) > 0 || len(variantFiles) > 0 {
		samples := st.sampleIDs.order
		if len(vcfs) > 0 {
			if samples, err = st.vcfSamples(vcfs); err != nil {
				return nil, err
			}
		}
		if err := dw.SetSamples(samples); err != nil {
			return nil, err
		}
	}
	for _, s := range variantFiles {
		if err := st.file(s); err != nil {
			return nil, err
		}
	}
	// VCFs last.
	if err := st.ingestVCFs(vcfs, dw.WriteVariant); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := w.Commit()
	if err != nil {
		return nil, err
	}
	warns.finish()
	sum.ReleaseID = m.ReleaseID
	sum.Dir = release.ReleaseDir(opts.Out, m.ReleaseID)
	sum.Warnings, sum.WarningCount, sum.WarningsByField = warns.kept, warns.total, warns.byField
	sum.Elapsed = time.Since(began)
	log.Info("release published", "release", m.ReleaseID, "dataset", datasetID, "records", sum.Records,
		"variants", sum.Variants, "ontologyTerms", sum.OntologyTerms, "warnings", warns.total, "elapsed", sum.Elapsed)
	return sum, nil
}

// isFilteringTermsFile recognises filtering_terms.json (any case, .gz allowed) by name.
func isFilteringTermsFile(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	return strings.HasPrefix(base, "filtering_terms.") || strings.HasPrefix(base, "filteringterms.")
}

// filteringTerms reads a filtering terms file: every entry must be an object with an id.
// The terms a beacon offers are derived from the records at load time, so a declared list
// is only checked; entries that are not objects with an id are reported as warnings.
func (st *runState) filteringTerms(path string) error {
	n := 0
	err := readBFFFile(path, nil, func(i int, raw map[string]any) error {
		if id, ok := raw["id"].(string); !ok || id == "" {
			st.warns.add(path, i, []Warning{{Field: "id", Msg: "filtering term without an id"}})
		}
		n++
		return nil
	})
	if err != nil {
		return err
	}
	st.log.Info("filtering terms file read; the beacon derives its filtering terms from the data, so it is not stored", "file", path, "terms", n)
	return nil
}

// classifyAll classifies every input before anything is read, so a wrong input fails the
// run before any work is done.
func classifyAll(inputs []string, override release.Entity) ([]source, error) {
	var out []source
	for _, p := range inputs {
		k, err := classify(p)
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		s := source{path: p, kind: k}
		switch k {
		case kindBFF:
			s.entity = override
			if s.entity == "" && isFilteringTermsFile(p) {
				s.kind = kindFilteringTerms
				break
			}
			if s.entity == "" {
				if s.entity, err = EntityFromName(p); err != nil {
					return nil, fmt.Errorf("ingest: %w", err)
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// resolveDataset decides the dataset id and which dataset records describe it. Without
// --dataset, a single dataset record names the dataset. With several records, the one with
// the --dataset id is kept; a lone record with another id is kept and renamed (with a
// warning), because it is the description of the dataset being ingested.
func resolveDataset(flag string, recs []rawRecord, warns *warnSink) (string, []rawRecord, error) {
	id := flag
	if id == "" {
		if len(recs) != 1 {
			return "", nil, fmt.Errorf("ingest: --dataset is required (found %d dataset records, need exactly one to take the id from)", len(recs))
		}
		s, ok := recs[0].raw["id"].(string)
		if !ok || strings.TrimSpace(s) == "" {
			return "", nil, &RecordError{File: recs[0].file, Index: recs[0].index, Field: "id", Msg: "missing or not a string; cannot name the dataset (pass --dataset)"}
		}
		return s, recs, nil
	}
	if len(recs) <= 1 {
		return id, recs, nil
	}
	for _, r := range recs {
		if s, _ := r.raw["id"].(string); s == id {
			for _, o := range recs {
				if o.file != r.file || o.index != r.index {
					warns.add(o.file, o.index, []Warning{{Field: "id", Msg: fmt.Sprintf("dataset record %s is not the dataset being ingested (%q); skipped", shortJSON(o.raw["id"]), id)}})
				}
			}
			return id, []rawRecord{r}, nil
		}
	}
	return "", nil, fmt.Errorf("ingest: %s: %d dataset records and none has id %q; ingest one dataset per run", recs[0].file, len(recs), id)
}

// runState carries what the per-file loops share.
type runState struct {
	opts      Options
	ctx       context.Context
	log       *slog.Logger
	dw        *release.DatasetWriter
	datasetID string
	warns     *warnSink
	sum       *Summary
	// seen maps each record id to where it was first seen, per entity: a duplicate id would
	// make /{entity}/{id} ambiguous.
	seen map[release.Entity]map[string]string
	// sampleIDs holds the biosample and individual ids written, to match VCF samples.
	sampleIDs sampleIDs
}

// file streams one BFF file into the dataset.
func (st *runState) file(s source) error {
	start := time.Now()
	n := 0
	err := readBFFFile(s.path, st.opts.Progress, func(i int, raw map[string]any) error {
		if i%1024 == 0 {
			if err := st.ctx.Err(); err != nil {
				return err
			}
		}
		n++
		return st.record(s.entity, s.path, i, raw)
	})
	if err != nil {
		return err
	}
	st.log.Info("file ingested", "file", s.path, "entity", s.entity, "records", n, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// record normalises and writes one record.
func (st *runState) record(e release.Entity, file string, index int, raw map[string]any) error {
	if e == release.GenomicVariation {
		v, ws, err := NormalizeVariant(raw, st.datasetID, st.opts.Assembly)
		if err != nil {
			return locate(err, file, index)
		}
		st.warns.add(file, index, ws)
		if err := st.dw.WriteVariant(v); err != nil {
			return err
		}
		st.sum.Variants++
		return nil
	}
	r, ws, err := NormalizeRecord(e, raw, st.datasetID)
	if err != nil {
		return locate(err, file, index)
	}
	seen := st.seen[e]
	if seen == nil {
		seen = map[string]string{}
		st.seen[e] = seen
	}
	if first, dup := seen[r.ID]; dup {
		return &RecordError{File: file, Index: index, Field: "id", Msg: fmt.Sprintf("duplicate %s id %q (first at %s)", e, r.ID, first)}
	}
	seen[r.ID] = fmt.Sprintf("%s record %d", file, index)
	st.warns.add(file, index, ws)
	if err := st.dw.WriteRecord(e, r); err != nil {
		return err
	}
	st.sampleIDs.note(e, r)
	st.sum.Records[e]++
	return nil
}

// locate fills in the file and record index of an error from Normalize*.
func locate(err error, file string, index int) error {
	var re *RecordError
	if errors.As(err, &re) {
		re.File, re.Index = file, index
		return re
	}
	return fmt.Errorf("%s: record %d: %w", file, index, err)
}

// readBFFFile opens (and if needed decompresses) a BFF file and streams its records.
func readBFFFile(path string, progress io.Writer, fn func(int, map[string]any) error) error {
	in, err := openInput(path, progress)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer in.Close()
	return readBFF(path, in, fn)
}

// warnSink logs the first warnings one by one and counts the rest per field, so that a
// deviation repeated in every record is one line, not a million.
type warnSink struct {
	max     int
	log     *slog.Logger
	printed int
	total   int
	kept    []Warning
	byField map[string]int
	once    map[string]bool
}

func newWarnSink(max int, log *slog.Logger) *warnSink {
	if max <= 0 {
		max = 20
	}
	return &warnSink{max: max, log: log, byField: map[string]int{}, once: map[string]bool{}}
}

func (s *warnSink) add(file string, index int, ws []Warning) {
	for _, w := range ws {
		w.File, w.Index = file, index
		if w.once {
			k := file + "\x00" + w.Field
			if s.once[k] {
				continue
			}
			s.once[k] = true
		}
		s.total++
		s.byField[w.Field]++
		if len(s.kept) < maxKeptWarnings {
			s.kept = append(s.kept, w)
		}
		if s.printed < s.max {
			s.printed++
			s.log.Warn(w.String())
		}
	}
}

// finish logs how many warnings per field were not logged individually.
func (s *warnSink) finish() {
	if s.total <= s.printed {
		return
	}
	fields := make([]string, 0, len(s.byField))
	for f := range s.byField {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	s.log.Warn("more warnings not shown one by one", "shown", s.printed, "total", s.total)
	for _, f := range fields {
		s.log.Warn("warnings by field", "field", f, "count", s.byField[f])
	}
}
