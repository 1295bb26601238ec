package results

import (
	"encoding/json"
	"fmt"
)

// beaconResponse is the part of a Beacon response an answer is read from.
type beaconResponse struct {
	ResponseSummary struct {
		Exists          bool  `json:"exists"`
		NumTotalResults int64 `json:"numTotalResults"`
	} `json:"responseSummary"`
	Response struct {
		ResultSets []struct {
			Results []struct {
				ID string `json:"id"`
			} `json:"results"`
		} `json:"resultSets"`
	} `json:"response"`
}

// ParseAnswer reads bitbeacon's answer from a Beacon response body at the granularity asked:
// exists always, the count unless boolean, the ids of the page at record granularity.
func ParseAnswer(body []byte, granularity string) (*Answer, error) {
	var resp beaconResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("bitbeacon: response: %v", err)
	}
	a := &Answer{Exists: resp.ResponseSummary.Exists}
	if granularity != "boolean" {
		a.Count = resp.ResponseSummary.NumTotalResults
	}
	if granularity == "record" {
		a.IDs = []string{}
		for _, rs := range resp.Response.ResultSets {
			for _, r := range rs.Results {
				a.IDs = append(a.IDs, r.ID)
			}
		}
	}
	return a, nil
}
