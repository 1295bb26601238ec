package api

import (
	"encoding/json"
	"errors"
	"math"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// data answers the entry-type endpoints: /{entry}, /{entry}/{id} and /{entry}/{id}/{related}.
func (s *Server) data(ctx *fasthttp.RequestCtx, r Route) {
	caller, err := s.callerOf(ctx)
	if err != nil {
		s.writeUnauthorized(ctx, err)
		return
	}
	if !s.admit(ctx, caller) {
		return
	}
	st := statePool.Get().(*requestState)
	defer st.release() // nothing below keeps st: the response is written before return
	budget := s.startBudget(ctx, st)
	defer budget.Release()
	var req *Request
	bigBody := len(ctx.PostBody()) >= heavyBody
	if bigBody {
		if err := budget.Acquire(); err != nil {
			s.limitError(ctx, err.(*engine.LimitError), nil)
			return
		}
		req, err = s.parseLowPriority(ctx, st) // admission.go
	} else {
		req, err = s.parse(ctx, st)
	}
	if err == nil {
		err = s.guard(req)
	}
	if err != nil {
		s.writeError(ctx, fasthttp.StatusBadRequest, err.Error(), nil)
		return
	}
	target := r.Target()
	q := &req.Query
	q.Target = target
	switch r.Kind {
	case RouteEntry:
		st.anchor = engine.Anchor{Entity: target, ID: r.ID}
		q.Anchor = &st.anchor
	case RouteRelated:
		st.anchor = engine.Anchor{Entity: r.Entry.Entity, ID: r.ID}
		q.Anchor = &st.anchor
	}
	if !s.cfg.NonFilteredQueriesAllowed && q.Anchor == nil && len(q.Filters) == 0 && len(q.Groups) == 0 && q.Variant == nil {
		s.writeError(ctx, fasthttp.StatusBadRequest, "this beacon does not answer unfiltered queries: add a filter or request parameters", req)
		return
	}
	// /datasets and /cohorts list their collections at every granularity: a collection's
	// descriptive metadata is not sensitive (the verifiers and networks read their ids from
	// the default, boolean, answer); the count still follows the granularity policy.
	listing := r.Kind == RouteEntries && target.IsCollection()
	snap := s.eng.Snapshot()
	// An aggregated answer counts the rows of each set's concepts (aggregation.go).
	var aggTerms []engine.AggregationTerm
	aggregate := req.Aggregated && aggregationTarget(target) && !r.Collections()
	if aggregate {
		if aggTerms, err = resolveAggregators(snap, req, target); err != nil {
			req.Aggregated = false // echoed as count: error bodies keep to the v2.1.1 schema
			s.writeError(ctx, fasthttp.StatusBadRequest, err.Error(), req)
			return
		}
	} else if req.Aggregated {
		req.Aggregated = false // a count answer, echoed so
		req.Warnings = append(req.Warnings, "aggregations are answered for individuals, biosamples, runs and analyses; this answer is a count")
	}
	q.CountOnly = !listing && s.granularity(caller, req.Granularity, nil, false, nil) < Record && !aggregate
	q.RowsOnly = listing // a listing pages over the rows of every set at once
	res := &st.res
	// A plain listing of datasets is their descriptive metadata, which every caller may
	// read; anything else is narrowed to the datasets the caller may see.
	descriptions := target == release.Dataset && r.Kind != RouteRelated && len(q.Filters) == 0 && len(q.Groups) == 0 && q.Variant == nil
	requested := q.DatasetIDs // restrict points q at st.datasets until the answer is built
	var some bool
	if descriptions {
		some = true
	} else {
		st.datasets, some = s.restrict(caller, snap, q, isRecordAnchor(r), st.datasets)
	}
	q.Budget = budget
	// A big body's query holds its slot already and evaluates at low priority too (10,000
	// copies of a sex filter on /g_variants: one filter, 0.6 ms, not heavy by its plan).
	heavy := some && (bigBody || s.heavyByPlan(snap, q)) // admission.go
	if heavy {
		if err := budget.Acquire(); err != nil {
			s.limitError(ctx, err.(*engine.LimitError), req)
			return
		}
	}
	switch {
	case heavy:
		err = evaluateLowPriority(snap, q, res)
	case some:
		err = snap.EvaluateInto(q, res)
	default:
		*res = engine.Result{Target: target}
		if !q.CountOnly {
			res.Rows = roaring.New()
		}
	}
	var adjust []countAdjustment
	var totalAdjust countAdjustment
	if err == nil && !descriptions {
		adjust, totalAdjust, err = s.applyThresholds(snap, q, res, &st.support)
	}
	q.DatasetIDs, q.DatasetIndexes = requested, nil
	if err != nil {
		var le *engine.LimitError
		if errors.As(err, &le) {
			s.limitError(ctx, le, req)
			return
		}
		if engine.IsQueryError(err) {
			s.writeError(ctx, fasthttp.StatusBadRequest, err.Error(), req)
			return
		}
		s.log.Error("evaluating query", "err", err)
		s.writeError(ctx, fasthttp.StatusInternalServerError, "internal error evaluating the query", req)
		return
	}
	g := s.granularity(caller, req.Granularity, res.PerDataset, descriptions, s.policies(snap))
	countAnswer(EntryTypeByEntity(target).PathSegment, g)
	fr, setFreqs, err := s.answerFrequencies(snap, q, res, g, r.Collections())
	budget.Release() // rendering the answer is not heavy work
	if err != nil {
		var le *engine.LimitError
		if errors.As(err, &le) {
			// The frequencies are extra to what was asked: past the budget, the answer goes
			// without them and says why.
			req.Warnings = append(req.Warnings, "allele frequencies left out: "+le.Msg)
			fr, setFreqs, err = nil, nil, nil
		}
	}
	if err != nil {
		s.log.Error("computing allele frequencies", "err", err)
		s.writeError(ctx, fasthttp.StatusInternalServerError, "internal error computing allele frequencies", req)
		return
	}
	e := &dataEnvelope{
		req: req, target: target, g: g, exists: res.Total > 0, total: res.Total, adjust: totalAdjust,
		warnings:  [2][]string{req.Warnings, res.Warnings},
		handovers: s.beaconHandovers(),
	}
	offset, limit := s.window(req)
	if listing || g == Record && r.Collections() {
		s.writeData(ctx, st, e, func(b []byte) []byte {
			return appendCollections(b, s.page(snap, target, res.Rows, offset, limit))
		})
		return
	}
	if g < Record {
		if !r.Collections() {
			e.sets, e.setAdjust, e.includeSets = res.PerDataset, adjust, req.IncludeResultsetResponses
			e.setFrequencies = setFreqs
			if aggregate && g == Count {
				e.aggregations = s.aggregations(snap, aggTerms, res)
			}
		}
		s.writeData(ctx, st, e, nil)
		return
	}
	s.writeData(ctx, st, e, func(b []byte) []byte {
		return appendResultSets(b, s.resultSets(snap, req, res, adjust, offset, limit, fr))
	})
}

// requestState is the memory one data request works in, pooled so that a boolean or count
// request allocates nothing: the request builder and its Request, the engine's Result (whose
// buffers the count reuses), the anchor and the response body.
type requestState struct {
	b      builder
	req    Request
	res    engine.Result
	anchor engine.Anchor
	body   []byte
	// datasets is the list of datasets the caller may see (restrict); support is the
	// carriers behind a variant answer, when a count threshold needs them.
	datasets []string
	support  engine.Result
	// budget bounds the evaluation (guard.go); gone is st.clientGone, made once per state.
	budget engine.Budget
	ctx    *fasthttp.RequestCtx
	gone   func() bool
}

var statePool = sync.Pool{New: func() any {
	st := new(requestState)
	st.b.req = &st.req
	st.gone = st.clientGone
	return st
}}

// maxPooledBody is the largest response buffer kept for the next request: record pages can
// be megabytes, which the pool should not pin.
const maxPooledBody = 64 << 10

func (st *requestState) release() {
	st.ctx, st.budget = nil, engine.Budget{}
	if cap(st.body) > maxPooledBody {
		st.body = nil
	}
	statePool.Put(st)
}

// parse reads the request as GET query parameters or a POST body into st.
func (s *Server) parse(ctx *fasthttp.RequestCtx, st *requestState) (*Request, error) {
	st.b.reset(s.cfg.Defaults())
	if ctx.IsPost() {
		return st.b.parsePOSTQuery(ctx.PostBody(), ctx.QueryArgs())
	}
	return st.b.parseGET(ctx.QueryArgs())
}

// resultSets renders one result set per dataset, filtered by includeResultsetResponses, each
// paged with the same window; resultsCount is the set's total before paging.
// Variant records carry their allele frequencies when fr is not nil (frequency.go).
func (s *Server) resultSets(snap *engine.Snapshot, req *Request, res *engine.Result, adjust []countAdjustment, offset, limit int, fr *frequencies) []resultSet {
	sets := []resultSet{}
	mode := req.IncludeResultsetResponses
	for i, d := range res.PerDataset {
		exists := d.Count > 0
		if !KeepResultSet(mode, exists) {
			continue
		}
		sets = append(sets, resultSet{
			ID:               d.DatasetID,
			SetType:          "dataset",
			Exists:           exists,
			ResultsCount:     d.Count,
			Results:          s.setPage(snap, res.Target, d, offset, limit, fr),
			ResultsHandovers: s.datasetHandovers(d.DatasetID),
		})
		if adjust != nil {
			sets[len(sets)-1].CountPrecision, sets[len(sets)-1].CountAdjustedTo = adjust[i].Precision, adjust[i].AdjustedTo
		}
	}
	return sets
}

// page returns the stored records of one page of rows.
func (s *Server) page(snap *engine.Snapshot, e release.Entity, rows *roaring.Bitmap, offset, limit int) []json.RawMessage {
	ids := engine.Page(rows, offset, limit, nil)
	out := make([]json.RawMessage, 0, len(ids))
	for _, row := range ids {
		rec := json.RawMessage(snap.RecordJSON(e, row))
		if e == release.Dataset {
			rec = s.describeDataset(rec)
		}
		out = append(out, rec)
	}
	return out
}

// describeDataset applies the configured name and description to a dataset record.
func (s *Server) describeDataset(rec json.RawMessage) json.RawMessage {
	var doc map[string]any
	if json.Unmarshal(rec, &doc) != nil {
		return rec
	}
	id, _ := doc["id"].(string)
	d := s.cfg.Dataset(id)
	if d.Name == "" && d.Description == "" {
		return rec
	}
	if d.Name != "" {
		doc["name"] = d.Name
	}
	if d.Description != "" {
		doc["description"] = d.Description
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return rec
	}
	return out
}

// window turns skip/limit into a record offset and a page size: limit 0 means the maximum;
// skip counts pages unless the configuration says records.
func (s *Server) window(req *Request) (offset, limit int) {
	limit = req.Limit
	if limit <= 0 || limit > s.maxLimit() {
		limit = s.maxLimit()
	}
	// skip and limit are clamped before the product: it fits an int64 however large either is.
	limit = min(limit, math.MaxInt32)
	offset = min(max(req.Skip, 0), math.MaxInt32)
	if s.skipCountsPages() {
		offset *= limit
	}
	return offset, limit
}

// meta builds the response meta shared by data and error responses.
func (s *Server) meta(req *Request, entities []release.Entity, g Granularity) responseMeta {
	m := responseMeta{
		BeaconID:            s.cfg.BeaconID,
		APIVersion:          s.cfg.APIVersion,
		ReturnedSchemas:     []schemaRef{},
		ReturnedGranularity: g.String(),
	}
	for _, e := range entities {
		et := EntryTypeByEntity(e)
		m.ReturnedSchemas = append(m.ReturnedSchemas, schemaRef{EntityType: et.ID, Schema: et.DefaultSchemaName})
	}
	sum := receivedSummary{
		APIVersion:           s.cfg.APIVersion,
		RequestedSchemas:     []schemaRef{},
		Pagination:           pagination{Skip: 0, Limit: s.defaultLimit()},
		RequestedGranularity: s.defaultGranularity().String(),
	}
	if req != nil {
		if req.APIVersion != "" {
			sum.APIVersion = req.APIVersion
		}
		for _, rs := range req.RequestedSchemas {
			sum.RequestedSchemas = append(sum.RequestedSchemas, schemaRef(rs))
		}
		sum.Filters = req.EchoFilters
		sum.RequestParameters = req.EchoParams
		sum.IncludeResultsetResponses = req.IncludeResultsetResponses
		sum.Pagination = pagination{Skip: max(req.Skip, 0), Limit: max(req.Limit, 0)}
		sum.RequestedGranularity = req.requestedGranularity()
		sum.TestMode = req.TestMode
		m.TestMode = req.TestMode
	}
	m.ReceivedRequestSummary = sum
	return m
}
