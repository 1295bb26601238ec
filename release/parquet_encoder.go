package release

import (
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// encoderDepth is how many batches may wait for the encoder: enough to ride out a slow
// batch, few enough to bound memory (a batch is at most ~batchBytes of values).
const encoderDepth = 2

// encoder encodes, compresses and writes a file's row batches on its own goroutine, in the
// order sent, into buffered row groups: each batch is encoded into the row group's column
// chunks as it arrives (one WriteBatch per leaf column), and the row group goes to the file
// when it is closed. The caller keeps appending rows meanwhile, so a file's writing costs
// its writer only the appends. Encoded batches come back for reuse.
type encoder struct {
	fw     *file.Writer
	rgw    file.BufferedRowGroupWriter
	leaves int
	jobs   chan *rowBatch
	free   chan *rowBatch
	done   chan struct{}
	mu     sync.Mutex
	first  error // the first error, after which batches are dropped
	once   sync.Once
	// newGroup: the last batch ended a row group; the next one starts another (not at once,
	// or a file ending there would get an empty row group).
	newGroup bool
}

func startEncoder(fw *file.Writer, leaves int) *encoder {
	e := &encoder{
		fw: fw, leaves: leaves,
		jobs: make(chan *rowBatch, encoderDepth), free: make(chan *rowBatch, encoderDepth+1),
		done: make(chan struct{}),
	}
	go e.run()
	return e
}

func (e *encoder) run() {
	defer close(e.done)
	for b := range e.jobs {
		if e.err() == nil {
			if err := e.write(b); err != nil {
				e.mu.Lock()
				e.first = err
				e.mu.Unlock()
			}
		}
		b.reset()
		select {
		case e.free <- b:
		default:
		}
	}
}

func (e *encoder) write(b *rowBatch) error {
	if e.rgw == nil || e.newGroup {
		// Closes the previous row group, which writes it to the file.
		rgw, err := e.fw.AppendBufferedRowGroupChecked()
		if err != nil {
			return err
		}
		e.rgw = rgw
	}
	e.newGroup = b.endGroup
	for i := range b.cols {
		cw, err := e.rgw.Column(i)
		if err != nil {
			return err
		}
		c := &b.cols[i]
		switch w := cw.(type) {
		case *file.ByteArrayColumnChunkWriter:
			_, err = w.WriteBatch(c.bytes, c.def, c.rep)
		case *file.Int64ColumnChunkWriter:
			_, err = w.WriteBatch(c.ints, c.def, c.rep)
		case *file.BooleanColumnChunkWriter:
			_, err = w.WriteBatch(c.bools, c.def, c.rep)
		default:
			err = fmt.Errorf("column %d: unexpected writer %T", i, cw)
		}
		if err != nil {
			return fmt.Errorf("column %s: %w", cw.Descr().Path(), err)
		}
	}
	return nil
}

// err is the encoder's first error, if any.
func (e *encoder) err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.first
}

// batch returns an empty batch: one the encoder is done with, else a new one.
func (e *encoder) batch() *rowBatch {
	select {
	case b := <-e.free:
		return b
	default:
		return newRowBatch(e.leaves)
	}
}

// send queues a batch, which the encoder owns from then on. It returns an earlier error,
// if any (the batch is then dropped).
func (e *encoder) send(b *rowBatch) error {
	if err := e.err(); err != nil {
		return err
	}
	e.jobs <- b
	return nil
}

// finish waits for the queued batches and returns the first error. It may be called more
// than once; send must not be called after it.
func (e *encoder) finish() error {
	e.once.Do(func() { close(e.jobs) })
	<-e.done
	return e.err()
}
