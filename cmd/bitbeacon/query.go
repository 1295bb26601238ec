package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/engine"
)

func queryCmd() *cobra.Command {
	var dataDir, body, configPath string
	cmd := &cobra.Command{
		Use:   "query --data DIR PATH [--body JSON]",
		Short: "Answer one Beacon request from a release without starting a server",
		Example: `  bitbeacon query --data rel/ '/individuals?filters=NCIT:C16576&requestedGranularity=count'
  bitbeacon query --data rel/ /g_variants --body '{"meta":{"apiVersion":"2.0"},"query":{"requestParameters":{"geneId":"IL17RA"},"requestedGranularity":"count"}}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := api.DefaultConfig()
			if configPath != "" {
				var err error
				if cfg, err = api.LoadConfig(configPath); err != nil {
					return err
				}
			}
			eng, err := engine.NewEngine(dataDir, engine.Options{Log: newLogger(false)})
			if err != nil {
				return err
			}
			snap := eng.Snapshot()
			if err := cfg.CheckDatasets(snap.HasDataset, snap.ReleaseID); err != nil {
				return err
			}
			h := api.NewServer(eng, &cfg, newLogger(false)).Handler()
			var ctx fasthttp.RequestCtx
			ctx.Request.SetRequestURI(args[0])
			if body != "" {
				ctx.Request.Header.SetMethod("POST")
				ctx.Request.SetBodyString(body)
			}
			h(&ctx)
			out := ctx.Response.Body()
			fmt.Fprintln(cmd.OutOrStdout(), strings.TrimSpace(string(out)))
			if code := ctx.Response.StatusCode(); code >= 400 {
				return fmt.Errorf("HTTP %d", code)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "release root directory")
	cmd.Flags().StringVar(&body, "body", "", "POST body (JSON); without it the request is a GET")
	cmd.Flags().StringVar(&configPath, "config", "", "beacon configuration (YAML)")
	_ = cmd.MarkFlagRequired("data")
	return cmd
}
