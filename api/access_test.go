package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/auth"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/internal/oidctest"
)

const (
	testAudience = "bitbeacon"
	fixtureVisa  = "https://example.org/datasets/FIXTURE"
)

// accessFixture is the "multi" release (FIXTURE and FIXTURE_B, the same six individuals
// each) behind a beacon trusting a loopback issuer (tokens and visas) and a second visa
// issuer; stranger is trusted by nobody.
type accessFixture struct {
	idp, visas, stranger *oidctest.Issuer
	now                  time.Time
	h                    fasthttp.RequestHandler
}

func newAccessFixture(t *testing.T, datasets map[string]DatasetConfig, edit func(*Config)) *accessFixture {
	t.Helper()
	f := &accessFixture{idp: oidctest.New(t), visas: oidctest.New(t), stranger: oidctest.New(t), now: time.Now().Truncate(time.Second)}
	cfg := DefaultConfig()
	cfg.Datasets = datasets
	cfg.Auth = auth.Config{
		Issuers: []auth.IssuerConfig{{Issuer: f.idp.URL, Audience: testAudience}},
		VisaIssuers: []auth.VisaIssuerConfig{
			{Issuer: f.idp.URL, JWKSURI: f.idp.JWKSURI()},
			{Issuer: f.visas.URL, JWKSURI: f.visas.JWKSURI()},
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "multi"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.h = NewServer(eng, &cfg, nil).Handler()
	return f
}

func (f *accessFixture) access(sub string) string {
	return f.idp.Sign(oidctest.Token{Claims: f.idp.AccessClaims(sub, testAudience, f.now)})
}

func (f *accessFixture) visa(sub, value string) string {
	return f.visas.Sign(oidctest.Token{Kid: "ec1", Typ: "vnd.ga4gh.visa+jwt", Claims: f.visas.VisaClaims(sub, value, f.now)})
}

func (f *accessFixture) passport(sub string, visas ...string) string {
	c := f.idp.AccessClaims(sub, testAudience, f.now)
	c["ga4gh_passport_v1"] = visas
	return f.idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: c})
}

// refusedVisas are visas for alice naming FIXTURE's grant that must each be refused.
func (f *accessFixture) refusedVisas(t testing.TB) map[string]string {
	good := f.visas.VisaClaims("alice", fixtureVisa, f.now)
	edit := func(k string, v any) oidctest.Claims {
		g := map[string]any{}
		for kk, vv := range good["ga4gh_visa_v1"].(map[string]any) {
			g[kk] = vv
		}
		g[k] = v
		c := oidctest.Claims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		c["ga4gh_visa_v1"] = g
		return c
	}
	claims := func(k string, v any) oidctest.Claims {
		c := oidctest.Claims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		c[k] = v
		return c
	}
	sign := func(c oidctest.Claims) string { return f.visas.Sign(oidctest.Token{Kid: "ec1", Claims: c}) }
	return map[string]string{
		"forged":          oidctest.Resigned(f.visa("alice", "https://example.org/datasets/OTHER"), good),
		"untrusted":       f.stranger.Sign(oidctest.Token{Claims: claims("iss", f.stranger.URL)}),
		"posing with jku": f.stranger.Sign(oidctest.Token{Kid: "ec1", JKU: f.stranger.JWKSURI(), Claims: good}),
		"expired":         sign(claims("exp", f.now.Add(-time.Hour).Unix())),
		"other subject":   sign(claims("sub", "bob")),
		"other type":      sign(edit("type", "ResearcherStatus")),
		"conditions":      sign(edit("conditions", [][]map[string]any{{{"type": "AffiliationAndRole", "value": "const:x", "by": "const:so"}}})),
		"value prefix":    sign(edit("value", fixtureVisa+"/extra")),
		"no by":           sign(edit("by", "")),
		"alg none":        oidctest.Unsigned("ec1", good),
		"hmac":            oidctest.HMAC(t, "ec1", f.visas.PublicKeyPEM("ec1"), good),
	}
}

// badTokens are bearer tokens that must each be refused with 401.
func (f *accessFixture) badTokens(t *testing.T) map[string]string {
	good := f.idp.AccessClaims("alice", testAudience, f.now)
	with := func(k string, v any) oidctest.Claims {
		c := oidctest.Claims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	return map[string]string{
		"garbage":        "garbage",
		"expired":        f.idp.Sign(oidctest.Token{Claims: with("exp", f.now.Add(-time.Hour).Unix())}),
		"not yet valid":  f.idp.Sign(oidctest.Token{Claims: with("nbf", f.now.Add(time.Hour).Unix())}),
		"wrong audience": f.idp.Sign(oidctest.Token{Claims: with("aud", "other")}),
		"wrong issuer":   f.idp.Sign(oidctest.Token{Claims: with("iss", "https://login.example.org")}),
		"re-signed":      oidctest.Resigned(f.access("alice"), with("sub", "root")),
		"alg none":       oidctest.Unsigned("rsa1", good),
		"hmac confusion": oidctest.HMAC(t, "rsa1", f.idp.PublicKeyPEM("rsa1"), good),
		"stranger":       f.stranger.Sign(oidctest.Token{Claims: good}),
		"stranger passport": f.stranger.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt",
			Claims: with("ga4gh_passport_v1", []string{f.visa("alice", fixtureVisa)})}),
	}
}

// accessPaths are the data endpoints of the matrix: entry types, /{id}, cross-entry,
// /datasets/{id}/…, variant queries.
var accessPaths = []string{
	"/individuals",
	"/individuals?filters=NCIT:C16576",
	"/individuals/I1",
	"/individuals/I1?filters=NCIT:C16576",
	"/individuals/I5/biosamples",
	"/individuals/I1/g_variants",
	"/individuals/I1/g_variants?assemblyId=GRCh38&referenceName=1&start=1000&referenceBases=A&alternateBases=G",
	"/biosamples",
	"/biosamples/B1",
	"/biosamples/B1/g_variants",
	"/runs",
	"/analyses",
	"/g_variants",
	"/g_variants?assemblyId=GRCh38&referenceName=1&start=1000&referenceBases=A&alternateBases=G",
	"/g_variants?assemblyId=GRCh38&referenceName=1&start=1000&referenceBases=A&alternateBases=G&filters=NCIT:C16576",
	"/datasets/FIXTURE/individuals",
	"/datasets/FIXTURE_B/individuals",
	"/datasets/FIXTURE/g_variants",
	"/individuals?datasetIds=FIXTURE",
	// an unknown id beside a hidden one (networks send every id): the hidden one stays hidden
	"/individuals?datasetIds=FIXTURE,NOPE",
	"/individuals?datasetIds=NOPE,FIXTURE_B",
	"/individuals?datasetIds=NO_SUCH_DATASET,FIXTURE",
}

// requestedDatasets lists a path's datasetIds, nil without any.
func requestedDatasets(path string) []string {
	_, q, _ := strings.Cut(path, "datasetIds=")
	if q == "" {
		return nil
	}
	q, _, _ = strings.Cut(q, "&")
	return strings.Split(q, ",")
}

// withParam adds a query parameter to a path.
func withParam(p, kv string) string {
	if strings.Contains(p, "?") {
		return p + "&" + kv
	}
	return p + "?" + kv
}

// perDataset is each dataset's count in an answer with every result set (record, ALL).
func perDataset(t *testing.T, h fasthttp.RequestHandler, path, token string) map[string]uint64 {
	t.Helper()
	s := queryBearer(t, h, "GET", withParam(path, "requestedGranularity=record&includeResultsetResponses=ALL&limit=0"), nil, token, 200)
	out := map[string]uint64{}
	for _, rs := range s.Response.ResultSets {
		out[rs.ID] = rs.ResultsCount
	}
	return out
}

// TestAccessMatrix: for each kind of caller, the exact datasets each endpoint reveals at
// each granularity, and every refused token is a 401 everywhere.
func TestAccessMatrix(t *testing.T) {
	datasets := map[string]DatasetConfig{
		"FIXTURE":   {SecurityLevel: SecurityControlled, Visa: fixtureVisa},
		"FIXTURE_B": {SecurityLevel: SecurityRegistered},
	}
	f := newAccessFixture(t, datasets, nil)
	open := newAccessFixture(t, nil, nil) // the same release, every dataset PUBLIC: the truth

	userinfo := f.idp.Sign(oidctest.Token{Claims: func() oidctest.Claims {
		c := f.idp.AccessClaims("carol", testAudience, f.now)
		c["scope"] = "openid ga4gh_passport_v1"
		return c
	}()})
	f.idp.SetPassport(userinfo, []string{f.visa("carol", fixtureVisa)})
	var refused []string
	for _, v := range f.refusedVisas(t) {
		refused = append(refused, v)
	}
	both := []string{"FIXTURE", "FIXTURE_B"}
	callers := []struct {
		name, token string
		sees        []string
	}{
		{"anonymous", "", nil},
		{"registered", f.access("alice"), []string{"FIXTURE_B"}},
		{"refused visas", f.passport("alice", refused...), []string{"FIXTURE_B"}},
		{"visa for another dataset", f.passport("alice", f.visa("alice", "FIXTURE")), []string{"FIXTURE_B"}},
		{"passport with grant", f.passport("alice", append(refused, f.visa("alice", fixtureVisa))...), both},
		{"userinfo grant", userinfo, both},
	}
	for _, path := range accessPaths {
		truth := perDataset(t, open.h, path, "")
		if strings.Contains(path, "I1") || path == "/individuals" {
			if truth["FIXTURE"] == 0 || truth["FIXTURE_B"] == 0 {
				t.Fatalf("%s: the open beacon finds nothing in a dataset (%v): the matrix would prove nothing", path, truth)
			}
		}
		for _, c := range callers {
			var want uint64
			for _, id := range c.sees {
				if named := requestedDatasets(path); named == nil || slices.Contains(named, id) {
					want += truth[id]
				}
			}
			got := perDataset(t, f.h, path, c.token)
			for id, n := range got {
				if !slices.Contains(c.sees, id) {
					t.Errorf("%s, %s: result set of %s (%d) reached a caller who may not see it", path, c.name, id, n)
				} else if n != truth[id] {
					t.Errorf("%s, %s: %s counts %d, want %d", path, c.name, id, n, truth[id])
				}
			}
			cs := queryBearer(t, f.h, "GET", withParam(path, "requestedGranularity=count"), nil, c.token, 200)
			if cs.ResponseSummary.NumTotalResults == nil || *cs.ResponseSummary.NumTotalResults != want || cs.ResponseSummary.Exists != (want > 0) {
				t.Errorf("%s, %s: count %v exists %v, want %d", path, c.name, fmtCount(cs.ResponseSummary.NumTotalResults), cs.ResponseSummary.Exists, want)
			}
			bs := queryBearer(t, f.h, "GET", withParam(path, "requestedGranularity=boolean"), nil, c.token, 200)
			if bs.ResponseSummary.Exists != (want > 0) {
				t.Errorf("%s, %s: boolean exists %v, want %v", path, c.name, bs.ResponseSummary.Exists, want > 0)
			}
			for _, sm := range []summary{cs, bs} { // the v2.2 summary sets of boolean and count answers
				for _, rs := range sm.Response.ResultSets {
					if !slices.Contains(c.sees, rs.ID) {
						t.Errorf("%s, %s: summary set of %s reached a caller who may not see it", path, c.name, rs.ID)
					}
				}
			}
			if c.sees == nil && !strings.Contains(path, "datasetIds") { // (a request's own datasetIds are echoed)
				_, body := doBearer(f.h, "GET", withParam(path, "requestedGranularity=record&includeResultsetResponses=ALL"), nil, c.token)
				if strings.Contains(string(body), `"FIXTURE"`) || strings.Contains(string(body), `"FIXTURE_B"`) {
					t.Errorf("%s, anonymous: the body names a dataset: %s", path, truncate(body))
				}
			}
		}
		for name, tok := range f.badTokens(t) {
			status, body := doBearer(f.h, "GET", withParam(path, "requestedGranularity=record"), nil, tok)
			var e struct {
				Error struct {
					ErrorCode int `json:"errorCode"`
				} `json:"error"`
			}
			if status != 401 || json.Unmarshal(body, &e) != nil || e.Error.ErrorCode != 401 {
				t.Errorf("%s, %s token: status %d: %s", path, name, status, truncate(body))
			}
		}
	}
}

// /filtering_terms lists only the terms of datasets the caller may see; /datasets lists
// every dataset's description but no counts of a hidden one; /configuration shows the
// levels in use.
func TestAccessInformational(t *testing.T) {
	datasets := map[string]DatasetConfig{"FIXTURE": {SecurityLevel: SecurityControlled, Visa: fixtureVisa}, "FIXTURE_B": {SecurityLevel: SecurityRegistered}}
	f := newAccessFixture(t, datasets, nil)
	terms := func(path, token string) int {
		status, body := doBearer(f.h, "GET", path, nil, token)
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		var r struct {
			Response struct {
				FilteringTerms []struct{ ID string } `json:"filteringTerms"`
			} `json:"response"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		return len(r.Response.FilteringTerms)
	}
	all := terms("/filtering_terms", f.passport("alice", f.visa("alice", fixtureVisa)))
	if all == 0 {
		t.Fatal("no filtering terms for a caller who sees everything")
	}
	for _, p := range []string{"/filtering_terms", "/individuals/filtering_terms", "/datasets/FIXTURE/filtering_terms", "/datasets/FIXTURE_B/filtering_terms"} {
		if n := terms(p, ""); n != 0 {
			t.Errorf("%s: %d terms for an anonymous caller who may see no dataset", p, n)
		}
	}
	reg := f.access("alice")
	if n := terms("/filtering_terms", reg); n != all { // FIXTURE_B holds the same terms
		t.Errorf("registered: %d terms, want %d", n, all)
	}
	if n := terms("/datasets/FIXTURE/filtering_terms", reg); n != 0 {
		t.Errorf("registered, FIXTURE: %d terms", n)
	}
	if status, _ := doBearer(f.h, "GET", "/filtering_terms", nil, "garbage"); status != 401 {
		t.Errorf("/filtering_terms with a bad token: %d", status)
	}
	// /datasets: descriptive metadata of both, to everyone.
	s := queryBearer(t, f.h, "GET", "/datasets?requestedGranularity=record", nil, "", 200)
	if len(s.Response.Collections) != 2 {
		t.Errorf("/datasets lists %d datasets to an anonymous caller, want both descriptions", len(s.Response.Collections))
	}
	// …but filtering them by content is a query of their data.
	s = queryBearer(t, f.h, "GET", "/datasets?requestedGranularity=record&filters=NCIT:C16576", nil, "", 200)
	if len(s.Response.Collections) != 0 || s.ResponseSummary.Exists {
		t.Errorf("/datasets?filters: %d datasets to an anonymous caller", len(s.Response.Collections))
	}
	status, body := do(f.h, "GET", "/configuration", nil)
	if status != 200 || !strings.Contains(string(body), `"securityLevels":["REGISTERED","CONTROLLED"]`) {
		t.Errorf("/configuration: %d %s", status, truncate(body))
	}
}

// belowLevel boolean or count lets a caller below the level see that much of a dataset,
// never per record: /individuals/{id}?filters=… cannot rebuild anyone's attributes.
func TestBelowLevel(t *testing.T) {
	for _, below := range []string{"boolean", "count"} {
		f := newAccessFixture(t, map[string]DatasetConfig{
			"FIXTURE":   {SecurityLevel: SecurityControlled, BelowLevel: below},
			"FIXTURE_B": {SecurityLevel: SecurityControlled, Visa: "B"},
		}, nil)
		s := query(t, f.h, "GET", "/individuals?filters=NCIT:C16576&requestedGranularity=record", nil, 200)
		// One summary set (v2.2), FIXTURE's, without records; nothing of FIXTURE_B.
		if s.Meta.ReturnedGranularity != below || !s.ResponseSummary.Exists || len(s.Response.ResultSets) != 1 ||
			s.Response.ResultSets[0].ID != "FIXTURE" || len(s.Response.ResultSets[0].Results) != 0 {
			t.Errorf("%s: returned %s exists %v, %d result sets", below, s.Meta.ReturnedGranularity, s.ResponseSummary.Exists, len(s.Response.ResultSets))
		}
		if below == "count" && (s.ResponseSummary.NumTotalResults == nil || *s.ResponseSummary.NumTotalResults != 3) {
			t.Errorf("count below level: %v, want 3 females of FIXTURE only", fmtCount(s.ResponseSummary.NumTotalResults))
		}
		for i := 1; i <= 6; i++ {
			for _, p := range []string{"/individuals/I%d?filters=NCIT:C16576", "/individuals/I%d/g_variants", "/individuals/I%d/biosamples"} {
				path := fmt.Sprintf(p, i)
				if s := query(t, f.h, "GET", path, nil, 200); s.ResponseSummary.Exists {
					t.Errorf("%s, below level %s: exists per record", path, below)
				}
			}
		}
		// The grant holder gets the records.
		tok := f.passport("alice", f.visa("alice", "FIXTURE"))
		if s := queryBearer(t, f.h, "GET", "/individuals/I1?requestedGranularity=record", nil, tok, 200); len(s.Response.ResultSets) != 1 || s.Response.ResultSets[0].ID != "FIXTURE" {
			t.Errorf("granted caller: %+v", s.Response.ResultSets)
		}
	}
}

// A configured dataset id the release does not have stops the server.
func TestConfiguredDatasetMustExist(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {SecurityLevel: SecurityControlled}, "FIXTUER_B": {SecurityLevel: SecurityControlled}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	has := func(id string) bool { return id == "FIXTURE" || id == "FIXTURE_B" }
	err := cfg.CheckDatasets(has, "000001")
	if err == nil || !strings.Contains(err.Error(), "FIXTUER_B") {
		t.Errorf("misspelt dataset: %v", err)
	}
	delete(cfg.Datasets, "FIXTUER_B")
	if err := cfg.CheckDatasets(has, "000001"); err != nil {
		t.Error(err)
	}
}

func authIssuer(url string) auth.IssuerConfig {
	return auth.IssuerConfig{Issuer: url, Audience: testAudience}
}

func authVisaIssuer(url, jwks string) auth.VisaIssuerConfig {
	return auth.VisaIssuerConfig{Issuer: url, JWKSURI: jwks}
}

// Beacon v1 /query follows the same policy: only the datasets the caller may see answer,
// a refused token is a 401, and a variant carried by fewer than countThreshold individuals
// is not reported.
func TestV1QueryAccess(t *testing.T) {
	f := newAccessFixture(t, map[string]DatasetConfig{
		"FIXTURE":   {SecurityLevel: SecurityControlled, Visa: fixtureVisa},
		"FIXTURE_B": {SecurityLevel: SecurityRegistered, CountThreshold: 3},
	}, nil)
	const uri = "/query?referenceName=1&start=1000&referenceBases=A&alternateBases=G&assemblyId=GRCh38&includeDatasetResponses=ALL"
	answer := func(token string) (bool, []string) {
		status, body := doBearer(f.h, "GET", uri, nil, token)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		var a struct {
			Exists   bool `json:"exists"`
			Datasets []struct {
				DatasetID string `json:"datasetId"`
				Exists    bool   `json:"exists"`
			} `json:"datasetAlleleResponses"`
		}
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		var hits []string
		for _, d := range a.Datasets {
			if d.Exists {
				hits = append(hits, d.DatasetID)
			}
			if d.DatasetID == "FIXTURE" && token == "" {
				t.Errorf("anonymous v1 answer names FIXTURE: %s", body)
			}
		}
		return a.Exists, hits
	}
	if exists, hits := answer(""); exists || len(hits) != 0 {
		t.Errorf("anonymous: exists %v, hits %v", exists, hits)
	}
	// FIXTURE_B is visible to a registered caller but V1 has two carriers, under its threshold of 3.
	if exists, hits := answer(f.access("alice")); exists || len(hits) != 0 {
		t.Errorf("registered: exists %v, hits %v", exists, hits)
	}
	if exists, hits := answer(f.passport("alice", f.visa("alice", fixtureVisa))); !exists || !slices.Equal(hits, []string{"FIXTURE"}) {
		t.Errorf("granted: exists %v, hits %v", exists, hits)
	}
	if status, _ := doBearer(f.h, "GET", uri, nil, "garbage"); status != 401 {
		t.Errorf("bad token: %d", status)
	}
}
