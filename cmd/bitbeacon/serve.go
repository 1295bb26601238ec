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
	"github.com/bitbeacon/bitbeacon/ops"
	"github.com/bitbeacon/bitbeacon/popgen"
	"github.com/bitbeacon/bitbeacon/release"
)

func serveCmd() *cobra.Command {
	var (
		dataDir, listen, configPath, spillDir  string
		demo, verbose, checkConfig             bool
		watch, drain                           time.Duration
		readTimeout, writeTimeout, idleTimeout time.Duration
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
			set, err := cfg.ApplyEnv(os.Environ())
			if err != nil {
				return err
			}
			if len(set) > 0 {
				log.Info("configuration from the environment", "keys", set)
			}
			if !cmd.Flags().Changed("listen") && cfg.Server.Listen != "" {
				listen = cfg.Server.Listen
			}
			if !cfg.BaseURLGiven() {
				cfg.BaseURL = "http://" + listen
				if err := cfg.Validate(); err != nil {
					return fmt.Errorf("--listen %s: %w", listen, err)
				}
			}
			if checkConfig {
				return checkServeConfig(cmd, &cfg, dataDir, demo)
			}
			if configPath == "" && dataDir != "" && !demo {
				log.Warn("no --config: the beacon's identity in /info and /service-info is bitbeacon's default; give a configuration file to name it",
					"beaconId", cfg.BeaconID, "name", cfg.Name, "environment", cfg.Environment)
			}
			if cmd.Flags().Changed("drain") {
				cfg.Server.DrainPeriod = drain
			}
			for _, t := range []struct {
				flag string
				v    time.Duration
				dst  *time.Duration
			}{
				{"read-timeout", readTimeout, &cfg.Server.ReadTimeout},
				{"write-timeout", writeTimeout, &cfg.Server.WriteTimeout},
				{"idle-timeout", idleTimeout, &cfg.Server.IdleTimeout},
			} {
				if !cmd.Flags().Changed(t.flag) {
					continue
				}
				if t.v <= 0 {
					return fmt.Errorf("--%s %s: must be positive", t.flag, t.v)
				}
				*t.dst = t.v
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() { <-ctx.Done(); stop() }() // a second signal ends the process at once
			if dataDir == "" || demo {
				dir, err := buildDemo(ctx, log)
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				dataDir = filepath.Join(dir, "release")
			}
			start := time.Now()
			eng, err := engine.NewEngine(dataDir, engine.Options{SpillDir: spillDir, Log: log})
			if err != nil {
				return err
			}
			snap := eng.Snapshot()
			if err := cfg.CheckDatasets(snap.HasDataset, snap.ReleaseID); err != nil {
				return err
			}
			log.Info("release loaded", "release", snap.ReleaseID, "dir", snap.Dir, "datasets", len(snap.Datasets()), "took", time.Since(start).Round(time.Millisecond))
			go reloadLoop(ctx, eng, watch, log)

			if cfg.Limits.MaxConnections == 0 {
				cfg.Limits.MaxConnections = ops.DefaultMaxConnections()
			}
			srv := api.NewServer(eng, &cfg, log)
			procs := ops.ReserveProcs(srv.HeavySlots())
			log.Info("scheduler", "gomaxprocs", procs, "heavyQueries", srv.HeavySlots())
			return serveUntilDone(ctx, srv, &cfg, listen, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "release root directory written by 'bitbeacon ingest'")
	f.BoolVar(&demo, "demo", false, "serve the built-in generated demo dataset")
	f.StringVar(&listen, "listen", "127.0.0.1:5050", "address to listen on")
	f.StringVar(&configPath, "config", "", "beacon configuration (YAML); defaults work without one")
	f.DurationVar(&watch, "watch", 0, "poll --data for a new release this often (0: only on SIGHUP)")
	f.DurationVar(&drain, "drain", 0, "after SIGTERM, keep answering this long with /ready at 503 (default: server.drainPeriod, 5s)")
	f.DurationVar(&readTimeout, "read-timeout", 0, "bound on reading one request, headers and body; a slower client gets 408 and is cut (default: server.readTimeout, 30s)")
	f.DurationVar(&writeTimeout, "write-timeout", 0, "bound on writing one response to a client that does not read it (default: server.writeTimeout, 60s)")
	f.DurationVar(&idleTimeout, "idle-timeout", 0, "close a keep-alive connection idle this long (default: server.idleTimeout, 60s)")
	f.BoolVar(&checkConfig, "check-config", false, "validate the configuration (file and BITBEACON_ environment) against --data's release and exit")
	f.StringVar(&spillDir, "spill-dir", "", "where a load from Parquet (no usable index files) writes its temporary variant columns (default: the system's temporary directory)")
	f.BoolVarP(&verbose, "verbose", "v", false, "debug logging")
	return cmd
}

// checkServeConfig is serve --check-config: the configuration is valid (it was loaded and
// validated before), and every dataset it configures is in the current release under
// dataDir. Nothing is loaded beyond the release's manifest.
func checkServeConfig(cmd *cobra.Command, cfg *api.Config, dataDir string, demo bool) error {
	if dataDir != "" && !demo {
		r, err := release.OpenUnverified(dataDir)
		if err != nil {
			return err
		}
		m := r.Manifest()
		has := func(id string) bool { _, ok := m.Dataset(id); return ok }
		if err := cfg.CheckDatasets(has, m.ReleaseID); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "configuration OK for release %s (%d datasets; %d configured)\n", m.ReleaseID, len(m.Datasets), len(cfg.Datasets))
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "configuration OK (no --data: dataset ids not checked)\n")
	return nil
}

// serveUntilDone serves srv on listen until ctx ends (SIGTERM or SIGINT), then drains:
// /ready turns 503 at once and every answer closes its connection, the server keeps
// answering for server.drainPeriod so that load balancers notice, then stops accepting,
// finishes the requests in flight (at most server.shutdownTimeout) and returns nil.
func serveUntilDone(ctx context.Context, srv *api.Server, cfg *api.Config, listen string, log *slog.Logger) error {
	raw, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	ln := &ops.Listener{
		Listener: raw,
		Max:      int64(cfg.Limits.MaxConnections),
		Reject:   srv.RejectResponse(),
		OnReject: api.RejectedConnection,
		OnAcceptError: func(err error) {
			log.Warn("accepting connections: waiting for descriptors or memory", "err", err, "open", raw.Addr().String())
		},
	}
	hs := srv.HTTPServer()
	log.Info("serving Beacon v2", "url", cfg.BaseURL, "listen", raw.Addr().String(), "limits", cfg.Limits.String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	srv.Drain()
	log.Info("draining: /ready answers 503, still serving", "for", cfg.Server.DrainPeriod, "inFlight", srv.InFlight())
	select {
	case <-time.After(cfg.Server.DrainPeriod):
	case err := <-errc:
		return err
	}
	log.Info("shutting down: finishing requests in flight", "inFlight", srv.InFlight(), "open", ln.Open())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := hs.ShutdownWithContext(sctx); err != nil {
		return fmt.Errorf("shutting down: %w (requests still in flight after %s)", err, cfg.Server.ShutdownTimeout)
	}
	log.Info("stopped")
	return nil
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
