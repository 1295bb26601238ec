// Package compare runs the benchmark's Beacon queries through SQL engines over the same
// release, DuckDB (over the Parquet files) and an indexed PostgreSQL schema, checks that
// each answers as bitbeacon does, and times them. DuckDB and pgx are linked only into
// bench/cmd/bitbeacon-compare, never into the server binary.
package compare

import "github.com/bitbeacon/bitbeacon/bench/compare/results"

// The JSON types of the comparator's output live in package results, which links no SQL
// driver, so that `bitbeacon bench` can read them; these names keep this package's code short.
type (
	Results     = results.Results
	EngineSetup = results.EngineSetup
	Answer      = results.Answer
	QueryResult = results.QueryResult
	KindSummary = results.KindSummary
	Latency     = results.Latency
)
