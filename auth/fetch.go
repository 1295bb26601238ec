package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxDocument bounds what is read from an issuer (discovery, JWKS, userinfo): a hostile or
// broken endpoint must not make the beacon buffer without end.
const maxDocument = 1 << 20

// getJSON fetches url (with the bearer token when not empty) and decodes its JSON body
// into v.
func getJSON(ctx context.Context, client *http.Client, url, bearer string, v any) error {
	body, err := get(ctx, client, url, bearer)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	return nil
}

// get fetches url and returns its body; anything but a 200 is an error.
func get(ctx context.Context, client *http.Client, url, bearer string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	if len(body) > maxDocument {
		return nil, fmt.Errorf("%s: more than %d bytes", url, maxDocument)
	}
	return body, nil
}
