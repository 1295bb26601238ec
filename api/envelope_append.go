package api

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Data responses are appended by hand: the bytes are those encoding/json writes for a
// dataResponse with HTML escaping off (TestDataEnvelopeMatchesEncodingJSON), without its
// reflection, its per-request meta values or their allocations.

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
	b = append(b, `,"receivedRequestSummary":{"apiVersion":`...)
	v := req.APIVersion
	if v == "" {
		v = s.cfg.APIVersion
	}
	b = release.AppendJSONString(b, v)
	b = append(b, `,"requestedSchemas":[`...)
	for i, rs := range req.RequestedSchemas {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSchemaRef(b, rs.EntityType, rs.Schema)
	}
	b = append(b, ']')
	if len(req.EchoFilters) > 0 {
		b = append(b, `,"filters":[`...)
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
		b = append(b, `,"requestParameters":`...)
		b = appendEncoded(b, req.EchoParams)
	}
	if req.IncludeResultsetResponses != "" {
		b = append(b, `,"includeResultsetResponses":`...)
		b = release.AppendJSONString(b, req.IncludeResultsetResponses)
	}
	b = append(b, `,"pagination":{"skip":`...)
	b = strconv.AppendInt(b, int64(max(req.Skip, 0)), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(max(req.Limit, 0)), 10)
	b = append(b, `},"requestedGranularity":`...)
	b = release.AppendJSONString(b, req.Granularity.String())
	if req.TestMode {
		return append(b, `,"testMode":true},"testMode":true}`...)
	}
	return append(b, "}}"...)
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
