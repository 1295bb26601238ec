package ingest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// decode parses a record the way readBFF does.
func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func warnFields(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Field)
	}
	return out
}

func TestNormalizeRecord(t *testing.T) {
	raw := decode(t, `{
		"id": "NCIT:C1", "_id": "mongo", "datasetId": "elsewhere",
		"sex": {"id": "NCIT:C20197", "label": "male"},
		"karyotypicSex": "XY",
		"diseases": [{"diseaseCode": {"id": "ICD10:E10", "label": "diabetes"}, "ageOfOnset": {"iso8601duration": "P40Y"}, "_note": "x"},
		             {"diseaseCode": {"id": "ICD10:E10"}, "familyHistory": true}],
		"measures": [{"assayCode": {"id": "LOINC:35925-4"}, "measurementValue": {"value": 26.50, "unit": {"id": "NCIT:C49671"}}},
		             {"assayCode": {"id": "LOINC:3141-9"}, "measurementValue": {"value": 85}}],
		"info": {"long": "`+strings.Repeat("x", 201)+`", "zyg": {"id": "GENO:GENO_0000458"}, "tags": ["GENO:GENO_0000136", "plain"], "url": {"id": "https://example.org/x"}},
		"individualId": "self", "biosampleId": 12
	}`)
	r, warns, err := NormalizeRecord(release.Individual, raw, "ds")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "NCIT:C1" || r.DatasetID != "ds" || r.IndividualID != "self" || r.BiosampleID != "" {
		t.Errorf("record: %+v", r)
	}
	wantTerms := []string{"GENO:0000458", "ICD10:E10", "LOINC:3141-9", "LOINC:35925-4", "NCIT:C20197", "NCIT:C49671"}
	if !slices.Equal(r.Terms, wantTerms) {
		t.Errorf("terms %v, want %v", r.Terms, wantTerms)
	}
	for _, f := range []release.Field{
		{Path: "sex.id", Value: "NCIT:C20197"}, {Path: "diseases.ageOfOnset.iso8601duration", Value: "P40Y"},
		{Path: "diseases.familyHistory", Value: "true"}, {Path: "measures.measurementValue.value", Value: "26.5"},
		{Path: "measures.measurementValue.value", Value: "85"}, {Path: "info.tags", Value: "GENO:0000136"},
		{Path: "datasetId", Value: "ds"}, {Path: "biosampleId", Value: "12"},
	} {
		if !slices.Contains(r.Fields, f) {
			t.Errorf("fields lack %+v: %v", f, r.Fields)
		}
	}
	n := 0
	for _, f := range r.Fields {
		if f.Path == "id" || f.Path == "info.long" || strings.HasPrefix(f.Path, "_") || strings.Contains(f.Path, "._") {
			t.Errorf("unexpected field %+v", f)
		}
		if f == (release.Field{Path: "diseases.diseaseCode.id", Value: "ICD10:E10"}) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("field (diseases.diseaseCode.id, ICD10:E10) appears %d times", n)
	}
	js := string(r.JSON)
	for _, bad := range []string{`"_id"`, `"_note"`, "GENO_", `\u003e`} {
		if strings.Contains(js, bad) {
			t.Errorf("JSON contains %s: %s", bad, js)
		}
	}
	if !strings.Contains(js, `"datasetId":"ds"`) || !strings.Contains(js, `"value":26.50`) {
		t.Errorf("JSON: %s", js)
	}
	got := warnFields(warns)
	for _, f := range []string{"datasetId", "biosampleId"} {
		if !slices.Contains(got, f) {
			t.Errorf("no warning for %s: %v", f, warns)
		}
	}
}

func TestNormalizeRecordErrors(t *testing.T) {
	for _, tc := range []struct {
		raw, field string
	}{
		{`{"name":"x"}`, "id"}, {`{"id":""}`, "id"}, {`{"id":["a"]}`, "id"}, {`{"id":null}`, "id"},
	} {
		_, _, err := NormalizeRecord(release.Cohort, decode(t, tc.raw), "ds")
		re, ok := err.(*RecordError)
		if !ok || re.Field != tc.field {
			t.Errorf("%s: err %v", tc.raw, err)
		}
	}
}

func TestNormalizeDatasetRecordTakesDatasetID(t *testing.T) {
	r, warns, err := NormalizeRecord(release.Dataset, decode(t, `{"id":"EGAD1","name":"n"}`), "mine")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "mine" || !bytes.Contains(r.JSON, []byte(`"id":"mine"`)) || len(warns) != 1 || warns[0].Field != "id" {
		t.Errorf("record %+v %s warnings %v", r, r.JSON, warns)
	}
}

func TestSchemaDeviationsWarn(t *testing.T) {
	_, warns, err := NormalizeRecord(release.Biosample, decode(t, `{
		"id": "B1", "sampleOriginType": "blood", "collectionDate": "11/09/2020",
		"phenotypicFeatures": [{"featureType": {"id": "HP:0000001"}, "onset": {"days": 5.0}}],
		"diagnosticMarkers": {"id": "X:1"}, "madeUp": 1
	}`), "ds")
	if err != nil {
		t.Fatal(err)
	}
	got := warnFields(warns)
	for _, f := range []string{"biosampleStatus", "sampleOriginType", "collectionDate", "phenotypicFeatures.onset", "diagnosticMarkers", "madeUp"} {
		if !slices.Contains(got, f) {
			t.Errorf("no warning for %s: %v", f, warns)
		}
	}
}

func TestIsCURIE(t *testing.T) {
	for s, want := range map[string]bool{
		"NCIT:C20197": true, "HP:0000001": true, "OPCS4:L46.3": true, "LOINC:35925-4": true,
		"GAZ:00002641": true, "ga4gh:SQ.abc": true, "DUO:0000019,DUO:00000020": true, "obo_x.y-z:1": true,
		"X:1": false, "NCIT:": false, ":1": false, "1X:1": false, "NCIT:C 1": false, "plain": false,
		"https://example.org": false, "HG00096": false, "": false,
	} {
		if got := isCURIE(s); got != want {
			t.Errorf("isCURIE(%q) = %v", s, got)
		}
	}
}

func TestNumberText(t *testing.T) {
	for in, want := range map[string]string{
		"26.63838307": "26.63838307", "85": "85", "5.0": "5", "-3": "-3", "1e3": "1000", "0.1": "0.1",
		"0.30000001192092896": "0.30000001192092896", "1e21": "1e+21", "12345678901234567890": "12345678901234567890",
		"-0.0": "0", "2.5e-7": "2.5e-07",
	} {
		if got := numberText(in); got != want {
			t.Errorf("numberText(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestNormalizeVariantSources(t *testing.T) {
	for _, tc := range []struct {
		name, raw, flag string
		chrom, asm      string
		start, end      int64
		ref, alt, vtype string
		warn            string // a field that must be warned about
		jsonHas         string
	}{
		{name: "legacy with refseq id",
			raw:   `{"variantInternalId":"v","variation":{"variantType":"SNP","referenceBases":"G","alternateBases":"A","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000017.11","interval":{"type":"SequenceInterval","start":{"type":"Number","value":7577120},"end":{"type":"Number","value":7577121}}}}}`,
			chrom: "17", asm: "GRCh38", start: 7577120, end: 7577121, ref: "G", alt: "A", vtype: "SNP"},
		{name: "flag disagrees with data", flag: "GRCh37",
			raw:   `{"variantInternalId":"v","variation":{"variantType":"SNP","referenceBases":"G","alternateBases":"A","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000017.11","interval":{"type":"SequenceInterval","start":{"type":"Number","value":1},"end":{"type":"Number","value":2}}}}}`,
			chrom: "17", asm: "GRCh38", start: 1, end: 2, ref: "G", alt: "A", vtype: "SNP", warn: "assembly"},
		{name: "hg19 in data equals GRCh37 flag", flag: "GRCh37",
			raw:   `{"variantInternalId":"v","variation":{"variantType":"SNP","referenceBases":"A","alternateBases":"G","location":{"type":"SequenceLocation","sequence_id":"HGVSid:22:g.16050075A>G","interval":{"type":"SequenceInterval","start":{"type":"Number","value":16050074},"end":{"type":"Number","value":16050075}}}},"_position":{"assemblyId":"hg19","refseqId":"22","startInteger":16050074,"endInteger":16050075}}`,
			chrom: "22", asm: "GRCh37", start: 16050074, end: 16050075, ref: "A", alt: "G", vtype: "SNP", jsonHas: `"sequence_id":"HGVSid:22:g.16050075A>G"`},
		{name: "flag used when data has none", flag: "hg38",
			raw:   `{"variantInternalId":"v","variation":{"variantType":"SNP","referenceBases":"A","alternateBases":"G","location":{"type":"SequenceLocation","sequence_id":"HGVSid:chr22:g.10516173A>G","interval":{"type":"SequenceInterval","start":{"type":"Number","value":10516172},"end":{"type":"Number","value":10516173}}}}}`,
			chrom: "22", asm: "GRCh38", start: 10516172, end: 10516173, ref: "A", alt: "G", vtype: "SNP"},
		{name: "_position only, end missing, variantType inferred", flag: "GRCh37",
			raw:   `{"variantInternalId":"v","variation":{"referenceBases":"TA","alternateBases":"T"},"_position":{"refseqId":"chrX","startInteger":100}}`,
			chrom: "X", asm: "GRCh37", start: 100, end: 102, ref: "TA", alt: "T", vtype: "INDEL", warn: "variation.location",
			jsonHas: `"sequence_id":"refseq:NC_000023.10"`},
		{name: "non-CURIE sequence_id rewritten",
			raw:   `{"variantInternalId":"v","variation":{"variantType":"SNP","referenceBases":"A","alternateBases":"C","location":{"sequence_id":"chr7","interval":{"start":{"type":"Number","value":5},"end":{"type":"Number","value":6}}}},"_position":{"assemblyId":"GRCh38"}}`,
			chrom: "7", asm: "GRCh38", start: 5, end: 6, ref: "A", alt: "C", vtype: "SNP", warn: "variation.location.sequence_id",
			jsonHas: `"sequence_id":"refseq:NC_000007.14"`},
		{name: "VRS allele",
			raw:   `{"variantInternalId":"v","variation":{"type":"Allele","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000001.10","interval":{"type":"SequenceInterval","start":{"type":"Number","value":10},"end":{"type":"Number","value":11}}},"state":{"type":"LiteralSequenceExpression","sequence":"T"}}}`,
			chrom: "1", asm: "GRCh37", start: 10, end: 11, alt: "T", vtype: "SNP"},
		{name: "definite range CNV",
			raw:   `{"variantInternalId":"v","variation":{"variantType":"DEL","alternateBases":"","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000002.12","interval":{"type":"SequenceInterval","start":{"type":"DefiniteRange","min":100,"max":110},"end":{"type":"DefiniteRange","min":500,"max":520}}}}}`,
			chrom: "2", asm: "GRCh38", start: 100, end: 520, vtype: "DEL"},
		{name: "HGVS on the other assembly than _position",
			raw:   `{"variantInternalId":"v","variation":{"variantType":"SNP","referenceBases":"C","alternateBases":"T","location":{"type":"SequenceLocation","sequence_id":"HGVSid:NC_000022.11:g.17085110C>T","interval":{"type":"SequenceInterval","start":{"type":"Number","value":17565999},"end":{"type":"Number","value":17566000}}}},"_position":{"assemblyId":"hg19","refseqId":"22"}}`,
			chrom: "22", asm: "GRCh37", start: 17565999, end: 17566000, ref: "C", alt: "T", vtype: "SNP", warn: "variation.location.sequence_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, warns, err := NormalizeVariant(decode(t, tc.raw), "ds", tc.flag)
			if err != nil {
				t.Fatal(err)
			}
			if v.Chrom != tc.chrom || v.Assembly != tc.asm || v.Start != tc.start || v.End != tc.end || v.Ref != tc.ref || v.Alt != tc.alt || v.VariantType != tc.vtype {
				t.Errorf("got %s %s [%d,%d) %q>%q %s", v.Assembly, v.Chrom, v.Start, v.End, v.Ref, v.Alt, v.VariantType)
			}
			if tc.warn != "" && !slices.Contains(warnFields(warns), tc.warn) {
				t.Errorf("no warning for %s: %v", tc.warn, warns)
			}
			if tc.jsonHas != "" && !strings.Contains(string(v.JSON), tc.jsonHas) {
				t.Errorf("JSON lacks %s: %s", tc.jsonHas, v.JSON)
			}
			if strings.Contains(string(v.JSON), "_position") {
				t.Errorf("JSON keeps _position: %s", v.JSON)
			}
		})
	}
}

func TestNormalizeVariantCarriersAndLists(t *testing.T) {
	v, warns, err := NormalizeVariant(decode(t, `{"variantInternalId":"v","datasetId":"ds",
		"variation":{"variantType":"SNP","referenceBases":"A","alternateBases":"G","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000022.10","interval":{"type":"SequenceInterval","start":{"type":"Number","value":1},"end":{"type":"Number","value":2}}}},
		"caseLevelData":[{"biosampleId":"S1","zygosity":{"id":"GENO:GENO_0000458","label":"0/1"}},{"individualId":"I2"},{"zygosity":{"id":"GENO:0000136"}},"junk"],
		"molecularAttributes":{"geneIds":["BRCA1","BRCA1","."],"aminoacidChanges":[".","V600E",""]},
		"identifiers":{"genomicHGVSId":"NC_000022.10:g.2A>G","transcriptHGVSIds":["ENST1:c.1A>G","ENST2:."],"proteinHGVSIds":["ENSP1:p.V600E"]}}`), "ds", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Carriers, []string{"S1", "I2"}) || !slices.Equal(v.CarrierZygosity, []release.ZygosityTerm{{ID: "GENO:0000458", Label: "0/1"}, {}}) {
		t.Errorf("carriers %v zygosity %v", v.Carriers, v.CarrierZygosity)
	}
	// An individualId and entries without biosampleId: caseLevelData stays in the record.
	if v.CaseLevelFromCarriers || !strings.Contains(string(v.JSON), `"caseLevelData"`) {
		t.Errorf("caseLevelData left to the carriers: %s", v.JSON)
	}
	if !slices.Equal(v.GeneIDs, []string{"BRCA1"}) || !slices.Equal(v.AminoacidChanges, []string{"V600E"}) {
		t.Errorf("genes %v aa %v", v.GeneIDs, v.AminoacidChanges)
	}
	if !slices.Equal(v.HGVSIDs, []string{"NC_000022.10:g.2A>G", "ENST1:c.1A>G", "ENSP1:p.V600E"}) {
		t.Errorf("hgvs %v", v.HGVSIDs)
	}
	got := warnFields(warns)
	if !slices.Contains(got, "caseLevelData.biosampleId") {
		t.Errorf("warnings %v", warns)
	}
}

func TestNormalizeVariantErrors(t *testing.T) {
	for _, tc := range []struct{ raw, field string }{
		{`{"variation":{}}`, "variantInternalId"},
		{`{"variantInternalId":"v"}`, "variation"},
		{`{"variantInternalId":"v","variation":"x"}`, "variation"},
		{`{"variantInternalId":"v","variation":{"location":{"sequence_id":"refseq:NC_000022.10","interval":{"start":{"value":"x"}}}}}`, "variation.location.interval.start"},
		{`{"variantInternalId":"v","variation":{"location":{"sequence_id":"refseq:NC_000022.10","interval":{"start":{"value":-1}}}}}`, "variation.location.interval.start"},
		{`{"variantInternalId":"v","variation":{"location":{"sequence_id":"refseq:NC_000022.10","interval":{"start":{"value":10},"end":{"value":5}}}}}`, "variation.location.interval.end"},
		{`{"variantInternalId":"v","variation":{"location":{"sequence_id":"ga4gh:SQ.x","interval":{"start":{"value":1}}}}}`, "variation.location.sequence_id"},
	} {
		_, _, err := NormalizeVariant(decode(t, tc.raw), "ds", "")
		re, ok := err.(*RecordError)
		if !ok || re.Field != tc.field {
			t.Errorf("%s: err %v, want field %s", tc.raw, err, tc.field)
		}
	}
}

// caseLevelData leaves the record for the carrier bitmaps only when the carriers say all of
// it: biosampleId plus at most a zygosity {id, label}, each biosample once.
func TestNormalizeVariantCaseLevelFromCarriers(t *testing.T) {
	const head = `{"variantInternalId":"v","variation":{"variantType":"SNP","referenceBases":"A","alternateBases":"G","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000022.10","interval":{"type":"SequenceInterval","start":{"type":"Number","value":1},"end":{"type":"Number","value":2}}}},"caseLevelData":`
	for _, tc := range []struct {
		name, cl string
		plain    bool
	}{
		{"plain", `[{"biosampleId":"S1","zygosity":{"id":"GENO:0000458","label":"0/1"}},{"biosampleId":"S2"}]`, true},
		{"extra field", `[{"biosampleId":"S1","zygosity":{"id":"GENO:0000458","label":"0/1"},"alleleOrigin":{"id":"SO:0001778","label":"germline variant"}}]`, false},
		{"extra zygosity field", `[{"biosampleId":"S1","zygosity":{"id":"GENO:0000458","label":"0/1","x":1}}]`, false},
		{"zygosity without label", `[{"biosampleId":"S1","zygosity":{"id":"GENO:0000458"}}]`, false},
		{"individualId", `[{"individualId":"I1"}]`, false},
		{"both ids", `[{"biosampleId":"S1","individualId":"I1"}]`, false},
		{"twice", `[{"biosampleId":"S1"},{"biosampleId":"S1","zygosity":{"id":"GENO:0000136","label":"1/1"}}]`, false},
		{"empty", `[]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, _, err := NormalizeVariant(decode(t, head+tc.cl+`}`), "ds", "")
			if err != nil {
				t.Fatal(err)
			}
			has := strings.Contains(string(v.JSON), `"caseLevelData"`)
			if v.CaseLevelFromCarriers != tc.plain || has == tc.plain {
				t.Fatalf("caseLevelFromCarriers %v, record %s", v.CaseLevelFromCarriers, v.JSON)
			}
			if !tc.plain {
				// Kept as it was, extra fields included.
				var got, want struct{ CaseLevelData any }
				json.Unmarshal(v.JSON, &got)
				json.Unmarshal([]byte(head+tc.cl+`}`), &want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("caseLevelData %v, want %v", got, want)
				}
			}
			if len(v.Carriers) == 0 && tc.name != "empty" {
				t.Errorf("no carriers for the index")
			}
		})
	}
}
