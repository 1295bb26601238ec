// The answer as a person wants it: exists and the count, the granularity the beacon really
// answered at (and a note when it is below the one asked for), warnings, the count per
// dataset, and records as a table, each expandable to its JSON, with its linked entries one
// click away and skip/limit paging.
import { COLUMNS, recordId, noun } from './columns.js';
import { pageOf } from './state.js';

const LEVEL = { boolean: 0, count: 1, record: 2 };

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...kids.filter(k => k !== null && k !== undefined && k !== false));
  return e;
}
const num = n => Number(n).toLocaleString('en');

// lowerThanAsked reports whether an answer came back below the granularity requested.
export function lowerThanAsked(returned, requested) { return LEVEL[returned] < LEVEL[requested]; }

// targetOf is the entry type whose records an entry path returns.
export function targetOf(path) { return path.length === 3 ? path[2] : path[0]; }

// render fills box with the answer to state. ctx: {res, relatedOf, link(path, params) → a
// page href, go(href)}. It returns the per-dataset table's body (or null) for rows that
// arrive later.
export function render(box, state, ctx) {
  const { res } = ctx;
  const body = res.body;
  box.replaceChildren();
  if (res.status === 0 || !body) {
    box.append(el('div', { class: 'error-box', role: 'alert', id: 'answer-error' },
      el('strong', { text: res.error || `The beacon answered HTTP ${res.status} without a Beacon body.` })));
    return null;
  }
  if (body.error) {
    const e = body.error;
    const hint = e.errorCode === 401 ? ' Paste a valid access token above.' : e.errorCode === 403 ? ' This token may not see this.' : '';
    box.append(el('div', { class: 'error-box', role: 'alert', id: 'answer-error' },
      el('strong', { text: `Error ${e.errorCode}: ` }), el('span', { id: 'answer-error-message', text: e.errorMessage + hint })));
    return null;
  }
  const entry = targetOf(state.path);
  const sum = body.responseSummary || {};
  const returned = body.meta?.returnedGranularity || 'boolean';
  const requested = state.params.get('requestedGranularity') || body.meta?.receivedRequestSummary?.requestedGranularity || 'boolean';
  const total = sum.numTotalResults;
  const headline = el('p', { class: 'headline' },
    el('span', { id: 'answer-exists', class: sum.exists ? 'yes' : 'no', text: sum.exists ? 'Yes' : 'No' }));
  if (total !== undefined && LEVEL[returned] >= 1) {
    headline.append(': ', el('span', { id: 'answer-total', 'data-value': total, text: num(total) }), ' ' + noun(entry, total));
  } else {
    headline.append(sum.exists ? `, there are ${noun(entry, 2)} matching` : `, no ${noun(entry, 2)} match`);
  }
  box.append(headline);
  const g = el('p', { id: 'answer-granularity', 'data-returned': returned }, 'Answered at ', el('strong', { text: returned }), ' granularity');
  if (LEVEL[returned] < LEVEL[requested]) {
    g.append(el('span', { class: 'note', id: 'answer-lower',
      text: ` — lower than the ${requested} asked for: the beacon, or a dataset in the answer, gives no more to this caller.` }));
  }
  g.append(el('span', { class: 'muted', text: ` · ${Math.round(res.ms)} ms` }));
  box.append(g);
  const warnings = body.info?.warnings || [];
  if (warnings.length) {
    box.append(el('div', { class: 'warn-box', id: 'answer-warnings', role: 'status' },
      el('strong', { text: 'Warnings' }), el('ul', {}, ...warnings.map(w => el('li', { text: w })))));
  }
  const sets = body.response?.resultSets;
  let tbody = null;
  // Datasets and cohorts listed at their root are the collections themselves: no split.
  const collectionsRoot = state.path.length === 1 && (entry === 'datasets' || entry === 'cohorts');
  if (!collectionsRoot && (Array.isArray(sets) || LEVEL[returned] < 2)) {
    tbody = el('tbody');
    box.append(el('div', { class: 'table-wrap' }, el('table', { id: 'per-dataset', class: 'compact' },
      el('caption', { text: 'Per dataset' }),
      el('thead', {}, el('tr', {}, ...['Dataset', 'Exists', 'Count', 'Granularity'].map(h => el('th', { scope: 'col', text: h })))),
      tbody)));
    if (Array.isArray(sets)) {
      datasetRows(tbody, sets.map(s => ({ id: s.id, exists: s.exists, count: s.resultsCount, granularity: returned })), requested);
      // Below the granularity asked for, the page asks each dataset to find which one
      // answered lower (main.js); otherwise the result sets are the whole story.
      if (!lowerThanAsked(returned, requested)) tbody.dataset.state = 'done';
    }
    else tbody.append(el('tr', { class: 'pending' }, el('td', { colspan: 4, class: 'muted', text: 'asking each dataset…' })));
  }
  if (LEVEL[returned] === 2) records(box, state, entry, body, ctx);
  return tbody;
}

// datasetRows fills the per-dataset table: {id, exists, count?, granularity, error?} each;
// a dataset that answered below the requested granularity says so.
export function datasetRows(tbody, rows, requested) {
  tbody.replaceChildren(...rows.map(r => el('tr', { 'data-dataset': r.id },
    el('th', { scope: 'row', text: r.id }),
    el('td', { text: r.error ? '' : r.exists ? 'yes' : 'no' }),
    el('td', { class: 'num', text: r.error || (r.count === undefined || LEVEL[r.granularity] < 1 ? '—' : num(r.count)) }),
    el('td', { class: 'granularity' }, r.granularity || '',
      LEVEL[r.granularity] < LEVEL[requested] ? el('span', { class: 'note', text: ` (below the ${requested} asked for)` }) : null))));
  if (!rows.length) tbody.append(el('tr', {}, el('td', { colspan: 4, class: 'muted', text: 'no dataset answered' })));
}

// datasetsUnlisted says why the datasets could not be asked one by one: /datasets listed
// none to this caller. Rows already there (from the answer's result sets) stay.
export function datasetsUnlisted(tbody, granularity) {
  const why = `this beacon lists no datasets to this caller${granularity ? ` (/datasets answered at ${granularity} granularity)` : ''}`;
  const text = tbody.querySelector('tr[data-dataset]')
    ? `${why}, so which dataset answered below the granularity asked for cannot be told`
    : `${why}, so the answer cannot be split by dataset`;
  tbody.querySelector('tr:not([data-dataset])')?.remove();
  tbody.append(el('tr', { class: 'unlisted' }, el('td', { colspan: 4, class: 'muted', text })));
}

function records(box, state, entry, body, ctx) {
  const collections = body.response?.collections;
  const sets = collections ? [{ id: '', results: collections, resultsCount: body.responseSummary?.numTotalResults }] : (body.response?.resultSets || []);
  const rows = sets.flatMap(s => (s.results || []).map(r => ({ set: s.id, r })));
  // Columns no record of the page fills are left out (a beacon may not hold that field).
  const cols = (COLUMNS[entry] || []).filter(([, f]) => rows.some(({ r }) => f(r) !== ''));
  const related = ctx.relatedOf[entry] || [];
  const showSet = sets.length > 1;
  const limit = Number(state.params.get('limit') || body.meta?.receivedRequestSummary?.pagination?.limit || 10) || 10;
  const skip = Number(state.params.get('skip') || 0);
  const page = pageOf(skip, limit);
  const most = Math.max(0, ...sets.map(s => s.resultsCount || 0));
  const heads = [...(showSet ? ['Dataset'] : []), 'Id', ...cols.map(c => c[0]), ...(related.length ? ['Linked'] : [])];
  const tbody = el('tbody');
  const granularity = state.params.get('requestedGranularity') || 'record';
  rows.forEach(({ set, r }, i) => {
    const id = recordId(entry, r);
    const jsonId = `rec-json-${i}`;
    const cells = [];
    if (showSet) cells.push(el('td', { text: set }));
    const pre = el('pre', { text: JSON.stringify(r, null, 2) });
    const jsonRow = el('tr', { id: jsonId, class: 'json', hidden: true }, el('td', { colspan: heads.length }, pre));
    // The disclosure sits before the id: the full record opens under its row.
    const toggle = el('button', { type: 'button', class: 'json-toggle', 'aria-expanded': 'false', 'aria-controls': jsonId, 'aria-label': `Full JSON of ${id}`, title: 'Full JSON', text: '{ }' });
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      jsonRow.hidden = !open;
    });
    cells.push(el('th', { scope: 'row', class: 'rec' }, toggle, ' ',
      id ? el('a', { href: ctx.link([entry, id], { requestedGranularity: 'record' }), class: 'rec-id', text: id }) : ''));
    for (const [, f] of cols) {
      const v = f(r);
      cells.push(el('td', {}, v && typeof v === 'object' ? el('a', { href: ctx.link(v.to, { requestedGranularity: 'record' }), text: v.text }) : String(v)));
    }
    if (related.length) {
      cells.push(el('td', { class: 'links' }, ...related.map(rel => el('a', {
        href: ctx.link([entry, id], { requestedGranularity: granularity }, rel), class: 'rel', 'data-rel': rel, text: rel,
        'aria-label': `${rel} of ${id}`,
      }))));
    }
    tbody.append(el('tr', { 'data-id': id }, ...cells), jsonRow);
  });
  const first = page * limit + 1;
  const range = rows.length ? `${noun(entry, 2)} ${num(first)}–${num(page * limit + Math.max(...sets.map(s => (s.results || []).length)))}` : `no ${noun(entry, 2)} on this page`;
  box.append(el('div', { class: 'table-wrap' }, el('table', { id: 'records' },
    el('caption', { text: `Records: ${range}${most ? ` of ${num(most)}` : ''}${showSet ? ' per dataset' : ''}` }),
    el('thead', {}, el('tr', {}, ...heads.map(h => el('th', { scope: 'col', text: h })))),
    tbody)));
  const nav = el('nav', { class: 'pager row', 'aria-label': 'Pages of records' });
  const to = p => ctx.page(p, limit);
  nav.append(
    el('a', { href: page > 0 ? to(page - 1) : undefined, id: 'page-prev', 'aria-disabled': page > 0 ? undefined : 'true', class: 'button', text: '← Previous' }),
    el('span', { id: 'page-now', text: `page ${page + 1} of ${Math.max(1, Math.ceil(most / limit))}` }),
    el('a', { href: (page + 1) * limit < most ? to(page + 1) : undefined, id: 'page-next', 'aria-disabled': (page + 1) * limit < most ? undefined : 'true', class: 'button', text: 'Next →' }));
  box.append(nav);
}
