package api

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/valyala/fasthttp"
)

// Record responses are written by hand around the stored records: encoding/json would
// re-validate and re-compact every record (most of the cost of a page), while records are
// stored as compact, valid JSON by ingest and can be copied as they are.

// responsePlaceholder stands in for the response section while the rest of the envelope is
// encoded. A quote inside any string value is escaped, so this byte sequence can only be
// the field itself.
var responsePlaceholder = []byte(`"response":0`)

// writeRecords writes out with its response section produced by appendResponse.
func (s *Server) writeRecords(ctx *fasthttp.RequestCtx, out dataResponse, appendResponse func([]byte) []byte) {
	out.Response = json.RawMessage("0")
	env, err := json.Marshal(out)
	if err != nil {
		s.log.Error("encoding response", "err", err)
		s.writeError(ctx, fasthttp.StatusInternalServerError, "internal error encoding the response", nil)
		return
	}
	i := bytes.Index(env, responsePlaceholder)
	if i < 0 {
		s.log.Error("response placeholder missing from envelope")
		s.writeError(ctx, fasthttp.StatusInternalServerError, "internal error encoding the response", nil)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/json")
	if ctx.IsHead() {
		return
	}
	body := make([]byte, 0, len(env)+4096)
	body = append(body, env[:i+len(responsePlaceholder)-1]...)
	body = appendResponse(body)
	body = append(body, env[i+len(responsePlaceholder):]...)
	body = append(body, '\n')
	ctx.SetBody(body)
}

// appendResultSets writes {"resultSets":[...]}.
func appendResultSets(b []byte, sets []resultSet) []byte {
	b = append(b, `{"resultSets":[`...)
	for i, rs := range sets {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendJSONString(b, rs.ID)
		b = append(b, `,"setType":`...)
		b = appendJSONString(b, rs.SetType)
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

// appendJSONString appends s as a JSON string (ids come from data: escape them properly).
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
