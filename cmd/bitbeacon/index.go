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
	var dataDir, spillDir string
	var limitMiB int64
	cmd := &cobra.Command{
		Use:   "index --data DIR [--memory-limit-mib N] [--spill-dir DIR]",
		Short: "Build the index files of the current release, so serve is ready in seconds",
		Long: `index loads the current release under --data from its Parquet files (verifying them) and
writes the loaded indexes as index files into the release directory (releases/<id>/index/),
replacing older ones atomically. serve, query and a reload then map them instead of building
the indexes again. ingest writes them itself unless --no-index is given.

The build streams the large parts of the index (record JSON, carrier lists, zygosity codes,
the bitmaps of the variants each biosample carries) through files beside the index files,
and --memory-limit-mib sets the Go runtime's memory limit: the garbage collector works
harder instead of letting the heap grow past it (0 leaves GOMEMLIMIT or no limit).`,
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
			start := time.Now()
			dir, err := engine.WriteIndex(dataDir, engine.Options{SpillDir: spillDir, Log: newLogger(false)})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote index files of %s in %s\n", dir, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "release root directory written by 'bitbeacon ingest'")
	cmd.Flags().StringVar(&spillDir, "spill-dir", "", "where the build writes its temporary variant columns (default: beside the index files)")
	cmd.Flags().Int64Var(&limitMiB, "memory-limit-mib", indexMemoryLimitMiB, "memory budget of the build in MiB: the Go runtime's memory limit (0: GOMEMLIMIT or none)")
	_ = cmd.MarkFlagRequired("data")
	return cmd
}
