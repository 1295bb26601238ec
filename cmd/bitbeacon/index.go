package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitbeacon/bitbeacon/engine"
)

func indexCmd() *cobra.Command {
	var dataDir, spillDir string
	cmd := &cobra.Command{
		Use:   "index --data DIR",
		Short: "Build the index files of the current release, so serve is ready in seconds",
		Long: `index loads the current release under --data from its Parquet files (verifying them) and
writes the loaded indexes as index files into the release directory (releases/<id>/index/),
replacing older ones atomically. serve, query and a reload then map them instead of building
the indexes again. ingest writes them itself unless --no-index is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
	_ = cmd.MarkFlagRequired("data")
	return cmd
}
