package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/release"
)

func ingestCmd() *cobra.Command {
	var (
		opts    ingest.Options
		entity  string
		verbose bool
		noIndex bool
	)
	cmd := &cobra.Command{
		Use:   "ingest --out DIR [--dataset ID] [--assembly NAME] FILE...",
		Short: "Convert BFF JSON, VCF and ontologies into a new release under --out",
		Long: `ingest reads Beacon-Friendly-Format JSON files (one JSON array of records per file,
plain or gzip; the entry type comes from the file name, e.g. individuals.json, or --entity),
VCF 4.x files (.vcf, .vcf.gz, bgzip or gzip: one variant per ALT allele, the samples carrying
it as caseLevelData, sample columns matched to the biosamples of the same run) and ontologies
(.obo, or OBO Graphs JSON such as hp.json), and publishes a new complete release under --out.
Each run publishes a release that holds the datasets of the previous release plus the one
ingested now (a dataset ingested again with the same id is replaced).

A VCF's assembly is --assembly when given, else what its header says (##reference,
##assembly, ##contig assembly=); a VCF line that cannot be read fails the run with
"<file>:<line>: <what>" unless --skip-bad-lines is given.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Out == "" {
				return fmt.Errorf("--out is required")
			}
			if entity != "" {
				opts.EntityOverride = release.Entity(entity)
			}
			opts.Log = newLogger(verbose)
			if term.IsTerminal(int(os.Stderr.Fd())) {
				opts.Progress = os.Stderr
			}
			sum, err := ingest.Run(cmd.Context(), opts, args)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published release %s in %s\n", sum.ReleaseID, sum.Dir)
			for _, e := range release.Entities {
				if n := sum.Records[e]; n > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "  %-17s %d\n", e, n)
				}
			}
			if sum.Variants > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "  %-17s %d\n", "variants", sum.Variants)
			}
			if sum.OntologyTerms > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "  %-17s %d\n", "ontology terms", sum.OntologyTerms)
			}
			for _, v := range sum.VCF {
				secs := max(v.Elapsed.Seconds(), 1e-9)
				fmt.Fprintf(cmd.OutOrStdout(), "  VCF %s: %d records, %d variants, %d samples, %s (%s), %.0f lines/s\n",
					v.File, v.Records, v.Variants, v.Samples, v.Assembly, v.AssemblyFrom, float64(v.Records)/secs)
				if v.BadLines > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "    %d bad lines skipped, first: %s\n", v.BadLines, v.FirstBadLines[0])
				}
				if v.UnmatchedSamples > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "    %d samples match no biosample (e.g. %s); kept as carrier ids\n",
						v.UnmatchedSamples, strings.Join(v.UnmatchedExamples, ", "))
				}
			}
			if len(sum.Warnings) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "  %d warnings (records kept; see log above)\n", len(sum.Warnings))
			}
			if noIndex {
				return nil
			}
			// The release is published; building its index loads it as a server would, so a
			// failure here is reported as one, never hidden behind exit status 0.
			start := time.Now()
			if _, err := engine.WriteIndex(opts.Out, engine.Options{Log: opts.Log}); err != nil {
				return fmt.Errorf("release published, but its index files could not be written (run bitbeacon index): %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote index files in %s\n", time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Out, "out", "", "release root directory (created if missing)")
	f.StringVar(&opts.DatasetID, "dataset", "", "dataset id the records belong to")
	f.StringVar(&opts.Assembly, "assembly", "", "genome assembly of the variants when the data does not say (GRCh37, GRCh38)")
	f.StringVar(&entity, "entity", "", "entry type of every data file, instead of guessing from file names")
	f.IntVar(&opts.MaxWarnings, "max-warnings", 20, "warnings printed one by one before they are summarised")
	f.BoolVar(&opts.SkipBadLines, "skip-bad-lines", false, "skip (and count) VCF lines that cannot be read instead of failing")
	f.BoolVar(&noIndex, "no-index", false, "do not write the index files after publishing (bitbeacon index does)")
	f.BoolVarP(&verbose, "verbose", "v", false, "debug logging")
	return cmd
}
