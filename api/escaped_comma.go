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
