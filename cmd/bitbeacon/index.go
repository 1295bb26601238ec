package main

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitbeacon/bitbeacon/engine"
)

// indexMemoryLimitMiB is the default memory budget of bitbeacon index: what a build of 10^7
// variants × 2,504 samples fits in (docs/benchmarks.md).
const indexMemoryLimitMiB = 4096

func indexCmd() *cobra.Command {
	var dataDir, spillDir, partition string
	var limitMiB, blockBases int64
	var planN int
	var merge bool
	cmd := &cobra.Command{
		Use:   "index --data DIR [--plan N | --partition K/N | --merge] [--block-bases B] [--memory-limit-mib N] [--spill-dir DIR]",
		Short: "Build the index files of the current release, so serve is ready in seconds",
		Long: `index loads the current release under --data from its Parquet files (verifying them) and
writes the loaded indexes as index files into the release directory (releases/<id>/index/),
replacing older ones atomically. serve, query and a reload then map them instead of building
the indexes again. ingest writes them itself unless --no-index is given.

The build streams the large parts of the index (record JSON, carrier lists, zygosity codes,
the bitmaps of the variants each biosample carries) through files beside the index files,
and --memory-limit-mib sets the Go runtime's memory limit: the garbage collector works
harder instead of letting the heap grow past it (0 leaves GOMEMLIMIT or no limit).

A partitioned build splits the variants (by assembly, chromosome, start) into N ranges of
about equal size, cut between blocks of --block-bases bases, each built by its own process,
on any machine that mounts the release:

  bitbeacon index --data DIR --plan N           print the N ranges and their variants
  bitbeacon index --data DIR --partition K/N    build partition K (0 to N-1), e.g. from a
                                                Kubernetes Indexed Job's JOB_COMPLETION_INDEX
  bitbeacon index --data DIR --merge            check the complete set and write it, merged,
                                                as the release's index files

Every process of one build takes the same N and --block-bases. serve opens a complete set
of partitions together; --merge saves it that work at every start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limitMiB < 0 {
				return fmt.Errorf("--memory-limit-mib %d: must be 0 or more", limitMiB)
			}
			if limitMiB > 0 {
				// A sixteenth is left for what the runtime does not count: the binary and the
				// spans of spill files mapped while they are copied.
				debug.SetMemoryLimit(limitMiB << 20 / 16 * 15)
			}
			modes := 0
			for _, set := range []bool{planN != 0, partition != "", merge} {
				if set {
					modes++
				}
			}
			if modes > 1 {
				return fmt.Errorf("--plan, --partition and --merge: give one")
			}
			start := time.Now()
			opts := engine.Options{SpillDir: spillDir, Log: newLogger(false)}
			out := cmd.OutOrStdout()
			switch {
			case planN != 0:
				plan, err := engine.PlanPartitions(dataDir, planN, blockBases)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "# plan %s: %d partitions, cut between blocks of %d bases\n# partition\tvariants\trange\n", plan.ID(), plan.N, plan.BlockBases)
				for k := range plan.N {
					fmt.Fprintf(out, "%d/%d\t%d\t%s\n", k, plan.N, plan.Variants[k], plan.Describe(k))
				}
				return nil
			case partition != "":
				spec, err := engine.ParsePartitionSpec(partition)
				if err != nil {
					return err
				}
				spec.BlockBases = blockBases
				dir, err := engine.WritePartition(dataDir, spec, opts)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "wrote index partition %s in %s in %s\n", spec, dir, time.Since(start).Round(time.Millisecond))
				return nil
			case merge:
				dir, err := engine.MergePartitions(dataDir, opts)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "wrote index files of %s from its partitions in %s\n", dir, time.Since(start).Round(time.Millisecond))
				return nil
			}
			dir, err := engine.WriteIndex(dataDir, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "wrote index files of %s in %s\n", dir, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "release root directory written by 'bitbeacon ingest'")
	cmd.Flags().StringVar(&spillDir, "spill-dir", "", "where the build writes its temporary variant columns (default: beside the index files)")
	cmd.Flags().Int64Var(&limitMiB, "memory-limit-mib", indexMemoryLimitMiB, "memory budget of the build in MiB: the Go runtime's memory limit (0: GOMEMLIMIT or none)")
	cmd.Flags().IntVar(&planN, "plan", 0, "print the ranges of an N-partition build and exit")
	cmd.Flags().StringVar(&partition, "partition", "", "build partition K of N (K from 0), e.g. 3/24 or $JOB_COMPLETION_INDEX/24")
	cmd.Flags().BoolVar(&merge, "merge", false, "write the release's complete set of partitions as its index files")
	cmd.Flags().Int64Var(&blockBases, "block-bases", engine.DefaultPartitionBlock, "partitions are cut between genomic blocks of this many bases (the same for every partition of a build)")
	_ = cmd.MarkFlagRequired("data")
	return cmd
}
