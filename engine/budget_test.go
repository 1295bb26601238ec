package engine

import (
	"errors"
	"testing"
	"time"
)

func limitReason(err error) string {
	var le *LimitError
	if errors.As(err, &le) {
		return le.Reason
	}
	return ""
}

func TestBudgetBounds(t *testing.T) {
	var none *Budget
	if err := none.Spend(1 << 60); err != nil {
		t.Errorf("a nil budget is unbounded: %v", err)
	}
	b := &Budget{Units: 100}
	if err := b.Spend(100); err != nil {
		t.Errorf("spending the whole budget: %v", err)
	}
	if r := limitReason(b.Spend(1)); r != LimitBudget {
		t.Errorf("past the budget: %q", r)
	}
	b = &Budget{Deadline: time.Now().Add(-time.Millisecond)}
	if r := limitReason(b.Spend(1)); r != LimitDeadline {
		t.Errorf("past the deadline: %q", r)
	}
	calls := 0
	b = &Budget{Gone: func() bool { calls++; return true }}
	for i := 1; i < goneEvery; i++ {
		if err := b.Spend(1); err != nil {
			t.Fatalf("spend %d: %v (the client is checked every %d spends)", i, err, goneEvery)
		}
	}
	if r := limitReason(b.Spend(1)); r != LimitGone || calls != 1 {
		t.Errorf("client gone: %q after %d checks", r, calls)
	}
}

// A heavy query waits for a token; one that cannot get it before its deadline ends, and a
// released token lets the next one through.
func TestBudgetHeavySlots(t *testing.T) {
	heavy := make(chan struct{}, 1)
	first := &Budget{Heavy: heavy, HeavyAfter: 10}
	if err := first.Spend(5); err != nil || len(heavy) != 0 {
		t.Fatalf("a light query took a token: %v, %d", err, len(heavy))
	}
	if err := first.Spend(10); err != nil || len(heavy) != 1 {
		t.Fatalf("a heavy query: %v, %d tokens taken", err, len(heavy))
	}
	second := &Budget{Heavy: heavy, HeavyAfter: 10, Deadline: time.Now().Add(30 * time.Millisecond)}
	if r := limitReason(second.Spend(11)); r != LimitDeadline {
		t.Errorf("waiting for a token past the deadline: %q", r)
	}
	slow := &Budget{Heavy: heavy, HeavyAfter: 1 << 40, HeavyAfterTime: time.Millisecond, Started: time.Now().Add(-time.Second)}
	done := make(chan error, 1)
	go func() { done <- slow.Spend(1) }()
	select {
	case err := <-done:
		t.Fatalf("a query past HeavyAfterTime ran without a token: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	first.Release()
	if err := <-done; err != nil {
		t.Fatalf("after the release: %v", err)
	}
	slow.Release()
	slow.Release()
	if len(heavy) != 0 {
		t.Errorf("tokens left after the releases: %d", len(heavy))
	}
}
