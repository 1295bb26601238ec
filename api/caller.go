package api

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/auth"
)

// verifyTimeout bounds the issuer round trips (discovery, JWKS, userinfo) of one request
// whose token is not cached yet.
const verifyTimeout = 10 * time.Second

// errNotBearer: an Authorization header of another scheme.
var errNotBearer = errors.New("the Authorization header is not a Bearer token")

// callerOf returns the verified caller of a request: nil (anonymous) when it sends no
// Authorization header or when the beacon has no token issuer configured (then it has no
// authentication at all and a token, e.g. one a network forwards, is ignored). A token that
// fails any check is an error: the request is refused with 401, never answered as if the
// token were absent or valid.
func (s *Server) callerOf(ctx *fasthttp.RequestCtx) (*auth.Caller, error) {
	if s.verifier == nil {
		return nil, nil
	}
	h := ctx.Request.Header.Peek(fasthttp.HeaderAuthorization)
	if len(h) == 0 {
		return nil, nil
	}
	scheme, token, ok := bytes.Cut(bytes.TrimSpace(h), []byte{' '})
	if !ok || !bytes.EqualFold(scheme, []byte("Bearer")) {
		return nil, errNotBearer
	}
	token = bytes.TrimSpace(token)
	if c := s.verifier.Cached(token); c != nil {
		return c, nil
	}
	vctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
	defer cancel()
	return s.verifier.Verify(vctx, token)
}

// writeUnauthorized answers a refused token: 401 with a Beacon error body and the RFC 6750
// challenge.
func (s *Server) writeUnauthorized(ctx *fasthttp.RequestCtx, err error) {
	refuseToken(ctx)
	s.writeError(ctx, fasthttp.StatusUnauthorized, err.Error(), nil)
}

// refuseToken is what every answer to a refused token shares, in the v2 and the v1 body
// alike: the RFC 6750 challenge and a count in bitbeacon_rejected_requests_total{reason="auth"}.
func refuseToken(ctx *fasthttp.RequestCtx) {
	rejected(reasonAuth).Inc()
	ctx.Response.Header.Set(fasthttp.HeaderWWWAuthenticate, `Bearer error="invalid_token"`)
}
