package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/auth"
	"github.com/bitbeacon/bitbeacon/internal/oidctest"
)

// With access control on (a real in-process OIDC issuer on loopback): anonymous, the
// REGISTERED dataset answers at its belowLevel (boolean) and the page says which dataset
// answered lower; with a valid token pasted, both answer at count and the split is the
// API's; a token the beacon refuses shows the beacon's 401 message.
func TestTokenOpensRegisteredDataset(t *testing.T) {
	idp := oidctest.New(t)
	const audience = "bitbeacon-ui-test"
	cfg := api.DemoConfig()
	cfg.Auth = auth.Config{Issuers: []auth.IssuerConfig{{Issuer: idp.URL, Audience: audience}}}
	cfg.Datasets = map[string]api.DatasetConfig{secondSet.DatasetID: {SecurityLevel: "REGISTERED", BelowLevel: "boolean"}}
	b, err := serveRelease("multi", cfg)
	if err != nil {
		t.Fatal(err)
	}
	token := idp.Sign(oidctest.Token{Claims: idp.AccessClaims("ada", audience, time.Now().Truncate(time.Second))})
	const q = "/individuals?filters=NCIT:C16576&requestedGranularity=count"
	var anon answer
	b.getJSON(t, q, &anon)
	if anon.Meta.ReturnedGranularity != "boolean" {
		t.Fatalf("anonymous, the answer is at %s: the REGISTERED dataset should hold it at boolean", anon.Meta.ReturnedGranularity)
	}
	var want answer
	b.getJSONWith(t, q, "Bearer "+token, &want)
	if want.Meta.ReturnedGranularity != "count" || want.ResponseSummary.NumTotalResults == 0 {
		t.Fatalf("with the token: %s, %d", want.Meta.ReturnedGranularity, want.ResponseSummary.NumTotalResults)
	}

	p := newPage(t, b)
	p.open("/ui" + q)
	if n := p.text("#answer-lower"); !strings.Contains(n, "lower than the count asked for") {
		t.Errorf("anonymous: the note on the lower granularity is %q", n)
	}
	if g := p.text(`#per-dataset tr[data-dataset="` + secondSet.DatasetID + `"] td.granularity`); !strings.Contains(g, "below the count asked for") {
		t.Errorf("anonymous: the REGISTERED dataset's granularity cell says %q", g)
	}
	if g := p.text(`#per-dataset tr[data-dataset="bitbeacon_demo"] td.granularity`); g != "count" {
		t.Errorf("anonymous: the PUBLIC dataset's granularity cell says %q", g)
	}

	p.click("#token-box > summary")
	p.typeInto("#token", token+kb.Tab)
	p.poll(`document.getElementById('token-state').textContent.startsWith('Token set')`)
	p.poll(`document.getElementById('answer-granularity')?.dataset.returned === 'count'`)
	p.waitAnswer()
	if got := p.number("#answer-total"); got != want.ResponseSummary.NumTotalResults {
		t.Errorf("with the token the page shows %d, the API %d", got, want.ResponseSummary.NumTotalResults)
	}
	for _, s := range want.Response.ResultSets {
		if got := p.number(`#per-dataset tr[data-dataset="` + s.ID + `"] td.num`); got != s.ResultsCount {
			t.Errorf("with the token %s shows %d, the API %d", s.ID, got, s.ResultsCount)
		}
	}
	if p.text("#answer-lower") != "" {
		t.Error("with the token the page still says the answer is lower")
	}

	p.click("#token-clear")
	p.waitAnswer()
	p.typeInto("#token", "not-a-token"+kb.Tab)
	p.poll(`document.getElementById('answer-error-message') !== null`)
	var refused answer
	b.getJSONWith(t, q, "Bearer not-a-token", &refused)
	if refused.Error == nil {
		t.Fatal("the beacon accepted a token that is no JWT")
	}
	if msg := p.text("#answer-error-message"); !strings.HasPrefix(msg, refused.Error.ErrorMessage) {
		t.Errorf("a refused token shows %q, the API said %d %q", msg, refused.Error.ErrorCode, refused.Error.ErrorMessage)
	}
}
