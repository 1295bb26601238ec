package api

import (
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/internal/oidctest"
)

// BenchmarkCountWithToken: a count query anonymous and with a bearer token whose
// verification is cached (the design target: with a token at least 0.8x the anonymous
// rate), and with a passport granting a CONTROLLED dataset.
func BenchmarkCountWithToken(b *testing.B) {
	idp := oidctest.New(b)
	visas := oidctest.New(b)
	now := time.Now()
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {SecurityLevel: SecurityControlled}, "FIXTURE_B": {SecurityLevel: SecurityRegistered}}
	cfg.Auth.Issuers = append(cfg.Auth.Issuers, authIssuer(idp.URL))
	cfg.Auth.VisaIssuers = append(cfg.Auth.VisaIssuers, authVisaIssuer(visas.URL, visas.JWKSURI()))
	h := testHandlerWith(b, "multi", &cfg)
	open := testHandler(b, "multi")
	token := idp.Sign(oidctest.Token{Claims: idp.AccessClaims("alice", testAudience, now)})
	pc := idp.AccessClaims("alice", testAudience, now)
	pc["ga4gh_passport_v1"] = []string{visas.Sign(oidctest.Token{Kid: "ec1", Claims: visas.VisaClaims("alice", "FIXTURE", now)})}
	passport := idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: pc})
	const uri = "/individuals?filters=NCIT:C16576&requestedGranularity=count"
	run := func(b *testing.B, h fasthttp.RequestHandler, token string) {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(uri)
		if token != "" {
			ctx.Request.Header.Set("Authorization", "Bearer "+token)
		}
		h(&ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("%d %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			ctx.Response.Reset()
			h(&ctx)
		}
	}
	b.Run("anonymous-open", func(b *testing.B) { run(b, open, "") })
	b.Run("anonymous", func(b *testing.B) { run(b, h, "") })
	b.Run("token", func(b *testing.B) { run(b, h, token) })
	b.Run("passport", func(b *testing.B) { run(b, h, passport) })
}
