package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `bitbeacon network --config network.yaml --listen ADDR` is the contract: a served
// bitbeacon as a v2 and as a v1 member, answers merged.
func TestNetworkCommand(t *testing.T) {
	ctx := context.Background()
	rel := filepath.Join(t.TempDir(), "rel")
	if out, err := run(t, ctx, append([]string{"ingest", "--out", rel, "--dataset", "FIXTURE", "--assembly", "GRCh38"}, fixtureFiles(t)...)...); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	member, addr := freeAddr(t), freeAddr(t)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go run(t, sctx, "serve", "--data", rel, "--listen", member)
	getWhenUp(t, "http://"+member+"/info")

	cfg := filepath.Join(t.TempDir(), "network.yaml")
	yaml := "beaconId: org.example.network\nname: Example Beacon Network\nmembers:\n" +
		"  - {id: m1, url: \"http://" + member + "\", apiVersion: v2, timeout: 3s}\n" +
		"  - {id: legacy, url: \"http://" + member + "\", apiVersion: v1, timeout: 3s}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := run(t, sctx, "network", "--config", cfg, "--listen", addr)
		done <- err
	}()
	body := getWhenUp(t, "http://"+addr+"/g_variants?assemblyId=GRCh38&referenceName=1&start=1000&referenceBases=A&alternateBases=G&requestedGranularity=count")
	var a struct {
		Meta            struct{ BeaconID string }     `json:"meta"`
		ResponseSummary struct{ NumTotalResults int } `json:"responseSummary"`
		Info            struct {
			Members []struct{ ID, Status string } `json:"members"`
		} `json:"info"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Meta.BeaconID != "org.example.network" || a.ResponseSummary.NumTotalResults != 2 ||
		len(a.Info.Members) != 2 || a.Info.Members[0].Status != "ok" || a.Info.Members[1].Status != "ok" {
		t.Errorf("network answer: %v\n%s", err, body)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("network did not shut down cleanly: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("network did not stop after its context was cancelled")
	}

	// A bad configuration stops the command with the file and the field.
	if err := os.WriteFile(cfg, []byte("beaconId: x\nmembers:\n  - {id: a, url: \"ftp://x\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, ctx, "network", "--config", cfg); err == nil || !strings.Contains(err.Error(), "members[0].url") || !strings.Contains(err.Error(), cfg) {
		t.Errorf("bad url: %v", err)
	}
	if _, err := run(t, ctx, "network"); err == nil || !strings.Contains(err.Error(), "config") {
		t.Errorf("no --config: %v", err)
	}
}
