package api

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/auth"
)

// maxBudgetCallers bounds the callers a budget tracks; past it, callers idle for a whole
// window are forgotten first (they have their full budget anyway).
const maxBudgetCallers = 100000

// budget is privacy.queryBudget: at most n data requests per caller in any window (an
// exact sliding window: the times of a caller's last n requests). The membership attack
// needs many queries about one genome; a budget bounds how many it gets.
type budget struct {
	n      int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	callers map[string]*callerLog
}

// callerLog holds the times of a caller's last n admitted requests, oldest at next.
type callerLog struct {
	times []time.Time
	next  int
}

func newBudget(cfg QueryBudgetConfig, now func() time.Time) *budget {
	if cfg.Requests <= 0 {
		return nil
	}
	return &budget{n: cfg.Requests, window: cfg.Window, now: now, callers: map[string]*callerLog{}}
}

// allow admits one request of caller key, or says how long until it may ask again.
func (b *budget) allow(key string) (bool, time.Duration) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.callers[key]
	if l == nil {
		if len(b.callers) >= maxBudgetCallers {
			b.forgetIdle(now)
		}
		l = &callerLog{times: make([]time.Time, 0, min(b.n, 64))}
		b.callers[key] = l
	}
	if len(l.times) < b.n {
		l.times = append(l.times, now)
		return true, 0
	}
	oldest := l.times[l.next]
	if wait := oldest.Add(b.window).Sub(now); wait > 0 {
		return false, wait
	}
	l.times[l.next] = now
	l.next = (l.next + 1) % b.n
	return true, 0
}

// forgetIdle drops the callers whose latest request is a window old.
func (b *budget) forgetIdle(now time.Time) {
	for k, l := range b.callers {
		latest := l.times[(l.next+len(l.times)-1)%len(l.times)]
		if now.Sub(latest) >= b.window {
			delete(b.callers, k)
		}
	}
}

// admit applies the query budget to a data request: false (after a 429 with a Beacon error
// body and Retry-After) when the caller has used it up. A caller is its token subject,
// else its client address.
func (s *Server) admit(ctx *fasthttp.RequestCtx, c *auth.Caller) bool {
	if s.budget == nil {
		return true
	}
	key := c.ID()
	if key == "" {
		key = ctx.RemoteIP().String()
	}
	ok, wait := s.budget.allow(key)
	if ok {
		return true
	}
	secs := int(wait.Seconds()) + 1
	ctx.Response.Header.Set(fasthttp.HeaderRetryAfter, strconv.Itoa(secs))
	s.log.Info("query budget spent", "caller", key, "retryAfterSeconds", secs)
	s.writeError(ctx, fasthttp.StatusTooManyRequests, fmt.Sprintf("query budget of %d requests per %s spent; retry in %d s", s.budget.n, s.budget.window, secs), nil)
	return false
}
