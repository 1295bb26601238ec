package compare

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// reading returns the numeric readings of a field value stored beside it (num, days), so
// that SQL compares numbers and ISO 8601 durations as bitbeacon does; nil for none.
func reading(value string) (num, days any) {
	if n, ok := lexical.ParseNumber(value); ok {
		return n, nil
	}
	if d, ok := lexical.ParseDurationDays(value); ok {
		return nil, d
	}
	return nil, nil
}

func upper(s string) string { return strings.ToUpper(s) }
