package engine

import (
	"errors"
	"fmt"
)

// QueryError is a query the engine cannot answer as asked; the API answers it with a 400.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

func badRequest(format string, args ...any) error {
	return &QueryError{Msg: fmt.Sprintf(format, args...)}
}

// IsQueryError reports whether err is the caller's fault.
func IsQueryError(err error) bool {
	var q *QueryError
	return errors.As(err, &q)
}
