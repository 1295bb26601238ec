package api

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Data responses are appended by hand into the request's reused buffer: the bytes are those
// encoding/json writes for a dataResponse with HTML escaping off
// (TestDataEnvelopeMatchesEncodingJSON), without its reflection, its per-request meta values
// or their allocations. encoding/json would also re-validate and re-compact every record
// (most of the cost of a page), while records are stored as compact, valid JSON by ingest
// and are copied as they are.

// dataEnvelope is what a data response says besides its response section.
type dataEnvelope struct {
	req       *Request
	target    release.Entity
	g         Granularity
	exists    bool
	total     uint64          // written when g >= Count
	adjust    countAdjustment // of total
	warnings  [2][]string
	handovers []handover
	// sets, when not nil, are the per-dataset answers written as the response section of a
	// boolean or count answer (those includeSets keeps), setAdjust their count adjustments.
	sets        []engine.DatasetResult
	setAdjust   []countAdjustment
	includeSets string
	// setFrequencies, when not nil, holds each set's frequencyInPopulations value (nil for
	// none), parallel to sets: a count answer matching one variant (frequency.go).
	setFrequencies [][]byte
}

// writeData writes a data response (status 200) whose response section, if any, comes from
// appendResponse, built in the request's reused buffer.
func (s *Server) writeData(ctx *fasthttp.RequestCtx, st *requestState, e *dataEnvelope, appendResponse func([]byte) []byte) {
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/json")
	if ctx.IsHead() {
		return
	}
	st.body = s.appendDataResponse(st.body[:0], e, appendResponse)
	ctx.SetBody(st.body)
}

// appendDataResponse appends the response; appendResponse, when not nil, writes the
// response section's value.
func (s *Server) appendDataResponse(b []byte, e *dataEnvelope, appendResponse func([]byte) []byte) []byte {
	b = append(b, `{"meta":`...)
	b = s.appendMeta(b, e.req, e.target, e.g)
	b = append(b, `,"responseSummary":{"exists":`...)
	b = strconv.AppendBool(b, e.exists)
	if e.g >= Count {
		b = append(b, `,"numTotalResults":`...)
		b = strconv.AppendUint(b, e.total, 10)
		b = appendCountAdjustment(b, e.adjust)
	}
	b = append(b, '}')
	switch {
	case appendResponse != nil:
		b = append(b, `,"response":`...)
		b = appendResponse(b)
	case e.sets != nil && e.g < Record && e.includeSets != "NONE":
		b = append(b, `,"response":`...)
		b = appendSummarySets(b, e.sets, e.setAdjust, e.setFrequencies, e.includeSets, e.g)
	}
	if len(e.handovers) > 0 {
		b = append(b, `,"beaconHandovers":`...)
		b = appendHandovers(b, e.handovers)
	}
	if len(e.warnings[0])+len(e.warnings[1]) > 0 {
		b = append(b, `,"info":{"warnings":[`...)
		n := 0
		for _, ws := range e.warnings {
			for _, w := range ws {
				if n > 0 {
					b = append(b, ',')
				}
				b = release.AppendJSONString(b, w)
				n++
			}
		}
		b = append(b, "]}"...)
	}
	return append(b, "}\n"...)
}

// appendMeta appends what s.meta(req, {target}, g) encodes to.
func (s *Server) appendMeta(b []byte, req *Request, target release.Entity, g Granularity) []byte {
	et := EntryTypeByEntity(target)
	b = append(b, `{"beaconId":`...)
	b = release.AppendJSONString(b, s.cfg.BeaconID)
	b = append(b, `,"apiVersion":`...)
	b = release.AppendJSONString(b, s.cfg.APIVersion)
	b = append(b, `,"returnedSchemas":[`...)
	b = appendSchemaRef(b, et.ID, et.DefaultSchemaName)
	b = append(b, `],"returnedGranularity":`...)
	b = release.AppendJSONString(b, g.String())
	b = append(b, `,"receivedRequestSummary":`...)
	b = AppendRequestSummary(b, req, s.cfg.APIVersion)
	if req.TestMode {
		return append(b, `,"testMode":true}`...)
	}
	return append(b, '}')
}

// AppendRequestSummary appends req's receivedRequestSummary, apiVersion standing for the
// client's when the request has none. Its keys are the parameters' spellings (params.go);
// the network echoes requests with it too.
func AppendRequestSummary(b []byte, req *Request, apiVersion string) []byte {
	b = append(b, `{"`+KeyAPIVersion+`":`...)
	v := req.APIVersion
	if v == "" {
		v = apiVersion
	}
	b = release.AppendJSONString(b, v)
	b = append(b, `,"`+KeyRequestedSchemas+`":[`...)
	for i, rs := range req.RequestedSchemas {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSchemaRef(b, rs.EntityType, rs.Schema)
	}
	b = append(b, ']')
	if len(req.EchoFilters) > 0 {
		b = append(b, `,"`+ParamFilters+`":[`...)
		for i, f := range req.EchoFilters {
			if i > 0 {
				b = append(b, ',')
			}
			b = release.AppendJSONString(b, f)
		}
		b = append(b, ']')
	}
	if len(req.EchoParams) > 0 {
		// Variant and dataset parameters: generic values, left to encoding/json.
		b = append(b, `,"`+KeyRequestParameters+`":`...)
		b = appendEncoded(b, req.EchoParams)
	}
	if req.IncludeResultsetResponses != "" {
		b = append(b, `,"`+ParamIncludeResultsets+`":`...)
		b = release.AppendJSONString(b, req.IncludeResultsetResponses)
	}
	b = append(b, `,"`+KeyPagination+`":{"`+ParamSkip+`":`...)
	b = strconv.AppendInt(b, int64(max(req.Skip, 0)), 10)
	b = append(b, `,"`+ParamLimit+`":`...)
	b = strconv.AppendInt(b, int64(max(req.Limit, 0)), 10)
	b = append(b, `},"`+ParamGranularity+`":`...)
	b = release.AppendJSONString(b, req.Granularity.String())
	if req.TestMode {
		b = append(b, `,"`+ParamTestMode+`":true`...)
	}
	return append(b, '}')
}

func appendSchemaRef(b []byte, entityType, schema string) []byte {
	b = append(b, `{"entityType":`...)
	b = release.AppendJSONString(b, entityType)
	b = append(b, `,"schema":`...)
	b = release.AppendJSONString(b, schema)
	return append(b, '}')
}

func appendHandovers(b []byte, hs []handover) []byte {
	b = append(b, '[')
	for i, h := range hs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"handoverType":{"id":`...)
		b = release.AppendJSONString(b, h.HandoverType.ID)
		if h.HandoverType.Label != "" {
			b = append(b, `,"label":`...)
			b = release.AppendJSONString(b, h.HandoverType.Label)
		}
		b = append(b, `},"url":`...)
		b = release.AppendJSONString(b, h.URL)
		if h.Note != "" {
			b = append(b, `,"note":`...)
			b = release.AppendJSONString(b, h.Note)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendResultSets writes {"resultSets":[...]}.
func appendResultSets(b []byte, sets []resultSet) []byte {
	b = append(b, `{"resultSets":[`...)
	for i, rs := range sets {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = release.AppendJSONString(b, rs.ID)
		b = append(b, `,"setType":`...)
		b = release.AppendJSONString(b, rs.SetType)
		b = append(b, `,"exists":`...)
		b = strconv.AppendBool(b, rs.Exists)
		b = append(b, `,"resultsCount":`...)
		b = strconv.AppendUint(b, rs.ResultsCount, 10)
		b = append(b, `,"results":`...)
		b = appendRecords(b, rs.Results)
		if len(rs.ResultsHandovers) > 0 {
			h, _ := json.Marshal(rs.ResultsHandovers)
			b = append(b, `,"resultsHandovers":`...)
			b = append(b, h...)
		}
		b = appendCountAdjustment(b, countAdjustment{Precision: rs.CountPrecision, AdjustedTo: rs.CountAdjustedTo})
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendCollections writes {"collections":[...]}.
func appendCollections(b []byte, recs []json.RawMessage) []byte {
	b = append(b, `{"collections":`...)
	b = appendRecords(b, recs)
	return append(b, '}')
}

func appendRecords(b []byte, recs []json.RawMessage) []byte {
	b = append(b, '[')
	for i, r := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	return append(b, ']')
}

// appendEncoded appends v as encoding/json writes it with HTML escaping off.
func appendEncoded(b []byte, v any) []byte {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // only strings, numbers and slices of them
		return append(b, "null"...)
	}
	out := buf.Bytes()
	return out[:len(out)-1] // Encode's newline
}
