package main

import (
	"context"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/network"
)

func networkCmd() *cobra.Command {
	var (
		configPath, listen string
		verbose            bool
	)
	cmd := &cobra.Command{
		Use:   "network --config network.yaml [--listen ADDR]",
		Short: "Serve a Beacon network: every request fanned out to the member beacons, answers merged",
		Long: `network serves the Beacon v2 API of a Beacon network: each request goes to every member
at once (v1 members are asked /query), each under its own timeout and the request's deadline,
behind a per-member circuit breaker; the answers that validate are merged, and info.members
says how each member fared. See docs/network.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := newLogger(verbose)
			cfg, err := network.LoadConfig(configPath)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			n := network.New(cfg, listen, log)
			n.Refresh(ctx)
			go n.Run(ctx)
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			log.Info("serving Beacon network", "listen", ln.Addr().String(), "members", len(cfg.Members))
			srv := api.HTTPServer(n.Handler())
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
	f.StringVar(&configPath, "config", "", "network configuration (YAML): beaconId, name, members")
	f.StringVar(&listen, "listen", "127.0.0.1:5060", "address to listen on")
	f.BoolVarP(&verbose, "verbose", "v", false, "debug logging")
	cmd.MarkFlagRequired("config")
	return cmd
}
