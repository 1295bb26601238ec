package network

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/release"
)

// memberMeta is what a member's informational endpoints said, fetched at start and again
// whenever its /info updateDateTime changes.
type memberMeta struct {
	beaconID, name, updateDateTime string
	// entryTypes are the member's entry type definitions by id; nil when unknown (the member
	// is then asked everything).
	entryTypes map[string]any
	// endpointSets of its /map, terms and resources of its /filtering_terms.
	endpointSets map[string]any
	terms        []any
	resources    []any
	// termIDs are the ids of its filtering terms; nil when unknown (then no filter skips it).
	termIDs        map[string]bool
	securityLevels []any
}

// v1Meta is what a v1 member supports: genomic variant queries, no filters.
func v1Meta(m *member) *memberMeta {
	et := api.EntryTypeByEntity(release.GenomicVariation)
	return &memberMeta{beaconID: m.cfg.ID, name: m.cfg.ID, entryTypes: map[string]any{
		et.ID: map[string]any{"id": et.ID, "name": et.Name,
			"ontologyTermForThisType": map[string]any{"id": "SO:0000735", "label": "sequence_location"},
			"partOfSpecification":     "Beacon v1", "defaultSchema": map[string]any{"id": et.DefaultSchemaName, "name": et.DefaultSchemaTitle, "referenceToSchemaDefinition": et.SchemaURL()}},
	}}
}

// getDoc fetches one informational endpoint of a member and checks it.
func (n *Network) getDoc(ctx context.Context, m *member, path string, c *check) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	r, err := fetch(ctx, n.client, m, outgoing{method: http.MethodGet, path: path})
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", path, r.status)
	}
	doc, err := decodeDoc(r.body)
	if err == nil {
		err = validate(c, doc, "")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return doc, nil
}

// refreshMember reads a member's /info and, when its updateDateTime changed (or nothing is
// known yet), its /entry_types, /map, /configuration and /filtering_terms. It reports
// whether anything changed.
func (n *Network) refreshMember(ctx context.Context, m *member) bool {
	if m.cfg.V1() {
		if m.meta.Load() == nil {
			m.meta.Store(v1Meta(m))
			return true
		}
		return false
	}
	info, err := n.getDoc(ctx, m, "/info", cInfo)
	if err != nil {
		n.log.Warn("member /info unavailable", "member", m.cfg.ID, "err", err)
		return false
	}
	resp := info["response"].(map[string]any)
	old := m.meta.Load()
	upd := str(resp["updateDateTime"])
	if old != nil && old.updateDateTime == upd && upd != "" {
		return false
	}
	mm := &memberMeta{beaconID: str(resp["id"]), name: str(resp["name"]), updateDateTime: upd}
	if doc, err := n.getDoc(ctx, m, "/entry_types", cEntryTypes); err == nil {
		mm.entryTypes, _ = doc["response"].(map[string]any)["entryTypes"].(map[string]any)
	} else {
		n.log.Warn("member /entry_types unavailable", "member", m.cfg.ID, "err", err)
	}
	if doc, err := n.getDoc(ctx, m, "/map", cMap); err == nil {
		mm.endpointSets, _ = doc["response"].(map[string]any)["endpointSets"].(map[string]any)
	}
	if doc, err := n.getDoc(ctx, m, "/configuration", cConfiguration); err == nil {
		cfg := doc["response"].(map[string]any)
		if sa, ok := cfg["securityAttributes"].(map[string]any); ok {
			mm.securityLevels, _ = sa["securityLevels"].([]any)
		}
	}
	if err := n.readTerms(ctx, m, mm); err != nil {
		mm.terms, mm.resources, mm.termIDs = nil, nil, nil
		n.log.Warn("member /filtering_terms unavailable: no filter skips it", "member", m.cfg.ID, "err", err)
	}
	m.meta.Store(mm)
	return true
}

// Terms are read a page of termsPage (a bitbeacon's largest page) at a time, up to
// maxTermPages pages: a page shorter than asked for, or one that adds no new term (a member
// whose skip counts records, not pages), is the last.
var termsPage = api.DefaultPagination().MaxLimit

const maxTermPages = 200

// readTerms reads every page of a member's /filtering_terms into mm.
func (n *Network) readTerms(ctx context.Context, m *member, mm *memberMeta) error {
	mm.termIDs = map[string]bool{}
	seen, resources := map[string]bool{}, map[string]bool{}
	for page := range maxTermPages {
		doc, err := n.getDoc(ctx, m, fmt.Sprintf("/filtering_terms?limit=%d&skip=%d", termsPage, page), cFilteringTerms)
		if err != nil {
			return err
		}
		resp := doc["response"].(map[string]any)
		terms, _ := resp["filteringTerms"].([]any)
		added := 0
		for _, t := range terms {
			t, _ := t.(map[string]any)
			if key := str(t["type"]) + "\x00" + str(t["id"]); !seen[key] {
				seen[key] = true
				mm.termIDs[str(t["id"])] = true
				mm.terms = append(mm.terms, t)
				added++
			}
		}
		rs, _ := resp["resources"].([]any)
		for _, r := range rs {
			if r, ok := r.(map[string]any); ok && !resources[str(r["id"])] {
				resources[str(r["id"])] = true
				mm.resources = append(mm.resources, r)
			}
		}
		if len(terms) < termsPage || added == 0 {
			return nil
		}
	}
	return nil
}

// Refresh reads every member's informational endpoints at once and rebuilds the network's
// own when any changed.
func (n *Network) Refresh(ctx context.Context) {
	var wg sync.WaitGroup
	changed := make([]bool, len(n.members))
	for i, m := range n.members {
		wg.Go(func() { changed[i] = n.refreshMember(ctx, m) })
	}
	wg.Wait()
	for _, c := range changed {
		if c || n.derived.Load() == nil {
			n.derived.Store(n.derive())
			return
		}
	}
}

// Run refreshes every cfg.Refresh until ctx ends.
func (n *Network) Run(ctx context.Context) {
	t := time.NewTicker(n.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.Refresh(ctx)
		}
	}
}

// derived holds the network's informational answers, rebuilt from the members' metadata.
type derived struct {
	info, configuration, entryTypes, mapDoc []byte
	terms                                   []any // merged filtering terms, sorted by id
	resources                               []any
	entryTypeIDs                            map[string]bool
	updated                                 string
}

func infoMeta(beaconID, entityType, schema string) map[string]any {
	return map[string]any{"beaconId": beaconID, "apiVersion": "v2.0.0",
		"returnedSchemas": []any{map[string]any{"entityType": entityType, "schema": schema}}}
}

// derive builds the network's /info, /configuration, /entry_types, /map and
// /filtering_terms from the members': entry types, endpoint sets and terms are the union,
// /info's updateDateTime the latest of the members'.
func (n *Network) derive() *derived {
	d := &derived{entryTypeIDs: map[string]bool{}}
	ets := map[string]any{}
	sets := map[string]any{}
	levels := map[string]bool{}
	terms := map[string]map[string]any{}
	resources := map[string]any{}
	var members []any
	updated := n.started.UTC().Format(time.RFC3339)
	for _, m := range n.members {
		mm := m.meta.Load()
		entry := map[string]any{"id": m.cfg.ID, "apiVersion": m.cfg.APIVersion}
		if mm == nil {
			entry["reachable"] = false
			members = append(members, entry)
			continue
		}
		if !m.cfg.V1() { // a v1 member's metadata is not fetched: nothing is known of it yet
			entry["reachable"] = true
			entry["beaconId"], entry["name"] = mm.beaconID, mm.name
		}
		if mm.updateDateTime != "" {
			entry["updateDateTime"] = mm.updateDateTime
			if t, err := time.Parse(time.RFC3339, mm.updateDateTime); err == nil {
				if u, _ := time.Parse(time.RFC3339, updated); t.After(u) {
					updated = t.UTC().Format(time.RFC3339)
				}
			}
		}
		members = append(members, entry)
		for id, def := range mm.entryTypes {
			if _, ok := ets[id]; !ok {
				ets[id] = def
			}
			d.entryTypeIDs[id] = true
		}
		for k, s := range mm.endpointSets {
			if _, ok := sets[k]; !ok {
				sets[k] = n.rebase(s)
			}
		}
		for _, l := range mm.securityLevels {
			levels[str(l)] = true
		}
		for _, t := range mm.terms {
			t, ok := t.(map[string]any)
			if !ok {
				continue
			}
			key := str(t["type"]) + "\x00" + str(t["id"])
			have := terms[key]
			if have == nil {
				have = map[string]any{}
				for k, v := range t {
					have[k] = v
				}
				terms[key] = have
				continue
			}
			have["scopes"] = unionStrings(have["scopes"], t["scopes"])
		}
		for _, r := range mm.resources {
			if r, ok := r.(map[string]any); ok {
				if _, have := resources[str(r["id"])]; !have {
					resources[str(r["id"])] = r
				}
			}
		}
	}
	d.updated = updated
	for _, t := range terms {
		d.terms = append(d.terms, t)
	}
	sort.Slice(d.terms, func(i, j int) bool {
		a, b := d.terms[i].(map[string]any), d.terms[j].(map[string]any)
		return str(a["id"]) < str(b["id"]) || (str(a["id"]) == str(b["id"]) && str(a["type"]) < str(b["type"]))
	})
	for _, k := range sortedKeys(resources) {
		d.resources = append(d.resources, resources[k])
	}
	if d.terms == nil {
		d.terms = []any{}
	}
	if d.resources == nil {
		d.resources = []any{}
	}
	c := n.cfg
	org := map[string]any{"id": c.Organization.ID, "name": c.Organization.Name}
	if c.Organization.WelcomeURL != "" {
		org["welcomeUrl"] = c.Organization.WelcomeURL
	}
	if c.Organization.ContactURL != "" {
		org["contactUrl"] = c.Organization.ContactURL
	}
	info := map[string]any{"id": c.BeaconID, "name": c.Name, "apiVersion": "v2.0.0", "environment": c.Environment,
		"organization": org, "version": api.Version,
		"createDateTime": n.started.UTC().Format(time.RFC3339), "updateDateTime": updated,
		"info": map[string]any{"members": members}}
	if c.Description != "" {
		info["description"] = c.Description
	}
	d.info = mustJSON(map[string]any{"meta": infoMeta(c.BeaconID, "info", "beacon-info-v2.0.0"), "response": info})
	d.entryTypes = mustJSON(map[string]any{"meta": infoMeta(c.BeaconID, "entryType", "beacon-entry-types-v2.0.0"),
		"response": map[string]any{"$schema": api.EntryTypesSchemaURL, "entryTypes": ets}})
	secLevels := sortedKeys(levels)
	if len(secLevels) == 0 {
		secLevels = []string{api.SecurityPublic}
	}
	d.configuration = mustJSON(map[string]any{"meta": infoMeta(c.BeaconID, "configuration", "beacon-configuration-v2.0.0"),
		"response": map[string]any{"$schema": api.ConfigurationSchemaURL,
			"maturityAttributes": map[string]any{"productionStatus": productionStatus(c.Environment)},
			"securityAttributes": map[string]any{"defaultGranularity": "boolean", "securityLevels": secLevels},
			"entryTypes":         ets}})
	d.mapDoc = mustJSON(map[string]any{"meta": infoMeta(c.BeaconID, "map", "beacon-map-v2.0.0"),
		"response": map[string]any{"$schema": api.MapSchemaURL, "endpointSets": sets}})
	return d
}

func productionStatus(env string) string {
	switch env {
	case "test", "staging":
		return "TEST"
	case "dev":
		return "DEV"
	}
	return "PROD"
}

// rebase rewrites the URLs of a member's endpoint set to the network's base URL: each
// keeps its path from the first entry-type or filtering_terms segment on.
func (n *Network) rebase(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = n.rebase(x)
		}
		return out
	case string:
		if !strings.Contains(v, "://") {
			return v
		}
		for i := strings.Index(v, "://") + 3; i < len(v); i++ {
			if v[i] != '/' {
				continue
			}
			seg := v[i+1:]
			if j := strings.IndexAny(seg, "/?{"); j >= 0 {
				seg = seg[:j]
			}
			if _, ok := api.EntryTypeByPath(seg); ok || seg == "filtering_terms" {
				return n.baseURL() + v[i:]
			}
		}
		return v
	}
	return v
}

func unionStrings(a, b any) any {
	seen := map[string]bool{}
	var out []any
	for _, l := range []any{a, b} {
		arr, _ := l.([]any)
		for _, s := range arr {
			if !seen[str(s)] {
				seen[str(s)] = true
				out = append(out, s)
			}
		}
	}
	if out == nil {
		return a
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps, slices and strings of our own: cannot fail
	}
	return b
}
