package network

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
)

// Network is the aggregator: the members, the HTTP client they are asked through and the
// derived informational answers.
type Network struct {
	cfg     Config
	members []*member
	client  *http.Client
	log     *slog.Logger
	derived atomic.Pointer[derived]
	started time.Time
	listen  string
}

// New returns a network for a validated cfg. listen (host:port) gives the base URL of /map
// when cfg.BaseURL is empty. Call Refresh before serving, so the informational endpoints
// and the entry types and terms of the members are known.
func New(cfg Config, listen string, log *slog.Logger) *Network {
	if log == nil {
		log = slog.Default()
	}
	n := &Network{cfg: cfg, client: newClient(), log: log, started: time.Now(), listen: listen}
	for _, mc := range cfg.Members {
		n.members = append(n.members, newMember(mc, cfg.Breaker))
	}
	return n
}

// Close drops the network's idle connections to its members.
func (n *Network) Close() { n.client.CloseIdleConnections() }

func (n *Network) baseURL() string {
	if n.cfg.BaseURL != "" {
		return n.cfg.BaseURL
	}
	return "http://" + n.listen
}

// Handler is the fasthttp handler of the network's Beacon v2 API.
func (n *Network) Handler() fasthttp.RequestHandler {
	return fasthttp.CompressHandlerLevel(n.safe, fasthttp.CompressBestSpeed)
}

// safe turns a panic into a logged 500 with a Beacon error body: a member's answer, however
// odd, never takes the network down. A panic is a bug; the tests make sure none is reached.
func (n *Network) safe(ctx *fasthttp.RequestCtx) {
	defer func() {
		if p := recover(); p != nil {
			n.log.Error("panic serving request", "path", string(ctx.Path()), "panic", p, "stack", string(debug.Stack()))
			ctx.Response.Reset()
			ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
			n.writeError(ctx, fasthttp.StatusInternalServerError, "internal error")
		}
	}()
	n.serve(ctx)
}

func (n *Network) serve(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
	if ctx.IsOptions() {
		ctx.Response.Header.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		ctx.Response.Header.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return
	}
	if !ctx.IsGet() && !ctx.IsPost() {
		ctx.Response.Header.Set("Allow", "GET, POST, OPTIONS")
		n.writeError(ctx, fasthttp.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed; use GET or POST", ctx.Method()))
		return
	}
	r := parseRoute(string(ctx.Path()))
	if r.Kind == api.RouteV1Query || r.Kind == api.RouteAggregationTerms || r.Kind == api.RouteFilteringTerms && r.ID != "" {
		// A bitbeacon's v1 /query, aggregation terms and per-collection terms: the network
		// has none of them.
		r.Kind = api.RouteNotFound
	}
	d := n.derived.Load()
	if d == nil && r.Kind != api.RouteNotFound {
		d = n.derive()
	}
	switch r.Kind {
	case api.RouteNotFound:
		n.writeError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no endpoint %s; see /map for the endpoints of this network", ctx.Path()))
	case api.RouteInfo:
		writeJSON(ctx, fasthttp.StatusOK, d.info)
	case api.RouteServiceInfo:
		writeJSON(ctx, fasthttp.StatusOK, n.serviceInfo(d))
	case api.RouteConfiguration:
		writeJSON(ctx, fasthttp.StatusOK, d.configuration)
	case api.RouteEntryTypes:
		writeJSON(ctx, fasthttp.StatusOK, d.entryTypes)
	case api.RouteMap:
		writeJSON(ctx, fasthttp.StatusOK, d.mapDoc)
	case api.RouteFilteringTerms:
		n.filteringTerms(ctx, r, d)
	default:
		n.data(ctx, r, d)
	}
}

func writeJSON(ctx *fasthttp.RequestCtx, status int, body []byte) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(body)
}

// writeError answers with a Beacon error body in the network's name.
func (n *Network) writeError(ctx *fasthttp.RequestCtx, status int, msg string) {
	writeJSON(ctx, status, mustJSON(map[string]any{
		"meta": map[string]any{"beaconId": n.cfg.BeaconID, "apiVersion": "v2.0.0", "returnedSchemas": []any{},
			"returnedGranularity": "boolean",
			"receivedRequestSummary": map[string]any{api.KeyAPIVersion: "v2.0.0", api.KeyRequestedSchemas: []any{},
				api.KeyPagination: map[string]any{api.ParamSkip: 0, api.ParamLimit: api.DefaultPagination().DefaultLimit}, api.ParamGranularity: "boolean"}},
		"error": map[string]any{"errorCode": status, "errorMessage": msg},
	}))
}

func (n *Network) serviceInfo(d *derived) []byte {
	c := n.cfg
	return mustJSON(map[string]any{"id": c.BeaconID, "name": c.Name,
		"type":         map[string]any{"group": "org.ga4gh", "artifact": "beacon", "version": "v2.0.0"},
		"organization": map[string]any{"name": c.Organization.Name, "url": cmp.Or(c.Organization.WelcomeURL, n.baseURL())},
		"environment":  c.Environment, "version": api.Version, "updatedAt": d.updated,
		"description": cmp.Or(c.Description, "A Beacon network of "+fmt.Sprint(len(n.members))+" members")})
}

// filteringTerms answers /filtering_terms (and /{entry}/filtering_terms, the terms whose
// scopes include that entry type) from the union of the members' terms.
func (n *Network) filteringTerms(ctx *fasthttp.RequestCtx, r route, d *derived) {
	terms := d.terms
	if r.Entry.ID != "" {
		scope := string(r.Entry.Entity)
		var kept []any
		for _, t := range terms {
			scopes, _ := t.(map[string]any)["scopes"].([]any)
			if slices.ContainsFunc(scopes, func(s any) bool { return str(s) == scope }) {
				kept = append(kept, t)
			}
		}
		terms = kept
	}
	// Paged as a bitbeacon with the default paging pages them: its default page without a
	// limit, limit 0 (or above its largest page) for the largest, skip in pages.
	args := ctx.QueryArgs()
	skip, limit := args.GetUintOrZero(api.ParamSkip), api.DefaultPagination().DefaultLimit
	if args.Has(api.ParamLimit) {
		limit = args.GetUintOrZero(api.ParamLimit)
	}
	if limit <= 0 || limit > termsPage {
		limit = termsPage
	}
	offset := len(terms)
	if skip < len(terms)/limit+1 {
		offset = min(skip*limit, len(terms))
	}
	terms = terms[offset:]
	terms = terms[:min(limit, len(terms))]
	if terms == nil {
		terms = []any{}
	}
	writeJSON(ctx, fasthttp.StatusOK, mustJSON(map[string]any{
		"meta":     infoMeta(n.cfg.BeaconID, "filteringTerm", "beacon-filtering-terms-v2.0.0"),
		"response": map[string]any{"filteringTerms": terms, "resources": d.resources},
	}))
}

// skipReason says why a member is not asked this request ("" when it is): it does not serve
// the entry type, does not know one of the filters, or is a v1 beacon and the request has no
// v1 form.
func skipReason(m *member, r route, req *api.Request) string {
	mm := m.meta.Load()
	et := r.target()
	if mm != nil && mm.entryTypes != nil {
		if _, ok := mm.entryTypes[et.ID]; !ok {
			return "does not serve entry type " + et.ID
		}
		if r.Kind == api.RouteRelated {
			if _, ok := mm.entryTypes[r.Entry.ID]; !ok {
				return "does not serve entry type " + r.Entry.ID
			}
		}
	}
	if m.cfg.V1() {
		if _, why := v1Params(r, req); why != "" {
			return why
		}
		return ""
	}
	if mm != nil && mm.termIDs != nil {
		for _, f := range req.Query.Filters {
			if ontologyTermFilter(f.Operator, f.ID) && !mm.termIDs[f.ID] {
				return "does not know filter " + f.ID
			}
		}
	}
	return ""
}

// ontologyTermFilter reports whether a filter is an ontology term (a CURIE, no operator):
// only those are matched against a member's /filtering_terms. Alphanumeric filters may use
// short field names and custom filters labels, which a member resolves itself and does not
// list, so they never make the network skip a member. Filters inside OR groups do not
// either: a member may know one alternative only.
func ontologyTermFilter(operator, id string) bool {
	return operator == "" && strings.Contains(id, ":")
}

// data fans a data request out to every member that can answer it and merges the answers.
func (n *Network) data(ctx *fasthttp.RequestCtx, r route, d *derived) {
	defaults := api.Defaults{Granularity: api.Boolean}
	var req *api.Request
	var err error
	if ctx.IsPost() {
		req, err = api.ParsePOSTQuery(ctx.PostBody(), ctx.QueryArgs(), defaults)
	} else {
		req, err = api.ParseGET(ctx.QueryArgs(), defaults)
	}
	if err != nil {
		n.writeError(ctx, fasthttp.StatusBadRequest, err.Error())
		return
	}
	o := outgoing{method: string(ctx.Method()), path: r.path, rawQuery: string(ctx.URI().QueryString()),
		auth: string(ctx.Request.Header.Peek("Authorization"))}
	if ctx.IsPost() {
		o.body = append([]byte(nil), ctx.PostBody()...)
	}
	rctx, cancel := context.WithTimeout(context.Background(), n.cfg.RequestTimeout)
	defer cancel()
	statuses := make([]memberStatus, len(n.members))
	parts := make([]*contribution, len(n.members))
	var wg sync.WaitGroup
	for i, m := range n.members {
		statuses[i] = memberStatus{ID: m.cfg.ID, APIVersion: m.cfg.APIVersion}
		if why := skipReason(m, r, req); why != "" {
			statuses[i].Status, statuses[i].Reason = StatusSkipped, why
			continue
		}
		wg.Go(func() { parts[i] = n.ask(rctx, m, r, req, o, &statuses[i]) })
	}
	wg.Wait()
	var got []*contribution
	for _, p := range parts {
		if p != nil {
			got = append(got, p)
		}
	}
	warnings := slices.Clone(req.Warnings)
	if !slices.ContainsFunc(statuses, func(s memberStatus) bool { return s.Status != StatusSkipped }) {
		warnings = append(warnings, "no member of this network answers this request: "+skipSummary(statuses))
	}
	writeJSON(ctx, fasthttp.StatusOK, mustJSON(merge(n.cfg.BeaconID, req, r, got, statuses, warnings)))
}

func skipSummary(st []memberStatus) string {
	var parts []string
	for _, s := range st {
		parts = append(parts, s.ID+" "+s.Reason)
	}
	return strings.Join(parts, "; ")
}

// ask sends the request to one member under its timeout and the request's deadline, and
// returns its contribution (nil unless the answer was a valid Beacon answer), filling st.
func (n *Network) ask(ctx context.Context, m *member, r route, req *api.Request, o outgoing, st *memberStatus) *contribution {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	var c *contribution
	var check func(*reply) error
	if m.cfg.V1() {
		q, _ := v1Params(r, req)
		o = outgoing{method: http.MethodGet, path: "/query", rawQuery: q.Encode(), auth: o.auth}
		check = func(rep *reply) (err error) {
			c, err = v1Contribution(m, rep.body, req.IncludeResultsetResponses)
			return err
		}
	} else {
		check = func(rep *reply) error {
			doc, err := decodeDoc(rep.body)
			if err == nil {
				err = validate(dataCheck(doc, r.collectionsRoot()), doc, "")
			}
			if err != nil {
				return &memberFailure{status: StatusInvalid, msg: "not a valid Beacon response: " + err.Error()}
			}
			if e, ok := doc["error"].(map[string]any); ok {
				return &memberRefusal{msg: fmt.Sprintf("error %v: %s", e["errorCode"], str(e["errorMessage"]))}
			}
			if rep.status != http.StatusOK {
				return &memberFailure{status: StatusInvalid, msg: fmt.Sprintf("HTTP %d with a data body", rep.status)}
			}
			c = v2Contribution(m, doc)
			return nil
		}
	}
	_, status, reason := call(ctx, n.client, m, o, n.cfg.HedgeAfter, check)
	st.Status, st.Reason, st.Ms = status, reason, time.Since(start).Milliseconds()
	if status != StatusOK {
		return nil
	}
	st.BeaconID, st.Granularity = c.beaconID, c.granularity.String()
	return c
}
