package release

// Zygosity is asked by parent term: "disomic" GENO:0000391 for any diploid call,
// "heterozygous" GENO:0000135 for simple and compound heterozygous ones. A release needs
// no GENO file for that: the engine adds this branch of GENO to the release's ontology
// (a GENO file given at ingest only adds to it), so the terms fold into their ancestors
// like any other hierarchy's.
//
// The branch is GENO's "zygosity" (GENO:0000133) subtree, ids, labels and is_a parents as
// the GENO release of 2022-03-05 has them. GENO places hemizygous under disomic zygosity.

// zygosityBranch lists each term with its direct is_a parent, parents first.
var zygosityBranch = []OntologyTerm{
	{ID: "GENO:0000133", Label: "zygosity"},
	{ID: "GENO:0000137", Label: "unspecified zygosity", Parents: []string{"GENO:0000133"}},
	{ID: "GENO:0000391", Label: "disomic zygosity", Parents: []string{"GENO:0000133"}},
	{ID: "GENO:0000134", Label: "hemizygous", Parents: []string{"GENO:0000391"}},
	{ID: "GENO:0000604", Label: "hemizygous X-linked", Parents: []string{"GENO:0000134"}},
	{ID: "GENO:0000605", Label: "hemizygous Y-linked", Parents: []string{"GENO:0000134"}},
	{ID: "GENO:0000606", Label: "hemizygous insertion-linked", Parents: []string{"GENO:0000134"}},
	{ID: "GENO:0000135", Label: "heterozygous", Parents: []string{"GENO:0000391"}},
	{ID: "GENO:0000458", Label: "simple heterozygous", Parents: []string{"GENO:0000135"}},
	{ID: "GENO:0000402", Label: "compound heterozygous", Parents: []string{"GENO:0000135"}},
	{ID: "GENO:0000136", Label: "homozygous", Parents: []string{"GENO:0000391"}},
	{ID: "GENO:0000392", Label: "aneusomic zygosity", Parents: []string{"GENO:0000133"}},
	{ID: "GENO:0000393", Label: "trisomic homozygous", Parents: []string{"GENO:0000392"}},
	{ID: "GENO:0000394", Label: "trisomic heterozygous", Parents: []string{"GENO:0000392"}},
}

var zygosityLabel = func() map[string]string {
	m := make(map[string]string, len(zygosityBranch))
	for _, t := range zygosityBranch {
		m[t.ID] = t.Label
	}
	return m
}()

// ZygosityHierarchy returns the built-in zygosity terms with their parents. The slice and
// its terms are shared: read them only.
func ZygosityHierarchy() []OntologyTerm { return zygosityBranch }

// ZygosityLabel returns GENO's label of a zygosity term ("" when the id is none).
func ZygosityLabel(id string) string { return zygosityLabel[id] }
