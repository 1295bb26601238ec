package suite

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/bench/workload"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/popgen"
)

// ScaleResult is everything measured at one scale.
type ScaleResult struct {
	Scale    Scale         `json:"scale"`
	Generate time.Duration `json:"generateNs"`
	// GenerateReused says the VCF was kept from an earlier run (--keep) with the same
	// configuration; Generate is then zero.
	GenerateReused bool         `json:"generateReused,omitempty"`
	VCFBytes       int64        `json:"vcfBytes"`
	Ingest         IngestResult `json:"ingest"`
	Load           LoadResult   `json:"load"`
	// Queries is the size of the mix; Engine the in-process figures per kind.
	Queries int                   `json:"queries"`
	Engine  map[string]EngineKind `json:"engine"`
	HTTP    []HTTPLevel           `json:"http"`
	Compare *CompareResult        `json:"compare,omitempty"`
	// ServeLimit is the release served by bitbeacon serve in a memory cgroup
	// (Config.ServeMemoryLimit); ServeLimitSkipped says why it was not measured.
	ServeLimit        *ServeLimitResult      `json:"serveLimit,omitempty"`
	ServeLimitSkipped string                 `json:"serveLimitSkipped,omitempty"`
	Answers           map[string]AnswerCheck `json:"answers,omitempty"`
	// DatasetsIngest is the ingest of a scale of many datasets, one run per dataset;
	// DatasetRequests the in-process figures of the requests whose work may follow the
	// number of datasets (datasets.go), at every scale.
	DatasetsIngest  *DatasetsIngest       `json:"datasetsIngest,omitempty"`
	DatasetRequests map[string]EngineKind `json:"datasetRequests,omitempty"`

	// ReleaseGiven is Config.Release when the scale queried a release built elsewhere: then
	// nothing was generated, ingested, loaded from Parquet or indexed in this run.
	ReleaseGiven string `json:"releaseGiven,omitempty"`

	Failures []string `json:"failures,omitempty"`
}

// IngestResult is `bitbeacon ingest` of the generated files against zcat of the same VCF.
type IngestResult struct {
	Elapsed      time.Duration `json:"elapsedNs"`
	Lines        int           `json:"lines"`
	Calls        int64         `json:"calls"`
	LinesPerSec  float64       `json:"linesPerSec"`
	CallsPerSec  float64       `json:"callsPerSec"`
	BytesWritten int64         `json:"bytesWritten"`
	// Zcat is the time zcat takes to inflate the VCF to /dev/null, the ceiling of any
	// reader of the file that does not decompress in parallel ("go-gzip" when zcat is missing).
	Zcat            time.Duration `json:"zcatNs"`
	ZcatTool        string        `json:"zcatTool"`
	ZcatLinesPerSec float64       `json:"zcatLinesPerSec"`
	// Bcftools are bcftools's readings of the same VCF (bcftools.go); BcftoolsSkipped says
	// why there are none.
	Bcftools        []BcftoolsReading `json:"bcftools,omitempty"`
	BcftoolsSkipped string            `json:"bcftoolsSkipped,omitempty"`
}

// LoadResult is engine.Open of the published release: reading it and building every index.
type LoadResult struct {
	Elapsed         time.Duration `json:"elapsedNs"`
	SecondsPerMVar  float64       `json:"secondsPerMillionVariants"`
	HeapBytes       int64         `json:"heapBytes"`
	RSSBytes        int64         `json:"rssBytes"`
	HeapPerVariant  float64       `json:"heapBytesPerVariant"`
	VariantsLoaded  int           `json:"variantsLoaded"`
	IndividualsRows int           `json:"individuals"`
	// IndexElapsed is bitbeacon index (indexbuild.go), IndexPeakRSS its peak resident set
	// when it ran as a process of its own; ReadyFromIndex a second engine.NewEngine, from
	// those index files, with the heap and RSS after it.
	IndexElapsed        time.Duration `json:"indexNs"`
	IndexSecondsPerMVar float64       `json:"indexSecondsPerMillionVariants,omitempty"`
	IndexPeakRSS        int64         `json:"indexPeakRssBytes,omitempty"`
	// IndexCPU is that process's user+system time, IndexCPUSecondsPerMVar per million variants.
	IndexCPU               time.Duration `json:"indexCpuNs,omitempty"`
	IndexCPUSecondsPerMVar float64       `json:"indexCpuSecondsPerMillionVariants,omitempty"`
	ReadyFromIndex         time.Duration `json:"readyFromIndexNs"`
	ReadyHeapBytes         int64         `json:"readyHeapBytes"`
	ReadyRSSBytes          int64         `json:"readyRssBytes"`
	// ReadyRestart is a third engine.NewEngine after closing the second: a server restarted
	// with the index files in the page cache. Right after the build they may not be: at 10^7
	// the build's own heap leaves no room for them.
	ReadyRestart time.Duration `json:"readyRestartNs,omitempty"`
}

func runScale(ctx context.Context, cfg *Config, sc Scale, dir string) (*ScaleResult, error) {
	log := cfg.Log.With("scale", sc.String())
	sr := &ScaleResult{Scale: sc}
	if cfg.Release != "" {
		return queryGivenRelease(ctx, cfg, dir, sr)
	}
	pc := popgen.Config{Seed: cfg.Seed, Individuals: sc.Samples, Variants: sc.Variants, SkipBFFVariants: true}
	if err := buildFits(sc, availableMemory(), freeDisk(cfg.Work), cfg.Work); err != nil {
		return sr, err
	}

	out := filepath.Join(dir, "release")
	if sc.manyDatasets() {
		if err := generateAndIngestDatasets(ctx, sc, pc, filepath.Join(dir, "input"), out, sr); err != nil {
			return sr, err
		}
	} else if err := generateAndIngest(ctx, cfg, sc, pc, dir, out, sr); err != nil {
		return sr, err
	}
	log.Info("bench: ingested", "took", sr.Ingest.Elapsed.Round(time.Millisecond), "lines/s", int(sr.Ingest.LinesPerSec), "zcat", sr.Ingest.Zcat.Round(time.Millisecond))

	if err := measureLoad(out, &sr.Load); err != nil {
		return sr, fmt.Errorf("load: %w", err)
	}
	sr.Load.SecondsPerMVar = sr.Load.Elapsed.Seconds() / (float64(sc.Variants) / 1e6)
	log.Info("bench: loaded", "took", sr.Load.Elapsed.Round(time.Millisecond), "heapMiB", sr.Load.HeapBytes>>20)
	// bitbeacon index, then the load a server does from the index files; the rest of the run
	// queries that engine. measureLoad kept no snapshot: WriteIndex builds its own, and two
	// would not fit beside each other at 10^7 variants.
	runtime.GC()
	build, err := buildIndex(ctx, cfg.ServeBinary, out, log)
	if err != nil {
		return sr, fmt.Errorf("index: %w", err)
	}
	sr.Load.IndexElapsed, sr.Load.IndexPeakRSS = build.elapsed, build.peakRSS
	sr.Load.IndexSecondsPerMVar = build.elapsed.Seconds() / (float64(sc.Variants) / 1e6)
	sr.Load.IndexCPU = build.cpu
	sr.Load.IndexCPUSecondsPerMVar = build.cpu.Seconds() / (float64(sc.Variants) / 1e6)
	log.Info("bench: indexed", "took", sr.Load.IndexElapsed.Round(time.Millisecond), "cpu", build.cpu.Round(time.Millisecond), "peakRSSMiB", sr.Load.IndexPeakRSS>>20)

	return sr, queryRelease(ctx, cfg, dir, out, sr)
}

// queryGivenRelease runs the query steps on Config.Release, which this run did not build.
func queryGivenRelease(ctx context.Context, cfg *Config, dir string, sr *ScaleResult) (*ScaleResult, error) {
	sr.ReleaseGiven = cfg.Release
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sr, err
	}
	return sr, queryRelease(ctx, cfg, dir, cfg.Release, sr)
}

// queryRelease draws the mix from the indexed release out, opens it as a server does, and
// times the mix in process, over HTTP, on the comparators and under a memory limit; the
// mix is written into dir, never into out.
func queryRelease(ctx context.Context, cfg *Config, dir, out string, sr *ScaleResult) error {
	log := cfg.Log.With("scale", sr.Scale.String())
	sc := sr.Scale
	mix, err := workload.Generate(out, workload.Options{Seed: cfg.Seed, PerKind: cfg.PerKind})
	if err != nil {
		return fmt.Errorf("workload: %w", err)
	}
	sr.Queries = len(mix.Queries)
	mixPath := filepath.Join(dir, "workload.json")
	if err := WriteJSON(mixPath, mix); err != nil {
		return err
	}
	eng, err := measureReady(out, &sr.Load)
	if err != nil {
		return fmt.Errorf("load from index files: %w", err)
	}
	// A restart: the files the first open paged in are in the page cache now.
	eng.Close()
	t0 := time.Now()
	if eng, err = engine.NewEngine(out, engine.Options{Log: log}); err != nil {
		return fmt.Errorf("load from index files: %w", err)
	}
	sr.Load.ReadyRestart = time.Since(t0)
	if sr.ReleaseGiven != "" {
		sr.Load.VariantsLoaded = eng.Snapshot().Count("genomicVariation")
		sr.Load.IndividualsRows = eng.Snapshot().Count("individual")
	}
	log.Info("bench: ready from index files", "took", sr.Load.ReadyFromIndex.Round(time.Millisecond), "restart", sr.Load.ReadyRestart.Round(time.Millisecond), "heapMiB", sr.Load.ReadyHeapBytes>>20)

	acfg := api.DefaultConfig()
	handler := api.NewServer(eng, &acfg, nil).Handler()
	answers, err := bitbeaconAnswers(handler, mix)
	if err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	sr.Engine = measureInProcess(handler, mix, cfg.EngineIters)
	if sr.DatasetRequests, err = measureDatasetRequests(handler, cfg.EngineIters); err != nil {
		sr.Failures = append(sr.Failures, "dataset requests: "+err.Error())
	}
	log.Info("bench: in-process done")

	sr.HTTP, err = measureHTTP(ctx, cfg, handler, mix, answers)
	if err != nil {
		sr.Failures = append(sr.Failures, "http: "+err.Error())
	}
	log.Info("bench: HTTP done")

	if cfg.CompareBin != "" && (cfg.CompareMaxVariants == 0 || sc.Variants <= cfg.CompareMaxVariants) {
		// The comparators run in their own process; the engine and handler are no longer
		// used here, so give their memory back first.
		runtime.GC()
		debug.FreeOSMemory()
		cr, err := runCompare(ctx, cfg, out, mixPath, filepath.Join(dir, "compare.json"))
		if err != nil {
			sr.Failures = append(sr.Failures, "compare: "+err.Error())
		}
		sr.Compare = cr
		if cr != nil {
			sr.Answers = checkAnswers(mix, answers, cr)
			for name, a := range sr.Answers {
				if !a.Match {
					sr.Failures = append(sr.Failures, fmt.Sprintf("compare: %s: answers differ: %s", name, a.String()))
				}
			}
		}
		log.Info("bench: comparators done")
	}
	// Last, once this process has unmapped the index files: pages it maps are not charged to
	// the server's cgroup, and it gives its page cache back.
	eng.Close()
	serveUnderLimit(ctx, cfg, sr, out, mix)
	return nil
}

// generateAndIngest writes the scale's population as one dataset (its metadata BFF and one
// VCF), times zcat and bcftools reading the VCF, and ingests it into out.
func generateAndIngest(ctx context.Context, cfg *Config, sc Scale, pc popgen.Config, dir, out string, sr *ScaleResult) error {
	t0 := time.Now()
	files, vcf, reused, err := generate(filepath.Join(dir, "input"), pc)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if reused {
		sr.GenerateReused = true
	} else {
		sr.Generate = time.Since(t0)
	}
	if st, err := os.Stat(vcf); err == nil {
		sr.VCFBytes = st.Size()
	}
	cfg.Log.Info("bench: generated", "scale", sc.String(), "took", sr.Generate.Round(time.Millisecond), "reused", reused, "vcfBytes", sr.VCFBytes)

	if sr.Ingest.ZcatTool, sr.Ingest.Zcat, err = timeInflate(vcf); err != nil {
		sr.Failures = append(sr.Failures, "zcat: "+err.Error())
	}
	if note := bcftoolsSkippedAbove(cfg, sc); note != "" {
		sr.Ingest.BcftoolsSkipped = note
	} else if err := measureBcftools(ctx, cfg.Bcftools, vcf, &sr.Ingest); err != nil {
		sr.Failures = append(sr.Failures, err.Error())
	}
	t0 = time.Now()
	sum, err := ingest.Run(ctx, ingest.Options{Out: out, DatasetID: popgen.DefaultDatasetID, Assembly: popgen.DefaultAssembly}, append(files.Paths, vcf))
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	in := &sr.Ingest
	in.Elapsed = time.Since(t0)
	for _, v := range sum.VCF {
		in.Lines += v.Records
		in.Calls += v.Calls
	}
	in.LinesPerSec = float64(in.Lines) / in.Elapsed.Seconds()
	in.CallsPerSec = float64(in.Calls) / in.Elapsed.Seconds()
	if in.Zcat > 0 {
		in.ZcatLinesPerSec = float64(in.Lines) / in.Zcat.Seconds()
	}
	bcftoolsRates(in)
	in.BytesWritten = dirSize(sum.Dir)
	if !cfg.Keep {
		os.RemoveAll(files.Dir)
	}

	return nil
}

// serveUnderLimit runs the serve-in-a-memory-cgroup step when configured, recording the
// result, why it was skipped, or its failure.
func serveUnderLimit(ctx context.Context, cfg *Config, sr *ScaleResult, out string, mix *workload.Mix) {
	switch {
	case cfg.ServeMemoryLimit <= 0:
		return
	case cfg.ServeBinary == "":
		sr.ServeLimitSkipped = "no bitbeacon binary to serve with"
		return
	}
	err := evictFromPageCache(out)
	if err == nil {
		sr.ServeLimit, err = measureServeLimit(ctx, cfg, out, mix)
	}
	switch {
	case errors.Is(err, errNoCgroup):
		sr.ServeLimitSkipped = err.Error()
	case err != nil:
		sr.Failures = append(sr.Failures, "serve under a memory limit: "+err.Error())
	}
}

// generatedStamp, written beside the generated files once they are complete, holds the
// popgen configuration they were generated with.
const generatedStamp = "generated.json"

// generate writes the population's metadata BFF and VCF into dir, or keeps the VCF an earlier
// run left there (--keep) when its stamp shows the same configuration: at 10^7 variants
// generating takes half an hour. The metadata, seconds to write, is always written again.
// A changed generator needs a new --work directory: the stamp holds the configuration, not
// the code.
func generate(dir string, pc popgen.Config) (files popgen.Files, vcf string, reused bool, err error) {
	want, err := json.Marshal(pc)
	if err != nil {
		return files, "", false, err
	}
	stamp := filepath.Join(dir, generatedStamp)
	vcf = filepath.Join(dir, popgen.VCFFile)
	if got, err := os.ReadFile(stamp); err == nil && bytes.Equal(got, want) {
		if _, err := os.Stat(vcf); err == nil {
			reused = true
		}
	}
	if !reused {
		if err := os.Remove(stamp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return files, "", false, err
		}
	}
	if files, err = popgen.WriteBFF(dir, pc); err != nil {
		return files, "", false, err
	}
	if reused {
		return files, vcf, true, nil
	}
	if err := popgen.WriteVCF(vcf, pc); err != nil {
		return files, "", false, err
	}
	return files, vcf, false, os.WriteFile(stamp, want, 0o644)
}

// opened is one engine.NewEngine measured: wall time, Go heap it holds, process RSS after.
type opened struct {
	eng     *engine.Engine
	elapsed time.Duration
	heap    int64
	rss     int64
}

// measureOpen opens the release under dir. Two collections before and after: the first
// moves sync.Pool contents to the victim cache, the second frees them, so earlier work's
// buffers are not counted.
func measureOpen(dir string) (*opened, error) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	eng, err := engine.NewEngine(dir, engine.Options{})
	if err != nil {
		return nil, err
	}
	o := &opened{eng: eng, elapsed: time.Since(t0)}
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&m1)
	o.heap, o.rss = int64(m1.HeapAlloc)-int64(m0.HeapAlloc), rssBytes()
	return o, nil
}

// The peak resident memory of a scale's build (2,504 samples): a part that does not grow
// with the variants (the Parquet reader's batches, the metadata, the postings builders under
// their spill threshold) and a part per variant, fitted to the bounded-memory build:
// `bitbeacon index` at 10^5 (0.70 GB) and the suite's own process at 10^6 (1.56 GB maximum
// RSS: the load from Parquet, then the index build) (docs/benchmarks.md#tuned-constants).
// Between those scales the fixed builders are still filling, so the slope is an upper bound
// past 10^6 (9.6 GB at 10^7, where the heap profile puts the build at 2-2.5 GB). A scale
// that would not fit is refused before it is generated.
const (
	buildPeakBase       = 640 << 20
	buildPeakPerVariant = 900
)

// buildMemory estimates the peak memory of a scale's index build.
func buildMemory(sc Scale) uint64 { return buildPeakBase + uint64(sc.Variants)*buildPeakPerVariant }

// The disk a scale's build holds at its peak, per variant at 2,504 samples, measured on
// `bitbeacon index` of the 10^6 popgen release (sampling the release directory and the
// build's unlinked spill files, open or mapped): 2.91 GB at the end of the build, the Parquet
// files (320 B a variant), the index files (1.37 KB) and the spill files still mapped while
// they are copied into them (1.23 KB). The 10^7 index files are 13 GB, as linear as that.
// The VCF is not counted: it is generated before, or kept.
const buildDiskPerVariant = 3000

// buildDisk estimates the disk a scale's ingest and index build need at their peak.
func buildDisk(sc Scale) uint64 { return uint64(sc.Variants) * buildDiskPerVariant }

// buildFits refuses a scale whose build would not fit the memory available (memAvail) or
// the disk free under work (diskFree), before anything is generated: a 10^7 scale that runs
// out of disk does so after its ingest, half an hour in. A figure of 0 is unknown and passes.
func buildFits(sc Scale, memAvail, diskFree uint64, work string) error {
	if need := buildMemory(sc); memAvail > 0 && need > memAvail {
		return fmt.Errorf("skipped: building the indexes of %d variants takes about %s (the build from Parquet peaks near %s plus %s per variant, fitted at 10^5 and 10^6), this machine has %s available",
			sc.Variants, gib(need), gib(buildPeakBase), fmt.Sprintf("%.2f KB", buildPeakPerVariant/1000.0), gib(memAvail))
	}
	if need := buildDisk(sc); diskFree > 0 && need > diskFree {
		return fmt.Errorf("skipped: building the release and index files of %d variants needs about %s of disk at its peak (%.1f KB per variant, measured at 10^6), %s is free under %s",
			sc.Variants, gib(need), buildDiskPerVariant/1000.0, gib(diskFree), work)
	}
	return nil
}

func gib(n uint64) string { return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)) }

// measureLoad opens the release from Parquet (no index files yet), building every index, and
// records the figures; the engine is not kept.
func measureLoad(dir string, lr *LoadResult) error {
	o, err := measureOpen(dir)
	if err != nil {
		return err
	}
	lr.Elapsed, lr.HeapBytes, lr.RSSBytes = o.elapsed, o.heap, o.rss
	s := o.eng.Snapshot()
	lr.VariantsLoaded = s.Count("genomicVariation")
	lr.IndividualsRows = s.Count("individual")
	if lr.VariantsLoaded > 0 {
		lr.HeapPerVariant = float64(lr.HeapBytes) / float64(lr.VariantsLoaded)
	}
	return nil
}

// measureReady opens the release from its index files.
func measureReady(dir string, lr *LoadResult) (*engine.Engine, error) {
	o, err := measureOpen(dir)
	if err != nil {
		return nil, err
	}
	lr.ReadyFromIndex, lr.ReadyHeapBytes, lr.ReadyRSSBytes = o.elapsed, o.heap, o.rss
	return o.eng, nil
}

// timeInflate times zcat of path to nowhere; without zcat, Go's gzip reader.
func timeInflate(path string) (tool string, d time.Duration, err error) {
	if zcat, lerr := exec.LookPath("zcat"); lerr == nil {
		cmd := exec.Command(zcat, path)
		cmd.Stdout = io.Discard
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return "zcat", 0, fmt.Errorf("%v: %s", err, stderr.Bytes())
		}
		return "zcat", time.Since(t0), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "go-gzip", 0, err
	}
	defer f.Close()
	t0 := time.Now()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "go-gzip", 0, err
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return "go-gzip", 0, err
	}
	return "go-gzip", time.Since(t0), nil
}

// dirSize is the bytes of the files under dir, following symlinks to directories: a
// release's datasets are symlinks into the root's dataset store.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
		case d.Type().IsRegular():
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		case d.Type()&fs.ModeSymlink != 0:
			if info, err := os.Stat(p); err == nil && info.IsDir() {
				n += dirSize(p + string(filepath.Separator)) // the trailing separator makes WalkDir enter the link
			}
		}
		return nil
	})
	return n
}
