package release

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// encoderDepth is how many batches may wait for the encoder: enough to ride out a slow
// batch, few enough to bound memory (a batch is at most ~batchBytes of values).
const encoderDepth = 2

// encoder encodes, compresses and writes a file's row batches on its own goroutine, in the
// order sent, into buffered row groups (pqarrow WriteBuffered): each batch is encoded into
// the row group's column chunks as it arrives, and the row group goes to the file when it
// is closed. The caller keeps appending rows meanwhile, so a file's writing costs its
// writer only the Arrow appends.
type encoder struct {
	fw    *pqarrow.FileWriter
	jobs  chan encodeJob
	done  chan struct{}
	mu    sync.Mutex
	first error // the first error, after which batches are dropped
	once  sync.Once
	// newGroup: the last batch ended a row group; the next one starts another (not at once,
	// or a file ending there would get an empty row group).
	newGroup bool
}

type encodeJob struct {
	rec      arrow.RecordBatch
	endGroup bool // close the row group after this batch
}

func startEncoder(fw *pqarrow.FileWriter) *encoder {
	e := &encoder{fw: fw, jobs: make(chan encodeJob, encoderDepth), done: make(chan struct{})}
	go e.run()
	return e
}

func (e *encoder) run() {
	defer close(e.done)
	for j := range e.jobs {
		if e.err() == nil {
			if err := e.write(j); err != nil {
				e.mu.Lock()
				e.first = err
				e.mu.Unlock()
			}
		}
		j.rec.Release()
	}
}

func (e *encoder) write(j encodeJob) error {
	if e.newGroup {
		// Closes the previous row group, which writes it to the file.
		if err := e.fw.NewBufferedRowGroupChecked(); err != nil {
			return err
		}
	}
	e.newGroup = j.endGroup
	return e.fw.WriteBuffered(j.rec)
}

// err is the encoder's first error, if any.
func (e *encoder) err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.first
}

// send queues a batch, which the encoder releases. It returns an earlier error, if any (the
// batch is then dropped).
func (e *encoder) send(rec arrow.RecordBatch, endGroup bool) error {
	if err := e.err(); err != nil {
		rec.Release()
		return err
	}
	e.jobs <- encodeJob{rec: rec, endGroup: endGroup}
	return nil
}

// finish waits for the queued batches and returns the first error. It may be called more
// than once; send must not be called after it.
func (e *encoder) finish() error {
	e.once.Do(func() { close(e.jobs) })
	<-e.done
	return e.err()
}
