package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/popgen"
)

func serveCmd() *cobra.Command {
	var (
		dataDir, listen, configPath string
		demo, verbose               bool
		watch                       time.Duration
	)
	cmd := &cobra.Command{
		Use:   "serve [--data DIR | --demo] [--listen ADDR] [--config FILE]",
		Short: "Serve a release as a Beacon v2 API",
		Long: `serve loads the current release under --data and answers Beacon v2 requests.
With --demo (or without --data) it generates the built-in demo dataset first.
A new release published under --data is picked up on SIGHUP or by --watch polling;
requests in flight finish on the old release.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := newLogger(verbose)
			cfg := api.DefaultConfig()
			if dataDir == "" || demo {
				cfg = api.DemoConfig()
			}
			if configPath != "" {
				var err error
				if cfg, err = api.LoadConfig(configPath); err != nil {
					return err
				}
			}
			if !cfg.BaseURLGiven() {
				cfg.BaseURL = "http://" + listen
				if err := cfg.Validate(); err != nil {
					return fmt.Errorf("--listen %s: %w", listen, err)
				}
			}
			if configPath == "" && dataDir != "" && !demo {
				log.Warn("no --config: the beacon's identity in /info and /service-info is bitbeacon's default; give a configuration file to name it",
					"beaconId", cfg.BeaconID, "name", cfg.Name, "environment", cfg.Environment)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if dataDir == "" || demo {
				dir, err := buildDemo(ctx, log)
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				dataDir = filepath.Join(dir, "release")
			}
			start := time.Now()
			eng, err := engine.NewEngine(dataDir)
			if err != nil {
				return err
			}
			snap := eng.Snapshot()
			if err := cfg.CheckDatasets(datasetIDs(snap)); err != nil {
				return err
			}
			log.Info("release loaded", "release", snap.ReleaseID, "dir", snap.Dir, "datasets", len(snap.Datasets()), "took", time.Since(start).Round(time.Millisecond))
			go reloadLoop(ctx, eng, watch, log)

			srv := api.HTTPServer(api.NewServer(eng, &cfg, log).Handler())
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			log.Info("serving Beacon v2", "url", cfg.BaseURL)
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
				log.Info("shutting down")
				return srv.ShutdownWithContext(context.Background())
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "release root directory written by 'bitbeacon ingest'")
	f.BoolVar(&demo, "demo", false, "serve the built-in generated demo dataset")
	f.StringVar(&listen, "listen", "127.0.0.1:5050", "address to listen on")
	f.StringVar(&configPath, "config", "", "beacon configuration (YAML); defaults work without one")
	f.DurationVar(&watch, "watch", 0, "poll --data for a new release this often (0: only on SIGHUP)")
	f.BoolVarP(&verbose, "verbose", "v", false, "debug logging")
	return cmd
}

// reloadLoop swaps in a newly published release on SIGHUP or every watch interval.
func reloadLoop(ctx context.Context, eng *engine.Engine, watch time.Duration, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var tick <-chan time.Time
	if watch > 0 {
		t := time.NewTicker(watch)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-tick:
		}
		swapped, err := eng.Reload()
		switch {
		case err != nil:
			log.Error("reload failed; still serving the previous release", "err", err)
		case swapped:
			log.Info("new release serving", "release", eng.Snapshot().ReleaseID)
		}
	}
}

// buildDemo generates the demo population and ingests it into a temporary release.
func buildDemo(ctx context.Context, log *slog.Logger) (string, error) {
	dir, err := os.MkdirTemp("", "bitbeacon-demo-")
	if err != nil {
		return "", err
	}
	c := popgen.Demo()
	files, err := popgen.WriteBFF(filepath.Join(dir, "bff"), c)
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("generating demo data: %w", err)
	}
	_, err = ingest.Run(ctx, ingest.Options{
		Out: filepath.Join(dir, "release"), DatasetID: c.DatasetID, Assembly: c.Assembly, Log: log, MaxWarnings: 5,
	}, files.Paths)
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("ingesting demo data: %w", err)
	}
	return dir, nil
}

// datasetIDs lists the ids of a snapshot's datasets.
func datasetIDs(snap *engine.Snapshot) []string {
	var ids []string
	for _, d := range snap.Datasets() {
		ids = append(ids, d.ID)
	}
	return ids
}
