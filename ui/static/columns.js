// The main fields of each entry type, shown as the columns of the records table; the full
// record is one click away. Each column is [heading, record → text or {text, to}], where
// `to` is an entry path the cell links to.

const label = x => x?.label || x?.id || '';
const labels = xs => (Array.isArray(xs) ? xs : []).map(label).filter(Boolean).join(', ');
const ref = (entry, id) => id ? { text: id, to: [entry, id] } : '';

function position(v) {
  const loc = v.variation?.location;
  const iv = loc?.interval;
  if (!iv) return '';
  const seq = String(loc.sequence_id || '').replace(/^refseq:/, '');
  return `${seq}:${iv.start?.value}-${iv.end?.value}`;
}
function alleles(v) {
  const r = v.variation?.referenceBases, a = v.variation?.alternateBases;
  return r || a ? `${r ?? ''}>${a ?? ''}` : '';
}
function effects(v) {
  return [...new Set((v.molecularAttributes?.molecularEffects || []).map(label))].join(', ');
}

export const COLUMNS = {
  individuals: [
    ['Sex', r => label(r.sex)],
    ['Ethnicity', r => label(r.ethnicity)],
    ['Origin', r => label(r.geographicOrigin)],
    ['Diseases', r => labels((r.diseases || []).map(d => d.diseaseCode))],
    ['Phenotypes', r => labels((r.phenotypicFeatures || []).map(p => p.featureType))],
  ],
  biosamples: [
    ['Individual', r => ref('individuals', r.individualId)],
    ['Status', r => label(r.biosampleStatus)],
    ['Origin', r => label(r.sampleOriginType)],
    ['Collected', r => r.collectionDate || ''],
  ],
  runs: [
    ['Biosample', r => ref('biosamples', r.biosampleId)],
    ['Individual', r => ref('individuals', r.individualId)],
    ['Strategy', r => r.libraryStrategy || ''],
    ['Platform', r => r.platform || label(r.platformModel)],
    ['Date', r => r.runDate || ''],
  ],
  analyses: [
    ['Run', r => ref('runs', r.runId)],
    ['Biosample', r => ref('biosamples', r.biosampleId)],
    ['Individual', r => ref('individuals', r.individualId)],
    ['Pipeline', r => r.pipelineName || ''],
    ['Caller', r => r.variantCaller || ''],
  ],
  g_variants: [
    ['Position', position],
    ['Alleles', alleles],
    ['Type', r => r.variation?.variantType || ''],
    ['Genes', r => (r.molecularAttributes?.geneIds || []).join(', ')],
    ['Effects', effects],
    ['Carriers', r => Array.isArray(r.caseLevelData) ? String(r.caseLevelData.length) : ''],
  ],
  datasets: [
    ['Name', r => r.name || ''],
    ['Description', r => r.description || ''],
    ['Updated', r => r.updateDateTime || ''],
  ],
  cohorts: [
    ['Name', r => r.name || ''],
    ['Type', r => r.cohortType || ''],
    ['Size', r => r.cohortSize ?? ''],
  ],
};

// recordId is the id a record is addressed by: variantInternalId for variants.
export function recordId(entry, r) {
  return entry === 'g_variants' ? (r.variantInternalId || r.id || '') : (r.id || '');
}

// NOUNS are how an answer names its records.
export const NOUNS = {
  individuals: ['individual', 'individuals'], biosamples: ['biosample', 'biosamples'],
  runs: ['run', 'runs'], analyses: ['analysis', 'analyses'], g_variants: ['variant', 'variants'],
  datasets: ['dataset', 'datasets'], cohorts: ['cohort', 'cohorts'],
};
export function noun(entry, n) {
  const w = NOUNS[entry] || [entry, entry];
  return n === 1 ? w[0] : w[1];
}
