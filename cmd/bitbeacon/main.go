// Command bitbeacon ingests Beacon data into releases and serves them as a GA4GH Beacon v2.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/bitbeacon/bitbeacon/api"
)

func main() {
	if err := rootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "bitbeacon:", err)
		os.Exit(1)
	}
}

// rootCmd builds the command tree; tests run it in process.
func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "bitbeacon",
		Short:         "A GA4GH Beacon v2 server: ingest data into releases, serve them fast",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(ingestCmd(), indexCmd(), pruneCmd(), serveCmd(), networkCmd(), queryCmd(), benchCmd(), versionCmd())
	return root
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "bitbeacon", api.Version)
		},
	}
}

// newLogger is the command's logger, and becomes slog's default: what logs through
// slog.Default() (and the standard log package, which slog.SetDefault redirects) then
// writes the same format to the same place.
func newLogger(verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	l := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(l)
	return l
}
