package api

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// fasthttp's own messages reach the server's slog logger, in its format.
func TestFasthttpLogsThroughSlog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	cfg := DefaultConfig()
	srv := NewServer(nil, &cfg, log).HTTPServer()
	if srv.Logger == nil {
		t.Fatal("the HTTP server has no Logger: fasthttp would print with the standard log package")
	}
	srv.Logger.Printf("error when serving connection %q: %v", "127.0.0.1:1", "reset")
	out := buf.String()
	for _, want := range []string{"level=WARN", `msg="error when serving connection \"127.0.0.1:1\": reset"`, "component=fasthttp"} {
		if !strings.Contains(out, want) {
			t.Errorf("log line %q lacks %s", out, want)
		}
	}
}
