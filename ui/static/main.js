// The page's start and its navigation: read the state from the URL, show it in the form,
// ask the beacon, show the answer. Submitting the form, paging and following a link push a
// new URL (so Back works and every answer has a link); opening a link runs its query.
import * as state from './state.js';
import * as api from './api.js';
import * as terms from './terms.js';
import * as form from './form.js';
import { FilterList } from './filterlist.js';
import { readFilters, describe } from './filters.js';
import { render, datasetRows, datasetsUnlisted, lowerThanAsked, targetOf } from './render.js';

const $ = id => document.getElementById(id);
const filterList = new FilterList($('filter-list'));
let current = state.parse(location.href);
let relatedOf = {};
let mapLoaded = null;
let datasetIds = null;
let runSeq = 0;

const ENTRIES = ['individuals', 'biosamples', 'runs', 'analyses', 'g_variants', 'datasets', 'cohorts'];

// loadMap learns the entry types and their cross-entry endpoints from /map, so the page
// offers exactly what this beacon serves.
function loadMap() {
  mapLoaded ??= api.getJSON('/map').then(r => {
    const sets = r.body?.response?.endpointSets || {};
    const seg = u => { try { return new URL(u, location.href).pathname.split('/').filter(Boolean); } catch { return []; } };
    for (const s of Object.values(sets)) {
      const root = seg(s.rootUrl).pop();
      if (!root) continue;
      relatedOf[root] = Object.values(s.endpoints || {}).map(e => seg(e.url).pop()).filter(Boolean);
    }
    form.setRelated(relatedOf);
  }).catch(() => {});
  return mapLoaded;
}

// loadDatasets lists the dataset ids, for the per-dataset counts of a count answer:
// {ids, granularity}, ids null when /datasets lists none to this caller (a beacon may hide
// them, e.g. below record granularity).
function loadDatasets() {
  datasetIds ??= api.getJSON('/datasets?requestedGranularity=record&limit=0')
    .then(r => {
      const c = r.body?.response?.collections;
      return { ids: Array.isArray(c) ? c.map(d => d.id).filter(Boolean) : null, granularity: r.body?.meta?.returnedGranularity };
    })
    .catch(() => ({ ids: null }));
  return datasetIds;
}

// MAX_DATASET_QUERIES bounds the per-dataset requests of one answer.
const MAX_DATASET_QUERIES = 25;

// perDataset fills the per-dataset table of a boolean or count answer: with one dataset
// the answer is its own; with several, one request per dataset (datasetIds) says each one's
// count and the granularity it answered at.
async function perDataset(tbody, st, res, seq) {
  const listed = await loadDatasets();
  if (seq !== runSeq) return;
  const { granularity } = listed;
  let ids = listed.ids;
  // A query restricted to some datasets is split over those only.
  const only = (st.params.get('datasetIds') || '').split(',').filter(Boolean);
  if (ids && only.length) ids = ids.filter(id => only.includes(id));
  const requested = st.params.get('requestedGranularity') || 'boolean';
  const top = res.body;
  const g = top.meta?.returnedGranularity;
  if (ids === null) {
    datasetsUnlisted(tbody, granularity);
    tbody.dataset.state = 'done';
    return;
  }
  if (ids.length <= 1) {
    if (top.response?.resultSets) { tbody.dataset.state = 'done'; return; } // already its rows
    const id = ids[0] || 'all datasets';
    datasetRows(tbody, [{ id, exists: top.responseSummary?.exists, count: top.responseSummary?.numTotalResults, granularity: g }], requested);
    tbody.dataset.state = 'done';
    return;
  }
  const asked = ids.slice(0, MAX_DATASET_QUERIES);
  const rows = await Promise.all(asked.map(async id => {
    const p = new URLSearchParams(st.params);
    p.set('datasetIds', id);
    p.delete('skip');
    const r = await api.send(api.request(st.path, p));
    if (r.body?.error || !r.body) return { id, error: r.body?.error?.errorMessage || `HTTP ${r.status}` };
    return { id, exists: r.body.responseSummary?.exists, count: r.body.responseSummary?.numTotalResults, granularity: r.body.meta?.returnedGranularity };
  }));
  if (seq !== runSeq) return;
  datasetRows(tbody, rows, requested);
  if (ids.length > asked.length) {
    tbody.insertAdjacentHTML('beforeend', '<tr><td colspan="4" class="muted"></td></tr>');
    tbody.lastElementChild.firstElementChild.textContent = `and ${ids.length - asked.length} more datasets, not asked one by one`;
  }
  tbody.dataset.state = 'done';
}

// link is the page href of an entry path with parameters (related appended to the path).
function link(path, params, related) {
  const p = related ? [...path, related] : path;
  return state.pageURL({ path: p, params: new URLSearchParams(params) });
}

// pageHref is the current query at another page of records.
function pageHref(page, limit) {
  const p = new URLSearchParams(current.params);
  const skip = state.skipFor(page, limit);
  if (skip) p.set('skip', String(skip)); else p.delete('skip');
  return state.pageURL({ path: current.path, params: p });
}

// run asks the beacon the current state's query and renders the answer.
async function run() {
  const seq = ++runSeq;
  const st = current;
  const problems = form.fill(st, filterList);
  const answer = $('answer');
  const box = $('result');
  if (problems.length) {
    // A hand-edited link: say what is wrong with it, send nothing.
    $('status').textContent = 'This link cannot be asked: ' + problems.join('; ');
    box.replaceChildren();
    answer.dataset.state = 'done';
    return;
  }
  const req = api.request(st.path.length ? st.path : ['individuals'], st.params);
  showRequest(req);
  if (!st.path.length) {
    $('status').textContent = 'Build a query and run it, or open a shared link.';
    box.replaceChildren();
    document.title = 'bitbeacon';
    answer.dataset.state = 'done';
    return;
  }
  answer.setAttribute('aria-busy', 'true');
  answer.dataset.state = 'loading';
  $('status').textContent = 'Asking the beacon…';
  const res = await api.send(req);
  const g = res.body?.meta?.returnedGranularity;
  if (g === 'record') await loadMap();
  if (seq !== runSeq) return;
  const tbody = render(box, st, { res, relatedOf, link, page: pageHref });
  answer.setAttribute('aria-busy', 'false');
  answer.dataset.state = 'done';
  $('status').textContent = describeQuery(st);
  const total = res.body?.responseSummary?.numTotalResults;
  document.title = (res.body?.error ? 'Error' : total !== undefined && g !== 'boolean' ? `${total} ${targetOf(st.path)}` : `${res.body?.responseSummary?.exists ? 'Yes' : 'No'}: ${targetOf(st.path)}`) + ' — bitbeacon';
  // The answer is on screen at the next frame: mark it for measuring first paint.
  requestAnimationFrame(() => setTimeout(() => performance.mark('bitbeacon:answer-painted'), 0));
  // Without result sets (a count answer of an older beacon), or below the granularity asked
  // for, each dataset is asked on its own.
  const requested = st.params.get('requestedGranularity') || res.body?.meta?.receivedRequestSummary?.requestedGranularity || 'boolean';
  if (tbody && !res.body?.error && (!res.body?.response?.resultSets || lowerThanAsked(g, requested))) perDataset(tbody, st, res, seq);
}

// describeQuery says in words what the answer is about: the path, filters and variant.
function describeQuery(st) {
  const parts = [st.path.join(' / ')];
  const problems = [];
  for (const f of readFilters(st.params, problems)) parts.push(describe(f, terms.labelOf));
  const v = state.VARIANT_PARAMS.filter(n => st.params.has(n)).map(n => `${n} ${st.params.get(n)}`);
  if (v.length) parts.push(v.join(', '));
  return parts.join(' · ');
}

function showRequest(req) {
  const a = $('api-link');
  if (req.method === 'GET') {
    a.href = req.url;
    a.textContent = 'API request: GET ' + decodeURIComponent(req.url);
    a.title = api.curl(req);
  } else {
    a.removeAttribute('href');
    a.textContent = 'API request: POST ' + req.url + ' ' + JSON.stringify(req.body.query);
    a.title = api.curl(req);
  }
}

// go shows another page URL: pushed to history, then run.
function go(href) {
  history.pushState(null, '', href);
  current = state.parse(location.href);
  run();
  // On a wide screen the answer is beside the form; on a phone it is below: go there.
  const answer = $('answer');
  answer.focus({ preventScroll: true });
  if (answer.getBoundingClientRect().top > window.innerHeight) answer.scrollIntoView();
}

function setup() {
  const entry = $('entry');
  entry.replaceChildren(...ENTRIES.map(e => Object.assign(document.createElement('option'), { value: e, textContent: e })));
  $('chromosomes').append(...[...Array(22).keys()].map(i => String(i + 1)).concat(['X', 'Y', 'MT'])
    .map(c => Object.assign(document.createElement('option'), { value: c })));
  entry.addEventListener('change', () => form.updateRelated(entry.value, ''));
  $('record-id').addEventListener('input', () => form.updateRelated(entry.value));
  $('variant-box').addEventListener('input', form.updateVariantSummary);
  terms.attach($('term-input'), $('term-list'),
    t => filterList.add(t.type === 'alphanumeric'
      ? { kind: 'alpha', id: t.id, operator: '=', value: '', scope: '' }
      : { kind: 'term', id: t.id, descendants: true, scope: '' }),
    text => filterList.add(form.filterFromText(text)));
  $('add-or').addEventListener('click', () => { filterList.addGroup(); $('term-input').focus(); });
  $('query').addEventListener('submit', e => {
    e.preventDefault();
    const r = form.read(current, filterList);
    if (r.errors) return;
    go(state.pageURL(r.state));
  });
  $('reset').addEventListener('click', () => go(state.uiPrefix()));
  // Links inside the page (records, linked entries, paging) stay in the page: no reload,
  // so the token in memory survives.
  document.addEventListener('click', e => {
    const a = e.target.closest('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const u = new URL(a.href, location.href);
    if (u.origin !== location.origin || !u.pathname.startsWith(state.uiPrefix())) return;
    e.preventDefault();
    go(u.href);
  });
  window.addEventListener('popstate', () => { current = state.parse(location.href); run(); });
  const token = $('token');
  token.addEventListener('change', () => {
    api.setToken(token.value);
    $('token-state').textContent = api.hasToken() ? 'Token set: sent with every query from now on.' : 'No token: anonymous queries.';
    datasetIds = null;
    terms.reset();
    loadLabels();
    run();
  });
  $('token-clear').addEventListener('click', () => { token.value = ''; token.dispatchEvent(new Event('change')); });
  api.getJSON('/info').then(r => { if (r.body?.response?.name) $('beacon-name').textContent = r.body.response.name; }).catch(() => {});
  loadLabels();
  loadMap();
}

// loadLabels fetches the filtering terms and redraws the filter list with their labels.
// document.body.dataset.terms says when the redraw is done ('loading', then 'loaded'), so
// that a script driving the page (the browser tests) does not click a node the redraw
// replaces.
function loadLabels() {
  document.body.dataset.terms = 'loading';
  terms.load().then(() => {
    filterList.refreshLabels();
    document.body.dataset.terms = 'loaded';
  });
}

setup();
run();
