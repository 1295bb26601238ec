package api

import (
	"strings"
	"testing"
	"time"
)

func TestApplyEnv(t *testing.T) {
	c := DefaultConfig()
	set, err := c.ApplyEnv([]string{
		"BITBEACON_NAME=From the environment",
		"BITBEACON_BASE_URL=https://beacon.example.org/api/",
		"BITBEACON_LIMITS_MAX_CONNECTIONS=123",
		"BITBEACON_SERVER_DRAIN_PERIOD=2s",
		"BITBEACON_NON_FILTERED_QUERIES_ALLOWED=false",
		"BITBEACON_ORGANIZATION_NAME=Org",
		"BITBEACON_SHARED=/somewhere", // not a key: left alone
		"PATH=/bin",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "From the environment" || c.BaseURL != "https://beacon.example.org/api" || !c.BaseURLGiven() ||
		c.Limits.MaxConnections != 123 || c.Server.DrainPeriod != 2*time.Second || c.NonFilteredQueriesAllowed ||
		c.Organization.Name != "Org" {
		t.Errorf("overrides not applied: %+v", c)
	}
	if len(set) != 6 {
		t.Errorf("keys set: %v", set)
	}
	for _, bad := range []string{"BITBEACON_LIMITS_MAX_FILTERS=many", "BITBEACON_SERVER_DRAIN_PERIOD=5", "BITBEACON_ENVIRONMENT=moon"} {
		c := DefaultConfig()
		if _, err := c.ApplyEnv([]string{bad}); err == nil {
			t.Errorf("%s accepted", bad)
		} else if !strings.Contains(err.Error(), "environment") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestCheckDatasets(t *testing.T) {
	c := DefaultConfig()
	c.Datasets = map[string]DatasetConfig{"A": {}, "TYPO": {}}
	err := c.CheckDatasets(func(id string) bool { return id == "A" }, "000001")
	if err == nil || !strings.Contains(err.Error(), `"TYPO" not in release 000001`) {
		t.Errorf("unknown dataset id: %v", err)
	}
}
