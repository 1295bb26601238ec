package popgen

import (
	"bufio"
)

// term is an ontology term: a CURIE and its label.
type term struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Terms of fixed fields.
var (
	termFemale = term{"NCIT:C16576", "female"}
	termMale   = term{"NCIT:C20197", "male"}

	termReferenceSample    = term{"EFO:0009654", "reference sample"}
	termSpecimenFromOrg    = term{"OBI:0001479", "specimen from organism"}
	termBlood              = term{"UBERON:0000178", "blood"}
	termSaliva             = term{"UBERON:0001836", "saliva"}
	termGenomicSource      = term{"GENEPIO:0001966", "genomic source"}
	termNovaSeq6000        = term{"OBI:0002630", "Illumina NovaSeq 6000"}
	termGeneralResearchUse = term{"DUO:0000042", "general research use"}

	termBMI        = term{"LOINC:39156-5", "Body mass index (BMI) [Ratio]"}
	termBodyWeight = term{"LOINC:29463-7", "Body weight"}
	termBodyHeight = term{"LOINC:8302-2", "Body height"}
	termKgPerM2    = term{"NCIT:C49671", "Kilogram per Square Meter"}
	termKilogram   = term{"NCIT:C28252", "Kilogram"}
	termCentimeter = term{"NCIT:C49668", "Centimeter"}
)

// weighted is a term with a relative weight for random choice.
type weighted struct {
	t term
	w int
}

// ethnicities are NCIT ethnic group terms (descendants of NCIT:C17049).
var ethnicities = []weighted{
	{term{"NCIT:C43851", "European"}, 45},
	{term{"NCIT:C41260", "Asian"}, 25},
	{term{"NCIT:C42331", "African"}, 15},
	{term{"NCIT:C17459", "Hispanic or Latino"}, 15},
}

// origins are GAZ geographic-origin terms.
var origins = []weighted{
	{term{"GAZ:00002641", "England"}, 50},
	{term{"GAZ:00002639", "Scotland"}, 15},
	{term{"GAZ:00002640", "Wales"}, 10},
	{term{"GAZ:00002638", "Northern Ireland"}, 10},
	{term{"GAZ:00004018", "Republic of Ireland"}, 15},
}

func pickWeighted(list []weighted, r int) term {
	for _, x := range list {
		if r < x.w {
			return x.t
		}
		r -= x.w
	}
	return list[len(list)-1].t
}

func totalWeight(list []weighted) int {
	n := 0
	for _, x := range list {
		n += x.w
	}
	return n
}

// oboTerm is one class of the demo ontology (ontology.obo).
type oboTerm struct {
	term
	parent string // is_a parent id; "" for a root
}

// ontology is the demo extract of MONDO (diseases) and HPO (phenotypes): real
// term ids and labels, with a simplified is_a hierarchy several levels deep.
// Parents come before children.
var ontology = []oboTerm{
	{term{"MONDO:0000001", "disease"}, ""},
	{term{"MONDO:0005066", "metabolic disease"}, "MONDO:0000001"},
	{term{"MONDO:0005015", "diabetes mellitus"}, "MONDO:0005066"},
	{term{"MONDO:0005147", "type 1 diabetes mellitus"}, "MONDO:0005015"},
	{term{"MONDO:0005148", "type 2 diabetes mellitus"}, "MONDO:0005015"},
	{term{"MONDO:0004995", "cardiovascular disorder"}, "MONDO:0000001"},
	{term{"MONDO:0005267", "heart disorder"}, "MONDO:0004995"},
	{term{"MONDO:0005010", "coronary artery disorder"}, "MONDO:0005267"},
	{term{"MONDO:0005068", "myocardial infarction"}, "MONDO:0005010"},
	{term{"MONDO:0005044", "hypertensive disorder"}, "MONDO:0004995"},
	{term{"MONDO:0004992", "cancer"}, "MONDO:0000001"},
	{term{"MONDO:0007254", "breast cancer"}, "MONDO:0004992"},
	{term{"MONDO:0008315", "prostate cancer"}, "MONDO:0004992"},
	{term{"MONDO:0005575", "colorectal cancer"}, "MONDO:0004992"},
	{term{"MONDO:0005071", "nervous system disorder"}, "MONDO:0000001"},
	{term{"MONDO:0004975", "Alzheimer disease"}, "MONDO:0005071"},
	{term{"MONDO:0005301", "multiple sclerosis"}, "MONDO:0005071"},
	{term{"MONDO:0005087", "respiratory system disorder"}, "MONDO:0000001"},
	{term{"MONDO:0004979", "asthma"}, "MONDO:0005087"},

	{term{"HP:0000001", "All"}, ""},
	{term{"HP:0000118", "Phenotypic abnormality"}, "HP:0000001"},
	{term{"HP:0001626", "Abnormality of the cardiovascular system"}, "HP:0000118"},
	{term{"HP:0000822", "Hypertension"}, "HP:0001626"},
	{term{"HP:0001635", "Congestive heart failure"}, "HP:0001626"},
	{term{"HP:0001939", "Abnormality of metabolism/homeostasis"}, "HP:0000118"},
	{term{"HP:0011014", "Abnormal glucose homeostasis"}, "HP:0001939"},
	{term{"HP:0003074", "Hyperglycemia"}, "HP:0011014"},
	{term{"HP:0001507", "Growth abnormality"}, "HP:0000118"},
	{term{"HP:0004323", "Abnormality of body weight"}, "HP:0001507"},
	{term{"HP:0001513", "Obesity"}, "HP:0004323"},
	{term{"HP:0001824", "Weight loss"}, "HP:0004323"},
	{term{"HP:0000707", "Abnormality of the nervous system"}, "HP:0000118"},
	{term{"HP:0100543", "Cognitive impairment"}, "HP:0000707"},
	{term{"HP:0000726", "Dementia"}, "HP:0100543"},
	{term{"HP:0002354", "Memory impairment"}, "HP:0100543"},
	{term{"HP:0012531", "Pain"}, "HP:0000707"},
	{term{"HP:0002315", "Headache"}, "HP:0012531"},
	{term{"HP:0100749", "Chest pain"}, "HP:0012531"},
	{term{"HP:0002086", "Abnormality of the respiratory system"}, "HP:0000118"},
	{term{"HP:0002099", "Asthma"}, "HP:0002086"},
	{term{"HP:0012735", "Cough"}, "HP:0002086"},
	{term{"HP:0025142", "Constitutional symptom"}, "HP:0000118"},
	{term{"HP:0012378", "Fatigue"}, "HP:0025142"},
}

// ontologyTerm returns the demo-ontology term with the given id; it panics
// on an unknown id (a programming error in the vocabularies below).
func ontologyTerm(id string) term {
	for _, t := range ontology {
		if t.ID == id {
			return t.term
		}
	}
	panic("popgen: term not in ontology: " + id)
}

// diseaseSpec describes how a disease is assigned to individuals.
type diseaseSpec struct {
	t            term
	weight       int    // relative prevalence
	sex          byte   // 'F' or 'M' for sex-limited diseases, 0 otherwise
	onsetMin     int    // youngest age of onset, years
	onsetMax     int    // oldest age of onset, years
	phenotypes   []term // phenotypes commonly recorded with the disease
	phenotypeHit int    // percent chance of recording each linked phenotype
}

// diseases are the disease codes given to individuals: the leaves of the
// MONDO extract plus MONDO:0005010 coronary artery disorder, an inner class
// that is also used directly (so a query for it must match both itself and
// its child myocardial infarction).
var diseases = []diseaseSpec{
	{ontologyTerm("MONDO:0005148"), 12, 0, 35, 80, []term{ontologyTerm("HP:0003074"), ontologyTerm("HP:0001513")}, 60},
	{ontologyTerm("MONDO:0005147"), 4, 0, 2, 30, []term{ontologyTerm("HP:0003074")}, 70},
	{ontologyTerm("MONDO:0005044"), 15, 0, 30, 80, []term{ontologyTerm("HP:0000822"), ontologyTerm("HP:0002315")}, 70},
	{ontologyTerm("MONDO:0005010"), 6, 0, 40, 85, []term{ontologyTerm("HP:0100749")}, 60},
	{ontologyTerm("MONDO:0005068"), 4, 0, 40, 85, []term{ontologyTerm("HP:0100749"), ontologyTerm("HP:0001635")}, 60},
	{ontologyTerm("MONDO:0007254"), 5, 'F', 30, 85, []term{ontologyTerm("HP:0012378"), ontologyTerm("HP:0001824")}, 40},
	{ontologyTerm("MONDO:0008315"), 4, 'M', 45, 85, []term{ontologyTerm("HP:0012378")}, 40},
	{ontologyTerm("MONDO:0005575"), 3, 0, 40, 85, []term{ontologyTerm("HP:0001824"), ontologyTerm("HP:0012378")}, 40},
	{ontologyTerm("MONDO:0004975"), 2, 0, 60, 85, []term{ontologyTerm("HP:0000726"), ontologyTerm("HP:0002354")}, 80},
	{ontologyTerm("MONDO:0005301"), 2, 0, 20, 50, []term{ontologyTerm("HP:0012378")}, 60},
	{ontologyTerm("MONDO:0004979"), 10, 0, 3, 60, []term{ontologyTerm("HP:0002099"), ontologyTerm("HP:0012735")}, 70},
}

// backgroundPhenotypes are recorded without a linked disease.
var backgroundPhenotypes = []term{
	ontologyTerm("HP:0002315"), // Headache
	ontologyTerm("HP:0012378"), // Fatigue
	ontologyTerm("HP:0012735"), // Cough
	ontologyTerm("HP:0001513"), // Obesity
	ontologyTerm("HP:0000822"), // Hypertension
}

// Zygosity terms (GENO). Males' X-chromosome alleles are hemizygous
// X-linked, the term the Beacon v2 schema gives as its example.
var (
	termHet  = term{"GENO:0000135", "heterozygous"}
	termHom  = term{"GENO:0000136", "homozygous"}
	termHemi = term{"GENO:0000604", "hemizygous X-linked"}
)

// Molecular effect terms (Sequence Ontology).
var (
	soMissense     = term{"SO:0001583", "missense_variant"}
	soSynonymous   = term{"SO:0001819", "synonymous_variant"}
	soIntron       = term{"SO:0001627", "intron_variant"}
	soIntergenic   = term{"SO:0001628", "intergenic_variant"}
	soStopGained   = term{"SO:0001587", "stop_gained"}
	soUTR5         = term{"SO:0001623", "5_prime_UTR_variant"}
	soUTR3         = term{"SO:0001624", "3_prime_UTR_variant"}
	soFrameshift   = term{"SO:0001589", "frameshift_variant"}
	soInframeDel   = term{"SO:0001822", "inframe_deletion"}
	soInframeIns   = term{"SO:0001821", "inframe_insertion"}
	soCopyNumLoss  = term{"SO:0001743", "copy_number_loss"}
	soCopyNumGain  = term{"SO:0001742", "copy_number_gain"}
	aminoAcids     = "ACDEFGHIKLMNPQRSTVWY"
	snvGenicEffect = []weighted{
		{soMissense, 30}, {soSynonymous, 20}, {soIntron, 40},
		{soUTR5, 3}, {soUTR3, 5}, {soStopGained, 2},
	}
)

// writeOBO writes the demo ontology as OBO 1.2.
func writeOBO(w *bufio.Writer) {
	w.WriteString("format-version: 1.2\n" +
		"data-version: bitbeacon-popgen/1\n" +
		"date: 01:01:2025 00:00\n" +
		"saved-by: bitbeacon popgen\n" +
		"default-namespace: bitbeacon_demo\n" +
		"remark: Demo extract for the bitbeacon synthetic population (popgen): MONDO disease and HPO phenotype terms.\n" +
		"remark: Ids and labels are real MONDO/HP terms; the is_a hierarchy is a simplified subset, not the official one.\n")
	for _, t := range ontology {
		w.WriteString("\n[Term]\nid: ")
		w.WriteString(t.ID)
		w.WriteString("\nname: ")
		w.WriteString(t.Label)
		w.WriteByte('\n')
		if t.parent != "" {
			w.WriteString("is_a: ")
			w.WriteString(t.parent)
			w.WriteString(" ! ")
			w.WriteString(ontologyTerm(t.parent).Label)
			w.WriteByte('\n')
		}
	}
}
