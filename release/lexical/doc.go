// Package lexical says how the project reads text as numbers: the one digit test, and the
// number and ISO 8601 duration readings of a scalar value that the value index, the request
// parser and the SQL comparators must share, or a filter would match differently in each.
// It imports nothing, so the lowest packages (index, release) can use it without the
// release format's dependencies coming along.
package lexical
