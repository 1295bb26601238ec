package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// inputKind is what an input file holds. Adding a reader (Phenopackets) means a kind here
// and a case in Run.
type inputKind int

const (
	kindBFF inputKind = iota + 1
	kindOntologyOBO
	kindOntologyGraphs
	kindVCF
	// kindFilteringTerms is a BFF filtering_terms.json as beacon tools export it. The beacon
	// derives its filtering terms from the data, so the file is checked and not stored.
	kindFilteringTerms
)

func (k inputKind) String() string {
	switch k {
	case kindBFF:
		return "BFF"
	case kindOntologyOBO:
		return "OBO ontology"
	case kindOntologyGraphs:
		return "OBO Graphs JSON ontology"
	case kindVCF:
		return "VCF"
	case kindFilteringTerms:
		return "filtering terms"
	}
	return "unknown"
}

// classify tells what a file holds, by its name where that is unambiguous (.vcf, .vcf.gz,
// .obo) and otherwise by its first bytes after decompression: "[" starts a BFF array, an
// object with a top-level "graphs" key is OBO Graphs JSON, "format-version:" or "[Term]"
// starts OBO, "##fileformat=VCF" a VCF.
func classify(path string) (inputKind, error) {
	name := strings.ToLower(path)
	for _, gz := range []string{"", ".gz", ".bgz"} {
		switch {
		case strings.HasSuffix(name, ".vcf"+gz):
			return kindVCF, nil
		case strings.HasSuffix(name, ".obo"+gz):
			return kindOntologyOBO, nil
		}
	}
	in, err := openInput(path, nil)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	br := bufio.NewReader(in)
	head, _ := br.Peek(4096)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(head) == 0:
		return 0, fmt.Errorf("%s: empty file", path)
	case bytes.HasPrefix(head, []byte("##fileformat=VCF")):
		return kindVCF, nil
	case bytes.HasPrefix(head, []byte("format-version:")), bytes.HasPrefix(head, []byte("[Term]")):
		return kindOntologyOBO, nil
	case head[0] == '[':
		return kindBFF, nil
	case head[0] == '{':
		ok, err := hasTopLevelKey(br, "graphs")
		if err != nil {
			return 0, fmt.Errorf("%s: %v", path, err)
		}
		if ok {
			return kindOntologyGraphs, nil
		}
		return 0, fmt.Errorf("%s: a JSON object without \"graphs\": neither a BFF record array nor an OBO Graphs ontology", path)
	}
	return 0, fmt.Errorf("%s: not BFF JSON, OBO, OBO Graphs JSON or VCF", path)
}

// hasTopLevelKey scans the keys of a JSON object, skipping their values, until it finds key.
func hasTopLevelKey(r io.Reader, key string) (bool, error) {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return false, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false, err
		}
		if k, _ := tok.(string); k == key {
			return true, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false, err
		}
	}
	return false, nil
}
