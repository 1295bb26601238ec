// The page's state is its URL: /ui/<entry path>?<the GET API's parameters>. This module
// turns one into the other, so a shared or bookmarked link shows the same answer.

// GET parameters of the Beacon API that the form edits; any other parameter of the URL is
// passed to the API untouched (the beacon warns about those it does not know).
export const VARIANT_PARAMS = [
  'assemblyId', 'referenceName', 'start', 'end', 'referenceBases', 'alternateBases',
  'variantType', 'geneId', 'aminoacidChange', 'genomicAlleleShortForm',
  'variantMinLength', 'variantMaxLength',
];

// FILTERS_JSON is the page's own parameter for filters the GET syntax cannot say (a scope,
// descendants off, a comma or bracket in a value): the POST filter array as JSON. A URL
// holding it is sent as POST.
export const FILTERS_JSON = 'filtersJSON';

// uiPrefix is the path up to and including /ui/, so the page also works when a proxy serves
// the beacon under a prefix; apiBase is the part before /ui/.
export function uiPrefix(pathname = location.pathname) {
  const i = pathname.indexOf('/ui/');
  return i < 0 ? '/ui/' : pathname.slice(0, i + 4);
}
export function apiBase(pathname = location.pathname) {
  return uiPrefix(pathname).slice(0, -4);
}

// parse reads a page URL into {path, params}: path is the entry path's segments
// (['individuals'], ['g_variants', 'chr22_16051249_T_C', 'individuals']).
export function parse(url) {
  const u = new URL(url, location.href);
  const rest = u.pathname.slice(uiPrefix(u.pathname).length);
  const path = rest.split('/').filter(s => s !== '').map(decodeSegment);
  return { path, params: new URLSearchParams(u.search) };
}

// decodeSegment decodes one path segment; a malformed escape (a hand-edited link) stays as
// written, and the beacon says what it makes of it.
function decodeSegment(s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

// pageURL is the page's URL of a state; encodePath the API path of an entry path.
export function pageURL(state) {
  const qs = state.params.toString();
  return uiPrefix() + encodePath(state.path) + (qs ? '?' + qs : '');
}
export function encodePath(path) {
  return path.map(s => encodeURIComponent(s)).join('/');
}

// skipCountsRecords: the server says, in the page it serves, whether skip is a record
// offset (pagination.skipUnit: records) or a page number (the spec's reading).
export function skipCountsRecords() {
  const m = document.querySelector('meta[name="bitbeacon-skip-unit"]');
  return m && m.content === 'records';
}

// pageOf and skipFor convert between a page number (from 0) and the skip parameter.
export function pageOf(skip, limit) {
  return skipCountsRecords() ? Math.floor(skip / Math.max(limit, 1)) : skip;
}
export function skipFor(page, limit) {
  return skipCountsRecords() ? page * limit : page;
}
