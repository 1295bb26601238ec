package lexical

import "strconv"

// Days per ISO 8601 designator: a Julian year and its twelfth, weeks, days, then time parts.
// DaysPerYear is exported because a plain number compared with durations reads as years.
const (
	DaysPerYear  = 365.25
	daysPerMonth = DaysPerYear / 12
)

// ParseDurationDays reads an ISO 8601 duration (P70Y, P1Y2M10D, P3W, PT5H, P40Y10M05D,
// P0.5Y) as days, with Y = 365.25, M = 30.4375, W = 7 and time parts as fractions of a day,
// so ages written in different units compare. Designators must appear in order, at most once
// each; a decimal fraction (with . or ,) is accepted on any of them. Negative durations are
// not.
func ParseDurationDays(s string) (days float64, ok bool) {
	if len(s) < 3 || (s[0] != 'P' && s[0] != 'p') {
		return 0, false
	}
	s = s[1:]
	rank := 0 // rank of the last designator seen; each must be greater
	inTime, timeAny, any := false, false, false
	for len(s) > 0 {
		if c := s[0]; c == 'T' || c == 't' {
			if inTime {
				return 0, false
			}
			inTime = true
			rank = 4
			s = s[1:]
			continue
		}
		n, rest, good := parseDecimal(s)
		if !good || rest == "" {
			return 0, false
		}
		var r int
		var mult float64
		switch rest[0] | 0x20 { // ASCII lower case
		case 'y':
			r, mult = 1, DaysPerYear
		case 'm':
			if inTime {
				r, mult = 6, 1.0/(24*60)
			} else {
				r, mult = 2, daysPerMonth
			}
		case 'w':
			r, mult = 3, 7
		case 'd':
			r, mult = 4, 1
		case 'h':
			r, mult = 5, 1.0/24
		case 's':
			r, mult = 7, 1.0/(24*60*60)
		default:
			return 0, false
		}
		if r <= rank || inTime != (r > 4) {
			return 0, false
		}
		rank = r
		days += n * mult
		any = true
		timeAny = timeAny || inTime
		s = rest[1:]
	}
	if !any || (inTime && !timeAny) {
		return 0, false
	}
	return days, true
}

// parseDecimal reads digits with an optional . or , fraction from the front of s.
func parseDecimal(s string) (n float64, rest string, ok bool) {
	i := 0
	for ; i < len(s) && IsDigit(s[i]); i++ {
		n = n*10 + float64(s[i]-'0')
	}
	if i == 0 {
		return 0, s, false
	}
	if i == len(s) || (s[i] != '.' && s[i] != ',') {
		return n, s[i:], true
	}
	j := i + 1
	for ; j < len(s) && IsDigit(s[j]); j++ {
	}
	if j == i+1 {
		return 0, s, false
	}
	// strconv rounds correctly, so "P0.1Y" and "P0,1Y" read exactly as 0.1 years.
	var buf [32]byte
	num := append(buf[:0], s[:j]...)
	num[i] = '.'
	n, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return 0, s, false
	}
	return n, s[j:], true
}
