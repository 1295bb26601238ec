// Package results holds the JSON types the comparator binary (bench/cmd/bitbeacon-compare)
// writes and the benchmark suite reads. It is apart from package compare so that reading
// them links neither DuckDB nor pgx into the server binary.
package results

// Results is the JSON the comparator binary writes (bitbeacon bench reads it).
type Results struct {
	Release string        `json:"release"`
	Repeat  int           `json:"repeat"`
	Engines []EngineSetup `json:"engines"`
	Queries []QueryResult `json:"queries"`
	Kinds   []KindSummary `json:"kinds"`
}

// EngineSetup is what an engine cost before the first query: loading, helper tables and
// indexes. The seconds are wall time on this machine.
type EngineSetup struct {
	Engine string `json:"engine"`
	// SetupSeconds is the whole setup (start, load, index, analyze).
	SetupSeconds float64 `json:"setupSeconds"`
	// StartSeconds is the PostgreSQL server's initdb and start (0 for DuckDB).
	StartSeconds float64 `json:"startSeconds,omitempty"`
	// LoadSeconds is reading the release into tables (DuckDB: the helper tables only, its
	// record columns stay in the Parquet files).
	LoadSeconds float64 `json:"loadSeconds"`
	// CarrierSeconds is decoding the roaring carrier bitmaps in Go into (variant, sample) rows
	// and loading them; part of LoadSeconds.
	CarrierSeconds float64 `json:"carrierSeconds"`
	// IndexSeconds is building indexes and statistics (CREATE INDEX, ANALYZE).
	IndexSeconds float64 `json:"indexSeconds"`
	// DatabaseBytes is the size of the database (PostgreSQL: pg_database_size; DuckDB: its
	// in-memory tables as duckdb_memory() reports them).
	DatabaseBytes int64 `json:"databaseBytes"`
	// CarrierRows is the number of (variant, sample) rows derived from the bitmaps.
	CarrierRows int64  `json:"carrierRows"`
	Version     string `json:"version"`
}

// Answer is what a query returned: Exists for every granularity, Count for count and
// record (the total before paging), IDs the record ids of the page.
type Answer struct {
	Exists bool     `json:"exists"`
	Count  int64    `json:"count"`
	IDs    []string `json:"ids,omitempty"`
}

// QueryResult is one query on one engine.
type QueryResult struct {
	Name            string  `json:"name"`
	Kind            string  `json:"kind"`
	Engine          string  `json:"engine"`
	Granularity     string  `json:"granularity"`
	Answer          *Answer `json:"answer,omitempty"`
	BitbeaconAnswer *Answer `json:"bitbeaconAnswer,omitempty"`
	Match           bool    `json:"match"`
	// Error is why the engine could not answer (translation or execution); Match is false.
	Error   string  `json:"error,omitempty"`
	SQL     string  `json:"sql,omitempty"`
	Latency Latency `json:"latency"`
}

// KindSummary pools the latencies of every query of one kind on one engine.
type KindSummary struct {
	Engine     string  `json:"engine"`
	Kind       string  `json:"kind"`
	Queries    int     `json:"queries"`
	Mismatches int     `json:"mismatches"`
	Latency    Latency `json:"latency"`
	// SpeedupP50 is this engine's p50 over bitbeacon's in-process p50 for the kind: how many
	// times faster bitbeacon answered (0 when bitbeacon was not timed).
	SpeedupP50 float64 `json:"speedupP50,omitempty"`
}

// Latency summarises repeated runs, in microseconds.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50Us"`
	P99   float64 `json:"p99Us"`
	P999  float64 `json:"p999Us"`
	Mean  float64 `json:"meanUs"`
}
