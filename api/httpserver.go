package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/valyala/fasthttp"
)

// HTTPServer is the fasthttp server `bitbeacon serve` runs this server in, with the
// configured limits, and every error fasthttp answers itself (a header too large, a body
// over the limit, malformed HTTP, a read timeout) written as a Beacon error body.
func (s *Server) HTTPServer() *fasthttp.Server {
	return newHTTPServer(s.Handler(), s.cfg.Limits, s.cfg.Server, s.httpError, s.log)
}

// HTTPServer is the fasthttp server h runs in with the default limits, logging through
// slog.Default(); the network and the benchmark serve the same one.
func HTTPServer(h fasthttp.RequestHandler) *fasthttp.Server {
	cfg := DefaultConfig()
	return newHTTPServer(h, cfg.Limits, cfg.Server, NewServer(nil, &cfg, nil).httpError, slog.Default())
}

func newHTTPServer(h fasthttp.RequestHandler, l LimitsConfig, sc ServerConfig, onError func(*fasthttp.RequestCtx, error), log *slog.Logger) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:            h,
		ErrorHandler:       onError,
		Logger:             FasthttpLogger(log),
		Name:               "bitbeacon",
		ReadTimeout:        sc.ReadTimeout,
		WriteTimeout:       sc.WriteTimeout,
		IdleTimeout:        sc.IdleTimeout,
		MaxRequestBodySize: l.MaxBodyBytes,
		ReadBufferSize:     l.MaxHeaderBytes,
		// A response written while shutting down says Connection: close.
		CloseOnShutdown: true,
	}
}

// FasthttpLogger writes fasthttp's own messages (connection and accept errors) through
// log as warnings: without it fasthttp prints them with the standard log package, in
// another format than the rest of the server's log.
func FasthttpLogger(log *slog.Logger) fasthttp.Logger { return slogPrintf{log} }

type slogPrintf struct{ log *slog.Logger }

func (l slogPrintf) Printf(format string, args ...any) {
	l.log.Warn(fmt.Sprintf(format, args...), "component", "fasthttp")
}

// httpError answers a request fasthttp could not read: 431 for a header over
// limits.maxHeaderBytes (a GET's query string is in it), 413 for a body over
// limits.maxBodyBytes, 408 for a read timeout, 400 for anything malformed.
func (s *Server) httpError(ctx *fasthttp.RequestCtx, err error) {
	status, msg := fasthttp.StatusBadRequest, "malformed HTTP request"
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.As(err, &small):
		status = fasthttp.StatusRequestHeaderFieldsTooLarge
		msg = fmt.Sprintf("the request line and headers exceed %d bytes; send long queries as POST", s.cfg.Limits.MaxHeaderBytes)
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		status = fasthttp.StatusRequestEntityTooLarge
		msg = fmt.Sprintf("the request body exceeds %d bytes", s.cfg.Limits.MaxBodyBytes)
	case errors.As(err, &ne) && ne.Timeout():
		status, msg = fasthttp.StatusRequestTimeout, "the request was not received in time"
	}
	rejected(reasonHTTP).Inc()
	ctx.Response.Reset()
	ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
	s.writeError(ctx, status, msg, nil)
}

// RejectResponse is the complete HTTP response written to a connection past
// limits.maxConnections: a 503 with a Beacon error body, closing the connection.
func (s *Server) RejectResponse() []byte {
	var ctx fasthttp.RequestCtx
	msg := fmt.Sprintf("this beacon serves at most %d connections at once; retry later", s.cfg.Limits.MaxConnections)
	s.encode(&ctx, fasthttp.StatusServiceUnavailable, errorResponse{
		Meta:  s.meta(nil, nil, s.defaultGranularity()),
		Error: errorBody{ErrorCode: fasthttp.StatusServiceUnavailable, ErrorMessage: msg},
	})
	body := ctx.Response.Body()
	return []byte("HTTP/1.1 503 Service Unavailable\r\nServer: bitbeacon\r\nContent-Type: application/json\r\n" +
		"Access-Control-Allow-Origin: *\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + string(body))
}
