package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bitbeacon/bitbeacon/release"
)

// pruneCmd frees the disk of what no release refers to. It is a command of its own, not a
// step of ingest: deleting a release a server may still be serving is the operator's call
// (--keep-releases), and reading every release's links at every ingest would make adding a
// dataset cost the number of releases again.
func pruneCmd() *cobra.Command {
	var dataDir string
	var keep int
	cmd := &cobra.Command{
		Use:   "prune --data DIR [--keep-releases N]",
		Short: "Delete old releases (when asked) and the dataset files no release refers to",
		Long: `prune takes the release root's lock (it fails while an ingest or index build holds it),
deletes, with --keep-releases N, every release older than the newest N up to the current one
(the current release is always kept, and so is a complete release newer than it), then
deletes every dataset generation under datasets/ (and every dataset directory in one) that no
remaining release links to. Without --keep-releases it deletes no release: it frees what
releases deleted by hand left behind.

Each directory is renamed to a temporary name before it is deleted, so a prune killed at any
point leaves every remaining release whole; the next ingest or prune removes the rest. A
server still serving a deleted release keeps what it has mapped, but cannot reopen it: prune
releases only once every server has reloaded the current one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sum, err := release.Prune(dataDir, keep)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "pruned %d releases, %d dataset generations, %d dataset directories\n", len(sum.Releases), len(sum.Generations), len(sum.Datasets))
			for _, l := range []struct {
				what string
				ids  []string
			}{{"releases", sum.Releases}, {"generations", sum.Generations}, {"datasets", sum.Datasets}} {
				if len(l.ids) > 0 {
					fmt.Fprintf(out, "  %s: %s\n", l.what, strings.Join(l.ids, " "))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "release root directory written by 'bitbeacon ingest'")
	cmd.Flags().IntVar(&keep, "keep-releases", 0, "keep the newest N releases up to the current one and delete the older (0: delete no release)")
	_ = cmd.MarkFlagRequired("data")
	return cmd
}
