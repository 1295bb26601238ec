package api

import "strings"

// knownResources describes the ontologies whose CURIE prefixes commonly appear in Beacon data,
// for the resources section of /filtering_terms.
var knownResources = map[string]resource{
	"NCIT":        {ID: "ncit", Name: "NCI Thesaurus OBO Edition", URL: "http://purl.obolibrary.org/obo/ncit.owl", IRIPrefix: "http://purl.obolibrary.org/obo/NCIT_"},
	"HP":          {ID: "hp", Name: "Human Phenotype Ontology", URL: "http://purl.obolibrary.org/obo/hp.owl", IRIPrefix: "http://purl.obolibrary.org/obo/HP_"},
	"MONDO":       {ID: "mondo", Name: "Mondo Disease Ontology", URL: "http://purl.obolibrary.org/obo/mondo.owl", IRIPrefix: "http://purl.obolibrary.org/obo/MONDO_"},
	"UBERON":      {ID: "uberon", Name: "Uber-anatomy ontology", URL: "http://purl.obolibrary.org/obo/uberon.owl", IRIPrefix: "http://purl.obolibrary.org/obo/UBERON_"},
	"EFO":         {ID: "efo", Name: "Experimental Factor Ontology", URL: "http://www.ebi.ac.uk/efo/efo.owl", IRIPrefix: "http://www.ebi.ac.uk/efo/EFO_"},
	"GENO":        {ID: "geno", Name: "Genotype Ontology", URL: "http://purl.obolibrary.org/obo/geno.owl", IRIPrefix: "http://purl.obolibrary.org/obo/GENO_"},
	"SO":          {ID: "so", Name: "Sequence Ontology", URL: "http://purl.obolibrary.org/obo/so.owl", IRIPrefix: "http://purl.obolibrary.org/obo/SO_"},
	"OBI":         {ID: "obi", Name: "Ontology for Biomedical Investigations", URL: "http://purl.obolibrary.org/obo/obi.owl", IRIPrefix: "http://purl.obolibrary.org/obo/OBI_"},
	"GAZ":         {ID: "gaz", Name: "Gazetteer", URL: "http://purl.obolibrary.org/obo/gaz.owl", IRIPrefix: "http://purl.obolibrary.org/obo/GAZ_"},
	"DUO":         {ID: "duo", Name: "Data Use Ontology", URL: "http://purl.obolibrary.org/obo/duo.owl", IRIPrefix: "http://purl.obolibrary.org/obo/DUO_"},
	"ICD10":       {ID: "icd10", Name: "International Classification of Diseases, 10th revision", URL: "https://icd.who.int/browse10/2019/en"},
	"LOINC":       {ID: "loinc", Name: "Logical Observation Identifiers Names and Codes", URL: "https://loinc.org"},
	"OPCS4":       {ID: "opcs4", Name: "OPCS Classification of Interventions and Procedures, version 4", URL: "https://www.datadictionary.nhs.uk/supporting_information/opcs_classification_of_interventions_and_procedures.html"},
	"GENEPIO":     {ID: "genepio", Name: "Genomic Epidemiology Ontology", URL: "http://purl.obolibrary.org/obo/genepio.owl", IRIPrefix: "http://purl.obolibrary.org/obo/GENEPIO_"},
	"ENSGLOSSARY": {ID: "ensglossary", Name: "Ensembl Glossary", URL: "http://ensembl.org/glossary"},
	"ECO":         {ID: "eco", Name: "Evidence and Conclusion Ontology", URL: "http://purl.obolibrary.org/obo/eco.owl", IRIPrefix: "http://purl.obolibrary.org/obo/ECO_"},
	"UO":          {ID: "uo", Name: "Units of measurement ontology", URL: "http://purl.obolibrary.org/obo/uo.owl", IRIPrefix: "http://purl.obolibrary.org/obo/UO_"},
}

// resourcesFor lists a resource per CURIE prefix; unknown prefixes get an entry with the
// prefix only, so every prefix a filter may use is declared.
func resourcesFor(prefixes []string) []resource {
	out := make([]resource, 0, len(prefixes))
	for _, p := range prefixes {
		r, ok := knownResources[p]
		if !ok {
			r = resource{ID: strings.ToLower(p)}
		}
		r.NameSpacePrefix = p
		out = append(out, r)
	}
	return out
}
