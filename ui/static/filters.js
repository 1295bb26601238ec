// Filters as the form holds them, and their two wire forms: GET items
// ("NCIT:C16576", "libraryStrategy=WGS", "LOINC:35925-4:>25", an OR group "[B,C]") and
// POST objects.
//
// A filter is {kind: 'term', id, descendants, scope}, {kind: 'alpha', id, operator, value,
// scope} or {kind: 'or', items: [term or alpha filters]}: an OR group, sent in POST as a
// nested array ([f1, [f2, f3]] is f1 AND (f2 OR f3)).

export const OPERATORS = ['=', '!', '<', '>', '<=', '>='];
const OP_ORDER = ['>=', '<=', '!=', '=', '!', '>', '<'];

// parseItem reads one GET filter item as the beacon does: with an operator character it is
// alphanumeric (the id is the text before it, minus a trailing ':'), else a term.
export function parseItem(item) {
  item = item.trim();
  const i = item.search(/[<>=!]/);
  if (i < 0) return { kind: 'term', id: item, descendants: true, scope: '' };
  const id = item.slice(0, i).replace(/:$/, '').trim();
  const rest = item.slice(i);
  let op = OP_ORDER.find(o => rest.startsWith(o));
  const value = rest.slice(op.length).trim();
  if (op === '!=') op = '!';
  return { kind: 'alpha', id, operator: op, value, scope: '' };
}

// getItem is the GET spelling of a filter, or null when GET cannot say it. An OR group is
// written [B,C] (bitbeacon's GET form of the OR-filter extension: filters=A,[B,C]).
export function getItem(f) {
  if (f.kind === 'or') {
    const items = f.items.map(getItem);
    return items.length && items.every(i => i !== null) ? '[' + items.join(',') + ']' : null;
  }
  if (f.scope) return null;
  if (f.kind === 'term') {
    if (!f.descendants || /[,<>=!\[\]]/.test(f.id)) return null;
    return f.id;
  }
  if (/[,<>=!\[\]]/.test(f.id) || /[,\[\]]/.test(f.value) || f.value.trim() !== f.value || f.value === '') return null;
  return f.id + ':' + f.operator + f.value;
}

// splitGet reads a GET filters value into items and groups of items ("A,[B,C]" → ['A',
// ['B', 'C']]); the form holds groups one level deep, so a deeper one is a problem.
function splitGet(v, problems) {
  const out = [];
  let cur = '', group = null;
  const flush = () => { const t = cur.trim(); if (t) (group ?? out).push(t); cur = ''; };
  for (const ch of v) {
    if (ch === '[' && cur.trim() === '') {
      if (group) { problems.push('the form holds OR groups one level deep: ' + v); return []; }
      group = [];
    } else if (ch === ']' && group) {
      flush();
      if (group.length) out.push(group);
      group = null;
    } else if (ch === ',') {
      flush();
    } else {
      cur += ch;
    }
  }
  if (group) { problems.push('an OR group is not closed: ' + v); return []; }
  flush();
  return out;
}

// postItem is the POST form of a filter (an array for an OR group).
export function postItem(f) {
  if (f.kind === 'or') return f.items.map(postItem);
  const o = { id: f.id };
  if (f.kind === 'alpha') {
    o.operator = f.operator;
    o.value = f.value;
  } else if (!f.descendants) {
    o.includeDescendantTerms = false;
  }
  if (f.scope) o.scope = f.scope;
  return o;
}

// fromPost reads a POST filter (object or nested array) back; bad input is dropped with a
// message, never thrown, since it comes from a URL anyone can edit.
export function fromPost(x, problems) {
  if (Array.isArray(x)) {
    const items = x.map(y => fromPost(y, problems)).filter(Boolean);
    return items.length ? { kind: 'or', items: items.filter(i => i.kind !== 'or') } : null;
  }
  if (!x || typeof x.id !== 'string') {
    problems.push('a filter in filtersJSON has no id');
    return null;
  }
  const scope = typeof x.scope === 'string' ? x.scope : '';
  if (x.operator !== undefined || x.value !== undefined) {
    return { kind: 'alpha', id: x.id, operator: String(x.operator || '='), value: String(x.value ?? ''), scope };
  }
  return { kind: 'term', id: x.id, descendants: x.includeDescendantTerms !== false, scope };
}

// readFilters takes the filters out of a URL's parameters.
export function readFilters(params, problems) {
  const raw = params.get('filtersJSON');
  if (raw !== null) {
    try {
      const arr = JSON.parse(raw);
      if (!Array.isArray(arr)) throw new Error('not an array');
      return arr.map(x => fromPost(x, problems)).filter(Boolean);
    } catch (e) {
      problems.push('filtersJSON is not a JSON array of filters (' + e.message + ')');
      return [];
    }
  }
  const out = [];
  for (const v of params.getAll('filters')) {
    for (const item of splitGet(v, problems)) {
      out.push(Array.isArray(item) ? { kind: 'or', items: item.map(parseItem) } : parseItem(item));
    }
  }
  return out;
}

// writeFilters puts filters into parameters: as GET items when every one has a GET
// spelling, else as filtersJSON (and the page sends POST).
export function writeFilters(params, filters) {
  params.delete('filters');
  params.delete('filtersJSON');
  if (!filters.length) return;
  const items = filters.map(getItem);
  if (items.every(i => i !== null)) params.set('filters', items.join(','));
  else params.set('filtersJSON', JSON.stringify(filters.map(postItem)));
}

// describe is a filter as a person reads it.
export function describe(f, labelOf) {
  if (f.kind === 'or') return f.items.map(i => describe(i, labelOf)).join(' or ');
  const label = labelOf(f.id);
  const name = label ? `${label} (${f.id})` : f.id;
  if (f.kind === 'alpha') return `${name} ${f.operator} ${f.value}`;
  return name;
}
