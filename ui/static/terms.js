// Autocomplete of filters from /filtering_terms: the terms of the data with their labels and
// scopes, matched on id and label as the user types. The list follows the ARIA combobox
// pattern (arrow keys move, Enter picks, Escape closes), so it works from the keyboard.
import { getJSON } from './api.js';
import { skipFor } from './state.js';

let terms = [];
const labels = new Map();
let loaded = null;

// load fetches the terms once; labelOf answers from them (empty until they arrive).
export function load() {
  loaded ??= fetchAll().then(all => {
    terms = all;
    for (const t of terms) if (t.label && !labels.has(t.id)) labels.set(t.id, t.label);
    return terms;
  }).catch(() => terms);
  return loaded;
}

// /filtering_terms is paged like the entry endpoints: limit 0 asks for the beacon's largest
// page, whose size the first answer tells; the page reads up to MAX_PAGES of them.
const MAX_PAGES = 20;

async function fetchAll() {
  const out = [];
  let size = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await getJSON(`/filtering_terms?limit=0${page ? `&skip=${skipFor(page, size)}` : ''}`);
    const got = r.body?.response?.filteringTerms ?? [];
    out.push(...got);
    if (page === 0) size = got.length;
    if (got.length === 0 || got.length < size) break;
  }
  return out;
}

// reset forgets the terms, so the next load asks again (a token may see other datasets).
export function reset() { loaded = null; }
export function labelOf(id) { return labels.get(id) || ''; }
export function termsOf(id) { return terms.filter(t => t.id === id); }

// match ranks the terms for a typed text: id or label starting with it first, then
// containing it; at most max.
export function match(text, max = 12) {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const scored = [];
  for (const t of terms) {
    const id = t.id.toLowerCase(), label = (t.label || '').toLowerCase();
    let s = -1;
    if (id === q || label === q) s = 0;
    else if (id.startsWith(q) || label.startsWith(q)) s = 1;
    else if (label.split(/[\s_(]+/).some(w => w.startsWith(q))) s = 2;
    else if (id.includes(q) || label.includes(q)) s = 3;
    if (s >= 0) scored.push([s, t]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].id.localeCompare(b[1].id));
  return scored.slice(0, max).map(x => x[1]);
}

// attach wires the combobox: onPick(term) for a listed term, onText(text) for typed text
// that the user adds as it is.
export function attach(input, list, onPick, onText) {
  let options = [];
  let active = -1;
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const show = () => {
    // Text with an operator is an alphanumeric filter typed in full: nothing to list.
    options = /[<>=!]/.test(input.value) ? [] : match(input.value);
    list.replaceChildren(...options.map((t, i) => {
      const li = document.createElement('li');
      li.id = 'term-opt-' + i;
      li.setAttribute('role', 'option');
      li.dataset.id = t.id;
      const name = document.createElement('span');
      name.textContent = t.label || t.id;
      const meta = document.createElement('span');
      meta.className = 'muted';
      meta.textContent = ` ${t.label ? t.id : ''} · ${t.type === 'alphanumeric' ? 'field' : 'term'} · ${(t.scopes || []).join(', ')}`;
      li.append(name, meta);
      li.addEventListener('mousedown', e => { e.preventDefault(); pick(i); });
      return li;
    }));
    const open = options.length > 0;
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    setActive(open ? 0 : -1);
  };
  const setActive = i => {
    active = i;
    list.querySelectorAll('[role=option]').forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', 'term-opt-' + i);
      list.children[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  const pick = i => {
    const t = options[i];
    input.value = '';
    close();
    onPick(t);
  };
  // Enter adds a filter; it must not also submit the form through the keypress that
  // follows an Enter whose keydown was handled.
  input.addEventListener('keypress', e => { if (e.key === 'Enter') e.preventDefault(); });
  input.addEventListener('input', show);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', e => {
    const open = !list.hidden;
    if (e.key === 'ArrowDown' && open) { e.preventDefault(); setActive((active + 1) % options.length); }
    else if (e.key === 'ArrowUp' && open) { e.preventDefault(); setActive((active - 1 + options.length) % options.length); }
    else if (e.key === 'Escape') close();
    else if (e.key === 'Enter') {
      e.preventDefault(); // Enter here adds a filter, it does not submit the form
      if (open && active >= 0) pick(active);
      else if (input.value.trim()) { const v = input.value.trim(); input.value = ''; close(); onText(v); }
    }
  });
}
