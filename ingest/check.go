package ingest

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/bitbeacon/bitbeacon/release"
)

// The checks here are a light, hand-written reading of the Beacon v2 default model
// (models/json/beacon-v2-default-model/*/defaultSchema.json, v2.1.1): the types of the known
// fields, required keys, ontology terms and time elements. They never reject a record: a
// deviation is a warning and the record is kept as it is, because real BFF files deviate
// in harmless ways and a beacon that refuses them helps nobody. Ids and positions, which the
// engine cannot do without, are checked by NormalizeRecord/NormalizeVariant instead.

type kind uint8

const (
	kAny      kind = iota
	kString        // string
	kDate          // string, YYYY-MM-DD
	kDateTime      // string, RFC 3339
	kNumber        // number
	kInteger       // integral number
	kBool          // boolean
	kObject        // object with optional props and required keys
	kArray         // array of elem
	kTerm          // ontology term: object with a CURIE "id"
	kTime          // timeElement: age, age range, gestational age, interval or ontology term
	kMap           // object whose every value is elem
)

type spec struct {
	kind     kind
	elem     *spec
	props    map[string]*spec
	required []string
	enum     []string
}

func obj(required []string, props map[string]*spec) *spec {
	return &spec{kind: kObject, props: props, required: required}
}
func arr(elem *spec) *spec      { return &spec{kind: kArray, elem: elem} }
func enum(vals ...string) *spec { return &spec{kind: kString, enum: vals} }

var (
	anyV     = &spec{kind: kAny}
	str      = &spec{kind: kString}
	date     = &spec{kind: kDate}
	dateTime = &spec{kind: kDateTime}
	num      = &spec{kind: kNumber}
	integer  = &spec{kind: kInteger}
	boolean  = &spec{kind: kBool}
	term     = &spec{kind: kTerm}
	timeEl   = &spec{kind: kTime}
	object   = obj(nil, nil)
	age      = obj([]string{"iso8601duration"}, map[string]*spec{"iso8601duration": str})

	phenotypicFeature = obj([]string{"featureType"}, map[string]*spec{
		"featureType": term, "excluded": boolean, "modifiers": arr(term), "onset": timeEl,
		"resolution": timeEl, "severity": term, "notes": str,
		"evidence": obj([]string{"evidenceCode"}, map[string]*spec{"evidenceCode": term}),
	})
	measure = obj([]string{"assayCode"}, map[string]*spec{
		"assayCode": term, "date": date, "observationMoment": timeEl, "notes": str,
		"measurementValue": anyV, "procedure": object,
	})
	procedure = obj([]string{"procedureCode"}, map[string]*spec{
		"procedureCode": term, "ageAtProcedure": timeEl, "bodySite": term, "dateOfProcedure": date,
	})
	availability = obj([]string{"availability"}, map[string]*spec{
		"availability": boolean, "availabilityCount": integer, "distribution": {kind: kMap, elem: object},
	})
	collectionEvent = obj(nil, map[string]*spec{
		"eventNum": integer, "eventSize": integer, "eventCases": integer, "eventControls": integer,
		"eventDate": date, "eventTimeline": object, "eventAgeRange": availability,
		"eventDiseases": availability, "eventEthnicities": availability, "eventGenders": availability,
		"eventLocations": availability, "eventPhenotypes": availability, "eventDataTypes": availability,
	})
	caseLevel = obj([]string{"biosampleId"}, map[string]*spec{
		"biosampleId": str, "individualId": str, "analysisId": str, "runId": str, "id": str,
		"zygosity": term, "alleleOrigin": term, "clinicalInterpretations": arr(object),
		"phenotypicEffects": arr(object),
	})
)

// entitySpecs are the top-level checks of each entity. A key absent here is unknown to the
// model; "datasetId" is known to us (datasets/records link) even though the model lacks it.
var entitySpecs = map[release.Entity]*spec{
	release.Individual: obj([]string{"sex"}, map[string]*spec{
		"id": str, "sex": term, "ethnicity": term, "geographicOrigin": term,
		"karyotypicSex": enum("UNKNOWN_KARYOTYPE", "XX", "XY", "XO", "XXY", "XXX", "XXYY", "XXXY", "XXXX", "XYY", "OTHER_KARYOTYPE"),
		"diseases": arr(obj([]string{"diseaseCode"}, map[string]*spec{
			"diseaseCode": term, "ageOfOnset": timeEl, "stage": term, "severity": term,
			"familyHistory": boolean, "notes": str,
		})),
		"phenotypicFeatures": arr(phenotypicFeature),
		"measures":           arr(measure),
		"exposures": arr(obj([]string{"exposureCode"}, map[string]*spec{
			"exposureCode": term, "ageAtExposure": age, "unit": term, "duration": str, "date": date, "value": num,
		})),
		"interventionsOrProcedures": arr(procedure),
		"treatments": arr(obj([]string{"treatmentCode"}, map[string]*spec{
			"treatmentCode": term, "ageAtOnset": age, "routeOfAdministration": term,
			"cumulativeDose": object, "doseIntervals": arr(object),
		})),
		"pedigrees": arr(obj([]string{"id", "disease", "members"}, map[string]*spec{
			"id": str, "disease": object, "numSubjects": integer,
			"members": arr(obj([]string{"memberId", "role", "affected"}, map[string]*spec{
				"memberId": str, "role": term, "affected": boolean,
			})),
		})),
		"info": object,
	}),
	release.Biosample: obj([]string{"biosampleStatus", "sampleOriginType"}, map[string]*spec{
		"id": str, "individualId": str, "biosampleStatus": term, "sampleOriginType": term,
		"sampleOriginDetail": term, "collectionDate": date, "collectionMoment": str,
		"obtentionProcedure": procedure, "histologicalDiagnosis": term, "pathologicalStage": term,
		"pathologicalTnmFinding": arr(term), "tumorGrade": term, "tumorProgression": term,
		"diagnosticMarkers": arr(term), "phenotypicFeatures": arr(phenotypicFeature),
		"measurements": arr(measure), "sampleProcessing": term, "sampleStorage": term,
		"notes": str, "info": object,
	}),
	release.Run: obj([]string{"biosampleId", "runDate"}, map[string]*spec{
		"id": str, "biosampleId": str, "individualId": str, "runDate": date,
		"libraryLayout": enum("PAIRED", "SINGLE"), "librarySelection": str, "librarySource": term,
		"libraryStrategy": str, "platform": str, "platformModel": term, "info": object,
	}),
	release.Analysis: obj([]string{"analysisDate", "pipelineName"}, map[string]*spec{
		"id": str, "runId": str, "biosampleId": str, "individualId": str, "analysisDate": date,
		"pipelineName": str, "pipelineRef": str, "aligner": str, "variantCaller": str, "info": object,
	}),
	release.Cohort: obj([]string{"name", "cohortType"}, map[string]*spec{
		"id": str, "name": str, "cohortType": enum("study-defined", "beacon-defined", "user-defined"),
		"cohortDesign": term, "cohortSize": integer, "cohortDataTypes": arr(term),
		"inclusionCriteria": object, "exclusionCriteria": object, "collectionEvents": arr(collectionEvent),
	}),
	release.Dataset: obj([]string{"name"}, map[string]*spec{
		"id": str, "name": str, "description": str, "version": str, "createDateTime": dateTime,
		"updateDateTime": dateTime, "externalUrl": str, "info": object,
		"dataUseConditions": obj(nil, map[string]*spec{
			"duoDataUse": arr(obj([]string{"id", "version"}, map[string]*spec{
				"id": str, "label": str, "version": str, "modifiers": arr(term),
			})),
		}),
	}),
	release.GenomicVariation: obj(nil, map[string]*spec{
		"variantInternalId": str, "variation": object, "caseLevelData": arr(caseLevel),
		"identifiers": obj(nil, map[string]*spec{
			"genomicHGVSId": str, "transcriptHGVSIds": arr(str), "proteinHGVSIds": arr(str),
			"clinvarVariantId": str, "variantAlternativeIds": arr(obj([]string{"id"}, map[string]*spec{"id": str})),
		}),
		"molecularAttributes": obj(nil, map[string]*spec{
			"geneIds": arr(str), "aminoacidChanges": arr(str), "molecularEffects": arr(term),
			"genomicFeatures": arr(obj([]string{"featureClass"}, map[string]*spec{"featureClass": term, "featureID": term})),
		}),
		"frequencyInPopulations": arr(obj([]string{"source", "sourceReference", "frequencies"}, map[string]*spec{
			"source": str, "sourceReference": str, "version": str,
			"frequencies": arr(obj([]string{"population", "alleleFrequency"}, map[string]*spec{
				"population": str, "alleleFrequency": num,
			})),
		})),
		"variantLevelData": obj(nil, map[string]*spec{
			"clinicalInterpretations": arr(object), "phenotypicEffects": arr(object),
		}),
	}),
}

// checkRecord appends a warning for every deviation of raw from its entity's spec. Unknown
// top-level keys are reported once per file (the driver drops repeats).
func checkRecord(e release.Entity, raw map[string]any, warns []Warning) []Warning {
	s := entitySpecs[e]
	if s == nil {
		return warns
	}
	for k := range raw {
		if _, known := s.props[k]; !known && k != keyDatasetID && !strings.HasPrefix(k, "_") {
			warns = append(warns, Warning{Field: k, Msg: "not a field of the Beacon v2 " + string(e) + " model (kept)", once: true})
		}
	}
	return check(s, raw, "", warns)
}

func check(s *spec, v any, path string, warns []Warning) []Warning {
	if v == nil {
		return warns // null is "absent"; required keys are checked by the parent
	}
	bad := func(want string) []Warning {
		return append(warns, Warning{Field: path, Msg: "want " + want + ", got " + shortJSON(v) + " (kept)"})
	}
	switch s.kind {
	case kString, kDate, kDateTime:
		str, ok := v.(string)
		if !ok {
			return bad("a string")
		}
		if len(s.enum) > 0 && !containsStr(s.enum, str) {
			return bad("one of " + strings.Join(s.enum, ", "))
		}
		if s.kind == kDate {
			if _, err := time.Parse(time.DateOnly, str); err != nil {
				return bad("a date YYYY-MM-DD")
			}
		}
		if s.kind == kDateTime {
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				return bad("an RFC 3339 date-time")
			}
		}
	case kNumber, kInteger:
		n, ok := v.(json.Number)
		if !ok {
			if _, isFloat := v.(float64); !isFloat {
				return bad("a number")
			}
			return warns
		}
		if s.kind == kInteger && !isIntLiteral(string(n)) {
			return bad("an integer")
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	case kArray:
		a, ok := v.([]any)
		if !ok {
			return bad("an array")
		}
		for _, e := range a {
			warns = check(s.elem, e, path, warns)
		}
	case kMap:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("an object")
		}
		// One warning for the map, not one per key: the keys are data (term ids, names).
		for _, e := range m {
			if w := check(s.elem, e, path, nil); len(w) > 0 {
				return append(warns, Warning{Field: path, Msg: "want every value " + kindName(s.elem) + ", got " + shortJSON(v) + " (kept)"})
			}
		}
	case kTerm:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("an ontology term {id, label}")
		}
		id, _ := m["id"].(string)
		if !isCURIE(id) {
			return bad("an ontology term with a CURIE id")
		}
	case kTime:
		m, ok := v.(map[string]any)
		if !ok || !isTimeElement(m) {
			return bad("a timeElement (age, ageRange, gestationalAge, timeInterval or ontology term)")
		}
	case kObject:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("an object")
		}
		for _, r := range s.required {
			if _, ok := m[r]; !ok {
				warns = append(warns, Warning{Field: joinPath(path, r), Msg: "missing (required by the Beacon v2 model; record kept)"})
			}
		}
		for k, e := range m {
			if ps := s.props[k]; ps != nil {
				warns = check(ps, e, joinPath(path, k), warns)
			}
		}
	}
	return warns
}

func kindName(s *spec) string {
	switch s.kind {
	case kObject, kTerm, kTime, kMap:
		return "an object"
	case kArray:
		return "an array"
	case kNumber, kInteger:
		return "a number"
	case kBool:
		return "a boolean"
	case kString, kDate, kDateTime:
		return "a string"
	}
	return "a value"
}

// isTimeElement recognises the object forms of the model's timeElement.
func isTimeElement(m map[string]any) bool {
	if _, ok := m["iso8601duration"].(string); ok {
		return true
	}
	if _, ok := m["weeks"]; ok {
		return true
	}
	_, hasStart := m["start"]
	_, hasEnd := m["end"]
	if hasStart && hasEnd {
		return true
	}
	id, _ := m["id"].(string)
	return isCURIE(id)
}

func joinPath(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
