package engine

import (
	"fmt"
	"runtime"
	"time"
)

// Budget bounds the work of one query, so that no request holds a core for long: a
// deadline, a number of work units (rows touched, plus a fixed cost per filter), and a
// check of whether the client is still there. Evaluation spends it between its steps
// (each filter, each move between entities, the variant match) and inside its long scans
// every scanEvery rows (scanMeter); the first spend past a bound ends the query with a
// *LimitError, and every later spend returns the same error. A nil *Budget is unbounded.
//
// A query that has spent more than HeavyAfter units, or run for longer than HeavyAfterTime
// since Started, takes a token from Heavy before going on, and waits for one (within its
// deadline) when none is free: only len(Heavy) such queries run at once, so cheap queries
// keep the other cores.
type Budget struct {
	Deadline time.Time // zero: none
	Units    int64     // 0: unbounded
	// Gone reports whether the client has closed its connection; it is called at most
	// every goneEvery spends. Nil: never.
	Gone func() bool
	// Heavy is the semaphore of heavy queries (nil: none); HeavyAfter the units after
	// which a query is heavy.
	Heavy          chan struct{}
	HeavyAfter     int64
	HeavyAfterTime time.Duration
	Started        time.Time

	spent  int64
	spends int
	held   bool
	err    error // the first bound passed
}

// Limit reasons, as LimitError.Reason and in metrics.
const (
	LimitBudget   = "budget"
	LimitDeadline = "deadline"
	LimitGone     = "disconnected"
)

// LimitError ends a query that went past its budget, its deadline, or whose client left.
type LimitError struct {
	Reason string // LimitBudget, LimitDeadline or LimitGone
	Msg    string
}

func (e *LimitError) Error() string { return e.Msg }

// filterCost is what evaluating one filter costs beyond the rows it yields: a term lookup
// or a scan of a field's values.
const filterCost = 1000

// goneEvery spaces the client checks (a system call each).
const goneEvery = 8

// Spend records n units of work and reports the first bound passed.
func (b *Budget) Spend(n int64) error {
	if b == nil {
		return nil
	}
	if b.err != nil {
		return b.err
	}
	b.err = b.spend(n)
	return b.err
}

// Err is the first bound passed so far, nil while the query may go on: a scan stopped by
// its meter leaves partial rows, and the evaluation must not answer with them.
func (b *Budget) Err() error {
	if b == nil {
		return nil
	}
	return b.err
}

func (b *Budget) spend(n int64) error {
	b.spent += n
	b.spends++
	if b.Units > 0 && b.spent > b.Units {
		return &LimitError{Reason: LimitBudget, Msg: fmt.Sprintf(
			"the query needs more work than this beacon allows for one request (more than %d rows touched); use fewer or narrower filters", b.Units)}
	}
	now := time.Now()
	if !b.Deadline.IsZero() && now.After(b.Deadline) {
		return b.deadlineError()
	}
	if b.Gone != nil && b.spends%goneEvery == 0 && b.Gone() {
		return &LimitError{Reason: LimitGone, Msg: "the client closed the connection"}
	}
	if b.held {
		// A heavy query steps aside between its steps, so the cheap queries queued on its
		// core run now rather than at the next preemption.
		runtime.Gosched()
		return nil
	}
	if b.Heavy != nil && (b.spent > b.HeavyAfter || (b.HeavyAfterTime > 0 && now.Sub(b.Started) > b.HeavyAfterTime)) {
		return b.acquire()
	}
	return nil
}

func (b *Budget) deadlineError() error {
	return &LimitError{Reason: LimitDeadline, Msg: "the query did not finish within this beacon's time limit for one request; retry later or narrow it"}
}

// Acquire makes the query heavy from the start: it takes a heavy-query token now (waiting
// until the deadline at most) instead of after HeavyAfter units. The API calls it for a
// request whose body alone is costly to read.
func (b *Budget) Acquire() error {
	if b == nil || b.Heavy == nil || b.held {
		return nil
	}
	return b.acquire()
}

// acquire takes a heavy-query token, waiting until the deadline at most.
func (b *Budget) acquire() error {
	select {
	case b.Heavy <- struct{}{}:
		b.held = true
		return nil
	default:
	}
	var timeout <-chan time.Time
	if !b.Deadline.IsZero() {
		t := time.NewTimer(time.Until(b.Deadline))
		defer t.Stop()
		timeout = t.C
	}
	// While it waits, the query still notices a client that left.
	var poll <-chan time.Time
	if b.Gone != nil {
		t := time.NewTicker(goneWhileWaiting)
		defer t.Stop()
		poll = t.C
	}
	for {
		select {
		case b.Heavy <- struct{}{}:
			b.held = true
			return nil
		case <-timeout:
			return b.deadlineError()
		case <-poll:
			if b.Gone() {
				return &LimitError{Reason: LimitGone, Msg: "the client closed the connection"}
			}
		}
	}
}

// scanEvery is how many rows a long scan (positions, carriers, zygosity calls, candidates,
// datasets) visits between two spends of its budget: a clock read per 1,024 rows is lost in
// the rows' own cost, and a query past its bound stops within microseconds.
const scanEvery = 1 << 10

// scanMeter counts the rows of one long scan and spends them on the query's budget every
// scanEvery rows. It lives on the scan's stack; a nil budget never stops it.
type scanMeter struct {
	b    *Budget
	rows int64
}

// add counts n rows; false once the budget is past a bound, when the scan must stop (the
// error stays in the budget, Budget.Err).
func (m *scanMeter) add(n int64) bool {
	if m.rows += n; m.rows < scanEvery {
		return true
	}
	return m.flush()
}

// flush spends the rows counted since the last spend; false once past a bound.
func (m *scanMeter) flush() bool {
	n := m.rows
	m.rows = 0
	return m.b == nil || m.b.Spend(n) == nil
}

// goneWhileWaiting spaces the client checks of a query waiting for a heavy-query token.
const goneWhileWaiting = 50 * time.Millisecond

// Release gives back the heavy-query token, if the query took one. Call it when the
// query's evaluation is over.
func (b *Budget) Release() {
	if b != nil && b.held {
		<-b.Heavy
		b.held = false
	}
}

// Spent is the units spent so far.
func (b *Budget) Spent() int64 {
	if b == nil {
		return 0
	}
	return b.spent
}
