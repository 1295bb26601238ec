package ui_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// envScreenshots names a folder to keep the tests' screenshots in; `make ui-screenshots`
// sets it to docs/ui/, which docs/ui.md shows. Without it they go to a temporary folder.
const envScreenshots = "BITBEACON_UI_SCREENSHOTS"

// shot takes a screenshot of the viewport, checks it is a PNG of the viewport's width,
// and keeps it as <name>.png.
func (p *page) shot(name string) {
	p.t.Helper()
	data := p.screenshot()
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if w := eval[int](p, `Math.round(window.innerWidth * window.devicePixelRatio)`); cfg.Width != w {
		p.t.Errorf("screenshot %s is %d px wide, the viewport %d", name, cfg.Width, w)
	}
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		dir = filepath.Join(tmpRoot, "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// On a phone's width the page has no horizontal scroll (a wide records table scrolls in
// its own box) and the form and answer are one column.
func TestPhoneWidth(t *testing.T) {
	b := demoBeacon(t)
	p := newPage(t, b)
	p.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	for _, link := range []string{
		"/ui/individuals?filters=NCIT:C16576&requestedGranularity=count",
		"/ui/g_variants?referenceName=22&start=0&end=20000000&requestedGranularity=record&limit=3",
	} {
		p.open(link)
		// A mobile browser widens its layout viewport to fit content that overflows, so the
		// width is compared with the screen's, not innerWidth.
		if sw := eval[int](p, `Math.max(document.documentElement.scrollWidth, window.innerWidth)`); sw > 390 {
			wide := eval[[]string](p, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap *')).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 12)`)
			t.Errorf("%s: the page is %d px wide on a 390 px screen; too wide: %q", link, sw, wide)
		}
		if l, r := eval[float64](p, `document.getElementById('query').getBoundingClientRect().left`), eval[float64](p, `document.getElementById('answer').getBoundingClientRect().left`); l != r {
			t.Errorf("%s: form and answer side by side on a phone (left %v, %v)", link, l, r)
		}
	}
	p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('answer').scrollIntoView()`))
	p.shot("phone")
}

// Every control has an accessible name, and the form is reachable and usable from the
// keyboard (the autocomplete's keys are covered by TestBuildQueryByForm).
func TestAccessibleNames(t *testing.T) {
	b := demoBeacon(t)
	p := newPage(t, b)
	p.open("/ui/individuals?filters=NCIT:C16576,karyotypicSex:=XX&requestedGranularity=record&limit=2")
	p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('variant-box').open = true; document.getElementById('token-box').open = true`))
	unnamed := eval[[]string](p, `[...document.querySelectorAll('input, select, button, a[href]')]
		.filter(e => e.offsetParent !== null && e.type !== 'hidden')
		.filter(e => !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') ||
			e.closest('[role=radiogroup]') && e.labels?.length || (e.tagName === 'BUTTON' || e.tagName === 'A') && e.textContent.trim()))
		.map(e => e.outerHTML.slice(0, 80))`)
	if len(unnamed) > 0 {
		t.Errorf("controls without an accessible name:\n%s", strings.Join(unnamed, "\n"))
	}
	// Tab order starts at the skip link, which leads to the answer.
	p.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("\t"))
	if f := eval[string](p, `document.activeElement.className`); f != "skip-link" {
		t.Errorf("the first Tab stop is %q, want the skip link", f)
	}
	// The images of the page carry alt text; the tables have captions and header cells.
	if n := eval[int](p, `[...document.querySelectorAll('table')].filter(t => !t.caption || !t.querySelector('th')).length`); n != 0 {
		t.Errorf("%d tables without a caption or header cells", n)
	}
}

// BenchmarkFirstPaintOfCount measures how long a shared count link takes to show its
// answer, one page load per iteration: from the start of navigation to the frame after the
// count is in the page (the page marks it bitbeacon:answer-painted), and the browser's
// first contentful paint, as medians; the breakdown (HTML, last script, the count request)
// is logged. go test -run '^$' -bench FirstPaint -benchtime 9x ./ui
func BenchmarkFirstPaintOfCount(b *testing.B) {
	bc := demoBeacon(b)
	p := newPage(b, bc)
	const link = "/ui/individuals?filters=NCIT:C16576&requestedGranularity=count"
	p.open(link) // warm: the server's first request and the browser's cache of the files
	var answers, fcps, html, scripts, query []float64
	b.ResetTimer()
	for range b.N {
		p.open(link)
		p.poll(`performance.getEntriesByName('bitbeacon:answer-painted').length > 0`)
		answers = append(answers, eval[float64](p, `performance.getEntriesByName('bitbeacon:answer-painted')[0].startTime`))
		fcps = append(fcps, eval[float64](p, `performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1`))
		html = append(html, eval[float64](p, `performance.getEntriesByType('navigation')[0].responseEnd`))
		scripts = append(scripts, eval[float64](p, `Math.max(...performance.getEntriesByType('resource').filter(r => r.name.endsWith('.js')).map(r => r.responseEnd))`))
		query = append(query, eval[float64](p, `(r => r.responseEnd - r.startTime)(performance.getEntriesByType('resource').find(r => r.name.includes('/individuals?')))`))
	}
	b.StopTimer()
	if p.number("#answer-total") == 0 {
		b.Fatal("no count on the page")
	}
	b.ReportMetric(median(answers), "ms-to-count-painted")
	b.ReportMetric(median(fcps), "ms-to-first-paint")
	b.Logf("count answer painted after %s (median of %d loads; all %v ms); first contentful paint %s; "+
		"page received %s, last script %s, the count request took %s",
		ms(median(answers)), len(answers), rounded(answers), ms(median(fcps)), ms(median(html)), ms(median(scripts)), ms(median(query)))
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
func ms(x float64) string {
	return (time.Duration(x * float64(time.Millisecond))).Round(time.Millisecond / 10).String()
}
func rounded(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x + 0.5)
	}
	return out
}
