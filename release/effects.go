package release

import (
	"slices"
	"strings"
)

// Molecular effects (molecularAttributes.molecularEffects) reach a release under two id
// systems for the same consequence: the BFF conversion tools (vcf2bff and its successors)
// write Ensembl glossary ids (ENSGLOSSARY:0000150 "missense_variant"), the Beacon model and
// most annotators use Sequence Ontology ids (SO:0001583). A query by either must find the
// variants of both, so the ids of one consequence form an equivalence class: VCF ingest
// writes the glossary id, the engine indexes every effect id under each id of its class.

// Effect is one consequence name as annotators write it, with its ids.
type Effect struct {
	// Name is the consequence as SnpEff or VEP writes it (an SO term name, or one of
	// SnpEff's own words such as intergenic_region).
	Name string
	// SO is the Sequence Ontology id of the consequence.
	SO string
	// Glossary is the Ensembl glossary id, "" where the glossary has none.
	Glossary string
}

// ID is the id a record gets for the effect: the glossary id the BFF tools write where one
// exists, else the SO id.
func (e Effect) ID() string {
	if e.Glossary != "" {
		return e.Glossary
	}
	return e.SO
}

// effects lists the consequences known by name. The glossary ids 0000140–0000174 follow
// Ensembl's consequence table (the order VEP ranks severity in); the SO ids are the terms
// that table names. SnpEff's own words map to the consequence they stand for, and carry
// its glossary id where they are the same consequence (intergenic_region is
// intergenic_variant), so that they join its class.
var effects = []Effect{
	{"transcript_ablation", "SO:0001893", "ENSGLOSSARY:0000140"},
	{"splice_acceptor_variant", "SO:0001574", "ENSGLOSSARY:0000141"},
	{"splice_donor_variant", "SO:0001575", "ENSGLOSSARY:0000142"},
	{"stop_gained", "SO:0001587", "ENSGLOSSARY:0000143"},
	{"frameshift_variant", "SO:0001589", "ENSGLOSSARY:0000144"},
	{"stop_lost", "SO:0001578", "ENSGLOSSARY:0000145"},
	{"start_lost", "SO:0002012", "ENSGLOSSARY:0000146"},
	{"transcript_amplification", "SO:0001889", "ENSGLOSSARY:0000147"},
	{"inframe_insertion", "SO:0001821", "ENSGLOSSARY:0000148"},
	{"inframe_deletion", "SO:0001822", "ENSGLOSSARY:0000149"},
	{"missense_variant", "SO:0001583", "ENSGLOSSARY:0000150"},
	{"protein_altering_variant", "SO:0001818", "ENSGLOSSARY:0000151"},
	{"splice_region_variant", "SO:0001630", "ENSGLOSSARY:0000152"},
	{"incomplete_terminal_codon_variant", "SO:0001626", "ENSGLOSSARY:0000153"},
	{"stop_retained_variant", "SO:0001567", "ENSGLOSSARY:0000154"},
	{"synonymous_variant", "SO:0001819", "ENSGLOSSARY:0000155"},
	{"coding_sequence_variant", "SO:0001580", "ENSGLOSSARY:0000156"},
	{"mature_miRNA_variant", "SO:0001620", "ENSGLOSSARY:0000157"},
	{"5_prime_UTR_variant", "SO:0001623", "ENSGLOSSARY:0000158"},
	{"3_prime_UTR_variant", "SO:0001624", "ENSGLOSSARY:0000159"},
	{"non_coding_transcript_exon_variant", "SO:0001792", "ENSGLOSSARY:0000160"},
	{"intron_variant", "SO:0001627", "ENSGLOSSARY:0000161"},
	{"NMD_transcript_variant", "SO:0001621", "ENSGLOSSARY:0000162"},
	{"non_coding_transcript_variant", "SO:0001619", "ENSGLOSSARY:0000163"},
	{"upstream_gene_variant", "SO:0001631", "ENSGLOSSARY:0000164"},
	{"downstream_gene_variant", "SO:0001632", "ENSGLOSSARY:0000165"},
	{"TFBS_ablation", "SO:0001895", "ENSGLOSSARY:0000166"},
	{"TFBS_amplification", "SO:0001892", "ENSGLOSSARY:0000167"},
	{"TF_binding_site_variant", "SO:0001782", "ENSGLOSSARY:0000168"},
	{"regulatory_region_ablation", "SO:0001894", "ENSGLOSSARY:0000169"},
	{"regulatory_region_amplification", "SO:0001891", "ENSGLOSSARY:0000170"},
	{"feature_elongation", "SO:0001907", "ENSGLOSSARY:0000171"},
	{"regulatory_region_variant", "SO:0001566", "ENSGLOSSARY:0000172"},
	{"feature_truncation", "SO:0001906", "ENSGLOSSARY:0000173"},
	{"intergenic_variant", "SO:0001628", "ENSGLOSSARY:0000174"},
	// Consequences newer than the glossary's table.
	{"start_retained_variant", "SO:0002019", ""},
	{"sequence_variant", "SO:0001060", ""},
	// Structural variant classes (VEP's variation classes), as annotators name the effect
	// of copy-number and structural alleles.
	{"structural_variant", "SO:0001537", ""},
	{"copy_number_variation", "SO:0001019", ""},
	{"copy_number_gain", "SO:0001742", ""},
	{"copy_number_loss", "SO:0001743", ""},
	{"deletion", "SO:0000159", ""},
	{"insertion", "SO:0000667", ""},
	{"duplication", "SO:1000035", ""},
	{"tandem_duplication", "SO:1000173", ""},
	{"inversion", "SO:1000036", ""},
	{"feature_ablation", "SO:0001879", ""},
	// SnpEff's own names. intergenic_region keeps the SO id of the region it names
	// (SO:0000605) as a member of intergenic_variant's class, so a query by either finds it.
	{"intergenic_region", "SO:0000605", "ENSGLOSSARY:0000174"},
	{"conservative_inframe_insertion", "SO:0001823", ""},
	{"disruptive_inframe_insertion", "SO:0001824", ""},
	{"conservative_inframe_deletion", "SO:0001825", ""},
	{"disruptive_inframe_deletion", "SO:0001826", ""},
	{"initiator_codon_variant", "SO:0001582", ""},
	{"5_prime_UTR_premature_start_codon_gain_variant", "SO:0001988", ""},
	{"exon_loss_variant", "SO:0001572", ""},
	{"rare_amino_acid_variant", "SO:0002008", ""},
	{"chromosome_number_variation", "SO:1000182", ""},
	{"conserved_intergenic_variant", "SO:0002017", ""},
	{"conserved_intron_variant", "SO:0002018", ""},
	{"exon_variant", "SO:0001791", ""},
	{"gene_variant", "SO:0001564", ""},
	{"intragenic_variant", "SO:0002011", ""},
	{"transcript_variant", "SO:0001576", ""},
	{"miRNA", "SO:0000276", ""},
	{"splice_site_variant", "SO:0001629", ""},
	// Older SnpEff names of two consequences above.
	{"non_coding_exon_variant", "SO:0001792", "ENSGLOSSARY:0000160"},
	{"nc_transcript_variant", "SO:0001619", "ENSGLOSSARY:0000163"},
}

var (
	effectByName = map[string]Effect{}
	// effectClass maps every effect id to the other ids of its consequence, and
	// effectLabel each id to the name of the first consequence that has it.
	effectClass = map[string][]string{}
	effectLabel = map[string]string{}
)

func init() {
	// Union the ids of every row: two rows sharing an id are one consequence.
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		p, ok := parent[x]
		if !ok || p == x {
			parent[x] = x
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	for _, e := range effects {
		if _, dup := effectByName[e.Name]; dup {
			panic("release: effect " + e.Name + " listed twice")
		}
		effectByName[e.Name] = e
		for _, id := range []string{e.SO, e.Glossary} {
			if id == "" {
				continue
			}
			if _, ok := effectLabel[id]; !ok {
				effectLabel[id] = e.Name
			}
		}
		if e.Glossary != "" {
			parent[find(e.SO)] = find(e.Glossary)
		} else {
			find(e.SO)
		}
	}
	members := map[string][]string{}
	for id := range parent {
		r := find(id)
		members[r] = append(members[r], id)
	}
	for _, ids := range members {
		if len(ids) < 2 {
			continue
		}
		slices.Sort(ids)
		for _, id := range ids {
			for _, o := range ids {
				if o != id {
					effectClass[id] = append(effectClass[id], o)
				}
			}
		}
	}
}

// EffectByName returns the consequence a SnpEff or VEP effect name stands for.
func EffectByName(name string) (Effect, bool) {
	e, ok := effectByName[name]
	return e, ok
}

// EffectEquivalents returns the other ids of the consequence an effect id names (nil for an
// id of no consequence or of one with a single id). The slice is shared: read it only.
func EffectEquivalents(id string) []string {
	if !strings.HasPrefix(id, "SO:") && !strings.HasPrefix(id, "ENSGLOSSARY:") {
		return nil
	}
	return effectClass[id]
}

// EffectLabel returns the consequence name of an effect id ("" when it names none).
func EffectLabel(id string) string { return effectLabel[id] }
