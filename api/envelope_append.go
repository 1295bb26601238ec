package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

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
		b = appendSummarySets(b, e.sets, e.setAdjust, e.includeSets, e.g)
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
				b = appendJSONString(b, w)
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
	b = appendJSONString(b, s.cfg.BeaconID)
	b = append(b, `,"apiVersion":`...)
	b = appendJSONString(b, s.cfg.APIVersion)
	b = append(b, `,"returnedSchemas":[`...)
	b = appendSchemaRef(b, et.ID, et.DefaultSchemaName)
	b = append(b, `],"returnedGranularity":`...)
	b = appendJSONString(b, g.String())
	b = append(b, `,"receivedRequestSummary":{"apiVersion":`...)
	v := req.APIVersion
	if v == "" {
		v = s.cfg.APIVersion
	}
	b = appendJSONString(b, v)
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
			b = appendJSONString(b, f)
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
		b = appendJSONString(b, req.IncludeResultsetResponses)
	}
	b = append(b, `,"pagination":{"skip":`...)
	b = strconv.AppendInt(b, int64(max(req.Skip, 0)), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(max(req.Limit, 0)), 10)
	b = append(b, `},"requestedGranularity":`...)
	b = appendJSONString(b, req.Granularity.String())
	if req.TestMode {
		return append(b, `,"testMode":true},"testMode":true}`...)
	}
	return append(b, "}}"...)
}

func appendSchemaRef(b []byte, entityType, schema string) []byte {
	b = append(b, `{"entityType":`...)
	b = appendJSONString(b, entityType)
	b = append(b, `,"schema":`...)
	b = appendJSONString(b, schema)
	return append(b, '}')
}

func appendHandovers(b []byte, hs []handover) []byte {
	b = append(b, '[')
	for i, h := range hs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"handoverType":{"id":`...)
		b = appendJSONString(b, h.HandoverType.ID)
		if h.HandoverType.Label != "" {
			b = append(b, `,"label":`...)
			b = appendJSONString(b, h.HandoverType.Label)
		}
		b = append(b, `},"url":`...)
		b = appendJSONString(b, h.URL)
		if h.Note != "" {
			b = append(b, `,"note":`...)
			b = appendJSONString(b, h.Note)
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

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaped as encoding/json does with HTML
// escaping off: quote, backslash and control characters escaped, invalid UTF-8 replaced by
// U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, `\u00`...)
				b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
