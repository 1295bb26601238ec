package api

import "strings"

// A GET list parameter (filters, datasetIds, ...) separates its items with commas, and
// clients encode those commas freely (URLSearchParams and Python's requests send %2C), so an
// encoded comma still separates. A comma that belongs to an item is escaped with a
// backslash: filters=X:a\,b,NCIT:C16576 is the two items "X:a,b" and "NCIT:C16576" (sent as
// X:a%5C,b or X:a%5C%2Cb alike). No CURIE holds a backslash.

// nextComma returns the index of the first unescaped comma of s at or after i, or -1.
func nextComma(s string, i int) int {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && s[i+1] == ',' {
				i++
			}
		case ',':
			return i
		}
	}
	return -1
}

// unescapeCommas turns the escaped commas of one split item into commas.
func unescapeCommas(item string) string {
	if !strings.Contains(item, `\,`) {
		return item
	}
	return strings.ReplaceAll(item, `\,`, ",")
}

// JoinList writes items as one GET list value, escaping the commas inside items: what a
// client sends for them, and what the network and the v1 endpoint forward.
func JoinList(items []string) string {
	var sb strings.Builder
	for i, it := range items {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strings.ReplaceAll(it, ",", `\,`))
	}
	return sb.String()
}

// appendItems appends the items of one GET list value to dst, their commas unescaped.
func appendItems(dst []string, v string) []string {
	for {
		i := nextComma(v, 0)
		if i < 0 {
			return append(dst, unescapeCommas(v))
		}
		dst = append(dst, unescapeCommas(v[:i]))
		v = v[i+1:]
	}
}
