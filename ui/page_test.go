package ui_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// page drives one tab: each helper fails the test on an error, so a flow reads as the steps
// a person takes.
type page struct {
	t   testing.TB
	ctx context.Context
	b   *beacon
}

func newPage(t testing.TB, b *beacon) *page { return &page{t: t, ctx: tab(t), b: b} }

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

// open loads a page URL (a path under the beacon) and waits for its answer and for the
// filter list's redraw once the filtering terms' labels arrive (main.js loadLabels), so
// that the steps after it click nodes that stay.
func (p *page) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.b.base + path))
	p.waitAnswer()
	p.poll(`document.body.dataset.terms === 'loaded'`)
}

// waitAnswer waits until the answer (and its per-dataset rows) is rendered.
func (p *page) waitAnswer() {
	p.t.Helper()
	p.poll(`document.getElementById('answer').dataset.state === 'done' &&
		!document.querySelector('#per-dataset tbody:not([data-state=done])')`)
}

func (p *page) poll(expr string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		p.t.Fatalf("waiting for %s: %v (page shows: %s)", expr, err, p.evalString(`document.getElementById('answer')?.innerText || document.body.innerText`))
	}
}

func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func (p *page) evalString(expr string) string {
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return v
}

// text is the rendered text of the first element matching css ("" when there is none).
func (p *page) text(css string) string {
	p.t.Helper()
	b, _ := json.Marshal(css)
	return eval[string](p, `(document.querySelector(`+string(b)+`)?.textContent ?? '').trim()`)
}

// number reads a rendered number ("1,271" → 1271).
func (p *page) number(css string) int {
	p.t.Helper()
	s := p.text(css)
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		p.t.Fatalf("%s shows %q, not a number", css, s)
	}
	return n
}

// texts are the text of every element matching css.
func (p *page) texts(css string) []string {
	p.t.Helper()
	b, _ := json.Marshal(css)
	return eval[[]string](p, `[...document.querySelectorAll(`+string(b)+`)].map(e => e.textContent.trim())`)
}

// location is the page's URL minus the beacon's base.
func (p *page) location() string {
	p.t.Helper()
	return strings.TrimPrefix(eval[string](p, `location.href`), p.b.base)
}

func (p *page) click(css string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS(css)))
}

func (p *page) typeInto(css, text string) {
	p.t.Helper()
	p.do(chromedp.SendKeys(chromedp.CSS(css), text))
}

func (p *page) screenshot() []byte {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	return png
}
