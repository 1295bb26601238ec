package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/spf13/cobra"

	"github.com/bitbeacon/bitbeacon/internal/sibling"
)

// benchBinary runs the benchmark suite. It is a binary of its own (bench/cmd/bitbeacon-bench)
// so that the suite's plotting and reporting code never links into the server; `bitbeacon
// bench` hands its arguments over to it.
const benchBinary = "bitbeacon-bench"

func benchCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "bench [--full | --scale LIST] [--out DIR] [flags of bitbeacon-bench]",
		Short: "Run the benchmark suite end to end and write a report (runs bitbeacon-bench)",
		Long: `bench runs ` + benchBinary + `, found beside bitbeacon or on PATH ('make bench' builds
both), with the same arguments: see '` + benchBinary + ` --help'.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			bin := sibling.Find(benchBinary)
			if bin == "" {
				return fmt.Errorf("%s not found beside bitbeacon or on PATH (make bench builds it: go build -o bin/%s ./bench/cmd/%s)", benchBinary, benchBinary, benchBinary)
			}
			c := exec.CommandContext(cmd.Context(), bin, args...)
			c.Stdin, c.Stdout, c.Stderr = os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := c.Run(); err != nil {
				var exit *exec.ExitError
				if errors.As(err, &exit) {
					return fmt.Errorf("%s exited with status %d", benchBinary, exit.ExitCode())
				}
				return err
			}
			return nil
		},
	}
}
