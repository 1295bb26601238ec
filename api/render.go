package api

import (
	"encoding/json"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/release"
)

// Record responses are written by hand around the stored records: encoding/json would
// re-validate and re-compact every record (most of the cost of a page), while records are
// stored as compact, valid JSON by ingest and can be copied as they are.

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
