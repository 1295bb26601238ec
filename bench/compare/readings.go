package compare

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/index"
)

// reading returns the numeric readings of a field value stored beside it (num, days), so
// that SQL compares numbers and ISO 8601 durations as bitbeacon does; nil for none.
func reading(value string) (num, days any) {
	if n, ok := index.ParseNumber(value); ok {
		return n, nil
	}
	if d, ok := index.ParseDuration(value); ok {
		return nil, d
	}
	return nil, nil
}

func upper(s string) string { return strings.ToUpper(s) }
