package api

import (
	"bytes"
	"strings"

	"github.com/valyala/fasthttp"
)

// A GET list parameter (filters, datasetIds, ...) separates its items with commas, so a term
// id that holds a comma is written with the comma percent-encoded: filters=X:a%2Cb,NCIT:C16576
// is the two items "X:a,b" and "NCIT:C16576". fasthttp decodes %2C before the parser sees the
// value; a query string that holds one is therefore parsed again with each encoded comma
// turned into commaMark, which the item splitters leave alone and restore in every item.

// commaMark stands for an encoded comma while a value is split: a private-use character,
// which no ontology id or dataset id uses.
const commaMark = "\uE000"

// commaMarkEncoded is commaMark percent-encoded (UTF-8 EE 80 80).
var commaMarkEncoded = []byte("%EE%80%80")

// queryArgs returns the request's query arguments, with encoded commas marked when the
// query string holds any (the common request pays one scan).
func queryArgs(ctx *fasthttp.RequestCtx, buf *fasthttp.Args) *fasthttp.Args {
	raw := ctx.URI().QueryString()
	if !hasEncodedComma(raw) {
		return ctx.QueryArgs()
	}
	buf.Reset()
	buf.ParseBytes(markEncodedCommas(raw))
	return buf
}

func hasEncodedComma(raw []byte) bool {
	for i := bytes.IndexByte(raw, '%'); i >= 0 && i+2 < len(raw); {
		if raw[i+1] == '2' && (raw[i+2] == 'C' || raw[i+2] == 'c') {
			return true
		}
		j := bytes.IndexByte(raw[i+1:], '%')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func markEncodedCommas(raw []byte) []byte {
	out := make([]byte, 0, len(raw)+16)
	for i := 0; i < len(raw); i++ {
		if raw[i] == '%' && i+2 < len(raw) && raw[i+1] == '2' && (raw[i+2] == 'C' || raw[i+2] == 'c') {
			out = append(out, commaMarkEncoded...)
			i += 2
			continue
		}
		out = append(out, raw[i])
	}
	return out
}

// unmarkCommas restores the encoded commas of one split item.
func unmarkCommas(item string) string {
	if !strings.Contains(item, commaMark) {
		return item
	}
	return strings.ReplaceAll(item, commaMark, ",")
}
