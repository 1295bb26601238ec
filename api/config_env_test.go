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

// Lists and maps come from the file only: a variable that names one, or a key inside one,
// or a key a section does not have, is refused with its name, never silently ignored (a
// dataset's policy set that way would not apply).
func TestApplyEnvRefusesListsMapsAndTypos(t *testing.T) {
	for env, want := range map[string]string{
		"BITBEACON_DATASETS=A,B":                         "BITBEACON_DATASETS (datasets): a map: lists and maps are set in the configuration file only",
		"BITBEACON_DATASETS_MY_DS_MAX_GRANULARITY=count": "BITBEACON_DATASETS_MY_DS_MAX_GRANULARITY is under datasets, a map",
		`BITBEACON_AUTH_ISSUERS=[{"issuer":"x"}]`:        "BITBEACON_AUTH_ISSUERS (auth.issuers): a list: lists and maps",
		"BITBEACON_AUTH_VISA_ISSUERS_0_ISSUER=x":         "BITBEACON_AUTH_VISA_ISSUERS_0_ISSUER is under auth.visaIssuers, a list",
		"BITBEACON_HANDOVERS_0_URL=https://x":            "under handovers, a list",
		"BITBEACON_LIMITS_MAX_FILTER=10":                 "BITBEACON_LIMITS_MAX_FILTER names no key of limits",
		"BITBEACON_PRIVACY_QUERY_BUDGET_REQUEST=5":       "names no key of privacy.queryBudget",
	} {
		c := DefaultConfig()
		set, err := c.ApplyEnv([]string{env, "BITBEACON_LIMITS_MAX_FILTERS=10"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: set %v, error %v; want %q", env, set, err, want)
		}
	}
	// Next to a typo, the keys still parse; variables outside every section are left alone.
	c := DefaultConfig()
	if set, err := c.ApplyEnv([]string{"BITBEACON_LIMITS_MAX_FILTERS=10", "BITBEACON_SHARED=/x", "BITBEACON_TEST_DRAIN=1"}); err != nil || len(set) != 1 || c.Limits.MaxFilters != 10 {
		t.Errorf("set %v, error %v, maxFilters %d", set, err, c.Limits.MaxFilters)
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
