package api

import (
	"encoding/json"
)

// The Beacon response envelopes, as Go values encoded with encoding/json. Records travel as
// json.RawMessage: they are stored pre-serialised and copied, never re-encoded.

type responseMeta struct {
	BeaconID               string          `json:"beaconId"`
	APIVersion             string          `json:"apiVersion"`
	ReturnedSchemas        []schemaRef     `json:"returnedSchemas"`
	ReturnedGranularity    string          `json:"returnedGranularity"`
	ReceivedRequestSummary receivedSummary `json:"receivedRequestSummary"`
	TestMode               bool            `json:"testMode,omitempty"`
}

type schemaRef struct {
	EntityType string `json:"entityType"`
	Schema     string `json:"schema"`
}

type receivedSummary struct {
	APIVersion                string         `json:"apiVersion"`
	RequestedSchemas          []schemaRef    `json:"requestedSchemas"`
	Filters                   []string       `json:"filters,omitempty"`
	RequestParameters         map[string]any `json:"requestParameters,omitempty"`
	IncludeResultsetResponses string         `json:"includeResultsetResponses,omitempty"`
	Pagination                pagination     `json:"pagination"`
	RequestedGranularity      string         `json:"requestedGranularity"`
	TestMode                  bool           `json:"testMode,omitempty"`
}

type pagination struct {
	Skip  int `json:"skip"`
	Limit int `json:"limit"`
}

type handover struct {
	HandoverType ontologyTerm `json:"handoverType"`
	URL          string       `json:"url"`
	Note         string       `json:"note,omitempty"`
}

type ontologyTerm struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
}

type resultSet struct {
	ID               string            `json:"id"`
	SetType          string            `json:"setType"`
	Exists           bool              `json:"exists"`
	ResultsCount     uint64            `json:"resultsCount"`
	Results          []json.RawMessage `json:"results"`
	ResultsHandovers []handover        `json:"resultsHandovers,omitempty"`
	CountPrecision   string            `json:"countPrecision,omitempty"`
	CountAdjustedTo  []any             `json:"countAdjustedTo,omitempty"`
}

type errorResponse struct {
	Meta  responseMeta `json:"meta"`
	Error errorBody    `json:"error"`
}

type errorBody struct {
	ErrorCode    int    `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

type informationalMeta struct {
	BeaconID        string      `json:"beaconId"`
	APIVersion      string      `json:"apiVersion"`
	ReturnedSchemas []schemaRef `json:"returnedSchemas"`
}

type resource struct {
	ID              string `json:"id"`
	Name            string `json:"name,omitempty"`
	URL             string `json:"url,omitempty"`
	NameSpacePrefix string `json:"nameSpacePrefix,omitempty"`
	IRIPrefix       string `json:"iriPrefix,omitempty"`
}
