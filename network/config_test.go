package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "network.yaml")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The example, as written.
	c, err := LoadConfig(write(`beaconId: org.example.network
name: Example Beacon Network
members:
  - {id: m1, url: "https://beacon.example.org/api", apiVersion: v2, timeout: 3s}
  - {id: legacy, url: "https://old.example.org", apiVersion: v1, timeout: 3s}
  - {id: m3, url: "https://b3.example.org", apiVersion: v2, forwardAuthorization: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Members) != 3 || c.Members[0].Timeout != 3*time.Second || !c.Members[1].V1() || c.Members[0].V1() ||
		!c.Members[2].ForwardAuthorization || c.Members[2].Timeout != 5*time.Second || c.Members[0].ForwardAuthorization {
		t.Errorf("members %+v", c.Members)
	}
	if c.RequestTimeout != 10*time.Second || c.Breaker.Failures != 5 || c.Breaker.Cooldown != 30*time.Second || c.HedgeAfter != 0 || c.Environment != "prod" {
		t.Errorf("defaults %+v", c)
	}
	for bad, want := range map[string]string{
		"name: x\nmembers: [{id: a, url: 'http://a'}]": "beaconId",
		"beaconId: x": "members",
		"beaconId: x\nmembers: [{id: a, url: 'http://a'}, {id: a, url: 'http://b'}]": "members[1].id",
		"beaconId: x\nmembers: [{url: 'http://a'}]":                                  "members[0].id",
		"beaconId: x\nmembers: [{id: a, url: 'http://a', apiVersion: v3}]":           "members[0].apiVersion",
		"beaconId: x\nmembers: [{id: a, url: 'http://a', timeout: soon}]":            "soon",
		"beaconId: x\nmembers: [{id: a, url: 'http://a', colour: red}]":              "colour",
		"beaconId: x\nhedgeAfter: -1s\nmembers: [{id: a, url: 'http://a'}]":          "hedgeAfter",
		"beaconId: x\nenvironment: moon\nmembers: [{id: a, url: 'http://a'}]":        "environment",
	} {
		_, err := LoadConfig(write(bad))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "network.yaml") {
			t.Errorf("%q: error %v, want one naming %s and the file", bad, err, want)
		}
	}
}
