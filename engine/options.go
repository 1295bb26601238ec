package engine

import "log/slog"

// Options are what the process embedding the engine decides for it, so that the engine
// reads no environment and writes no log of its own choosing.
type Options struct {
	// SpillDir is where a build from Parquet writes the large variant columns it then maps
	// (spill.go); empty: the system's temporary directory. WriteIndex spills beside the
	// index files it writes unless this is set.
	SpillDir string
	// Log receives the engine's records of how it loads a release (from index files, or
	// from Parquet and why); nil discards them.
	Log *slog.Logger
}

var discardLog = slog.New(slog.DiscardHandler)

// log returns the logger to write to, never nil.
func (o Options) log() *slog.Logger {
	if o.Log == nil {
		return discardLog
	}
	return o.Log
}
