// The page's only way to the beacon: its public Beacon v2 API, with the bearer token (held
// in this module's memory, never stored) sent as Authorization.
import { apiBase, encodePath, FILTERS_JSON } from './state.js';

let token = '';
export function setToken(t) { token = t.trim(); }
export function hasToken() { return token !== ''; }

function headers(extra) {
  const h = { Accept: 'application/json', ...extra };
  if (token) h.Authorization = 'Bearer ' + token;
  return h;
}

// getJSON fetches an API path (e.g. '/filtering_terms?limit=0'); it resolves to
// {status, body} where body is the parsed JSON or null.
export async function getJSON(path) {
  const res = await fetch(apiBase() + path, { headers: headers() });
  return { status: res.status, body: await res.json().catch(() => null) };
}

// request describes how the page sends a query: GET with the URL's parameters, or POST
// when the filters need the POST form. It is also what the "API request" link shows.
export function request(path, params) {
  const url = apiBase() + '/' + encodePath(path);
  if (!params.has(FILTERS_JSON)) {
    const qs = params.toString();
    return { method: 'GET', url: url + (qs ? '?' + qs : '') };
  }
  return { method: 'POST', url, body: postBody(params) };
}

const NUMBER_LISTS = new Set(['start', 'end']);
const NUMBERS = new Set(['variantMinLength', 'variantMaxLength']);
const QUERY_KEYS = new Set(['requestedGranularity', 'includeResultsetResponses', 'testMode']);

// postBody is a Beacon POST request holding the same query as the GET parameters.
export function postBody(params) {
  const query = {};
  const rp = {};
  const pagination = {};
  for (const [k, v] of params) {
    if (k === FILTERS_JSON) query.filters = JSON.parse(v);
    else if (k === 'skip' || k === 'limit') pagination[k] = toNumber(v);
    else if (QUERY_KEYS.has(k)) query[k] = k === 'testMode' ? v === 'true' : v;
    else if (k === 'datasetIds') rp.datasets = { datasetIds: v.split(',') };
    else if (NUMBER_LISTS.has(k)) rp[k] = v.split(',').map(toNumber);
    else if (NUMBERS.has(k)) rp[k] = toNumber(v);
    else rp[k] = v;
  }
  if (Object.keys(rp).length) query.requestParameters = rp;
  if (Object.keys(pagination).length) query.pagination = pagination;
  return { meta: { apiVersion: '2.0' }, query };
}

// toNumber keeps text that is no number as it is, so the beacon's error names it.
function toNumber(v) {
  return /^\s*\d+\s*$/.test(v) ? Number(v) : v;
}

// send runs a request; it resolves to {status, body, ms} and never rejects: a network
// failure is status 0 with a message.
export async function send(req) {
  const t0 = performance.now();
  try {
    const init = { method: req.method, headers: headers(req.body ? { 'Content-Type': 'application/json' } : {}) };
    if (req.body) init.body = JSON.stringify(req.body);
    const res = await fetch(req.url, init);
    const body = await res.json().catch(() => null);
    return { status: res.status, body, ms: performance.now() - t0 };
  } catch (e) {
    return { status: 0, body: null, error: 'the beacon could not be reached: ' + e.message, ms: performance.now() - t0 };
  }
}

// curl is a request as a shell command, for the "API request" panel.
export function curl(req) {
  const abs = new URL(req.url, location.href).href;
  const auth = token ? " -H 'Authorization: Bearer …'" : '';
  if (req.method === 'GET') return `curl -s${auth} '${abs}'`;
  return `curl -s${auth} -X POST '${abs}' -H 'Content-Type: application/json' -d '${JSON.stringify(req.body).replace(/'/g, "'\\''")}'`;
}
