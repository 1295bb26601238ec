package network

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Member statuses reported in info.members.
const (
	StatusOK      = "ok"
	StatusTimeout = "timeout"
	StatusError   = "error"
	StatusInvalid = "invalid"
	StatusSkipped = "skipped"
)

// maxAnswer bounds what is read of one member answer: a member cannot make the network hold
// more than this per request.
const maxAnswer = 64 << 20

// member is one member beacon at run time: its configuration, its breaker and what its
// informational endpoints said last (refreshed by the network).
type member struct {
	cfg     Member
	breaker *gobreaker.CircuitBreaker[*reply]
	meta    atomic.Pointer[memberMeta]
}

// reply is one HTTP answer of a member.
type reply struct {
	status int
	body   []byte
}

// outgoing is what is sent to a member.
type outgoing struct {
	method, path, rawQuery string
	body                   []byte
	auth                   string // the caller's Authorization, sent only where configured
}

// memberFailure is an answer that counts against the member's breaker: it timed out, could
// not be had, failed with a 5xx or was not a valid Beacon answer.
type memberFailure struct {
	status string
	msg    string
}

func (e *memberFailure) Error() string { return e.msg }

// memberRefusal is a valid Beacon error answer (a 4xx with an error body): the member is
// healthy, it just did not answer this request.
type memberRefusal struct{ msg string }

func (e *memberRefusal) Error() string { return e.msg }

func newMember(cfg Member, b Breaker) *member {
	m := &member{cfg: cfg}
	m.breaker = gobreaker.NewCircuitBreaker[*reply](gobreaker.Settings{
		Name:        cfg.ID,
		MaxRequests: 1,
		Timeout:     b.Cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(b.Failures) },
		// A refusal or the caller going away says nothing about the member's health.
		IsExcluded: func(err error) bool {
			var r *memberRefusal
			return errors.As(err, &r) || errors.Is(err, context.Canceled)
		},
	})
	return m
}

// newClient is the HTTP client every member request goes through: connections are kept
// and reused per member, so a network request costs no TCP or TLS handshake.
func newClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 1024
	tr.MaxIdleConnsPerHost = 128
	tr.IdleConnTimeout = 90 * time.Second
	// Members' answers come uncompressed: gzip on both ends was the largest CPU cost of a
	// fan-out on loopback (BenchmarkFanout's profile), and boolean and count answers are a
	// few hundred bytes.
	tr.DisableCompression = true
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // a member's redirect is its answer, never followed with the caller's token
	}}
}

// fetch does one HTTP exchange with the member.
func fetch(ctx context.Context, client *http.Client, m *member, o outgoing) (*reply, error) {
	u := m.cfg.URL + o.path
	if o.rawQuery != "" {
		u += "?" + o.rawQuery
	}
	var body io.Reader
	if o.body != nil {
		body = bytes.NewReader(o.body)
	}
	req, err := http.NewRequestWithContext(ctx, o.method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if o.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if o.auth != "" && m.cfg.ForwardAuthorization {
		req.Header.Set("Authorization", o.auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxAnswer {
		return nil, fmt.Errorf("answer larger than %d MB", maxAnswer>>20)
	}
	return &reply{status: resp.StatusCode, body: b}, nil
}

// attempt fetches o, hedged: when hedge > 0 and the first attempt has not answered after
// hedge, a second identical request goes out and the first answer without a transport error
// wins (the other is cancelled). Only idempotent GETs are hedged.
func attempt(ctx context.Context, client *http.Client, m *member, o outgoing, hedge time.Duration) (*reply, error) {
	if hedge <= 0 || o.method != http.MethodGet {
		return fetch(ctx, client, m, o)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		r   *reply
		err error
	}
	results := make(chan result, 2)
	launch := func() {
		go func() {
			r, err := fetch(ctx, client, m, o)
			results <- result{r, err}
		}()
	}
	launch()
	timer := time.NewTimer(hedge)
	defer timer.Stop()
	pending := 1
	var last result
	for {
		select {
		case <-timer.C:
			launch()
			pending++
		case res := <-results:
			pending--
			if res.err == nil {
				return res.r, nil
			}
			last = res
			if pending == 0 {
				return nil, last.err
			}
		}
	}
}

// classify turns a transport error into a member failure.
func classify(err error) *memberFailure {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &memberFailure{status: StatusTimeout, msg: "no answer within the timeout"}
	}
	// The member's address and the query stay out of the message callers see.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &memberFailure{status: StatusError, msg: err.Error()}
}

// call asks one member through its breaker; check validates a 2xx/4xx answer and returns a
// memberFailure (invalid) or memberRefusal. It returns the answer, or the status and reason
// that stand for it in info.members.
func call(ctx context.Context, client *http.Client, m *member, o outgoing, hedge time.Duration, check func(*reply) error) (*reply, string, string) {
	r, err := m.breaker.Execute(func() (*reply, error) {
		r, err := attempt(ctx, client, m, o, hedge)
		if err != nil {
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil, context.Canceled
			}
			return nil, classify(err)
		}
		if r.status >= 500 {
			return nil, &memberFailure{status: StatusError, msg: fmt.Sprintf("HTTP %d", r.status)}
		}
		if err := check(r); err != nil {
			return nil, err
		}
		return r, nil
	})
	if err == nil {
		return r, StatusOK, ""
	}
	var f *memberFailure
	var ref *memberRefusal
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return nil, StatusSkipped, "circuit open after repeated failures"
	case errors.As(err, &f):
		return nil, f.status, f.msg
	case errors.As(err, &ref):
		return nil, StatusError, ref.msg
	}
	return nil, StatusError, err.Error()
}
