// The filter list of the form: one row per filter (a term with its descendants toggle and
// scope, a field with operator and value), and OR groups holding rows of their own.
import { OPERATORS, describe } from './filters.js';
import { labelOf, termsOf } from './terms.js';

const SCOPES = ['individual', 'biosample', 'run', 'analysis', 'genomicVariation', 'dataset', 'cohort'];

let seq = 0;
const uid = p => `${p}-${++seq}`;

// FilterList renders and edits filters in a <ol>; items() is the current filters.
export class FilterList {
  constructor(ol) {
    this.ol = ol;
    this.filters = [];
    this.target = null; // the OR group new filters go into, or null for the top level
  }
  items() { return this.filters.filter(f => f.kind !== 'or' || f.items.length); }
  set(filters) { this.filters = filters; this.target = null; this.render(); }
  add(f) {
    (this.target ? this.target.items : this.filters).push(f);
    this.render();
  }
  addGroup() {
    const g = { kind: 'or', items: [] };
    this.filters.push(g);
    this.target = g;
    this.render();
  }
  remove(list, f) {
    list.splice(list.indexOf(f), 1);
    if (this.target && !this.filters.includes(this.target)) this.target = null;
    this.render();
  }
  refreshLabels() { this.render(); }

  render() {
    this.ol.replaceChildren(...this.filters.map(f => f.kind === 'or' ? this.groupRow(f) : this.row(this.filters, f)));
  }

  groupRow(g) {
    const li = document.createElement('li');
    li.className = 'or-group' + (this.target === g ? ' target' : '');
    const head = document.createElement('div');
    head.className = 'row';
    const title = document.createElement('strong');
    title.textContent = 'Any of:';
    const into = button(this.target === g ? 'Adding here' : 'Add filters here', () => { this.target = this.target === g ? null : g; this.render(); });
    into.setAttribute('aria-pressed', String(this.target === g));
    const del = button('Remove group', () => this.remove(this.filters, g));
    head.append(title, into, del);
    const inner = document.createElement('ol');
    inner.setAttribute('aria-label', 'Filters of this OR group');
    inner.append(...g.items.map(f => this.row(g.items, f)));
    if (!g.items.length) {
      const p = document.createElement('li');
      p.className = 'muted';
      p.textContent = 'Empty: pick filters above to add them here.';
      inner.append(p);
    }
    li.append(head, inner);
    return li;
  }

  row(list, f) {
    const li = document.createElement('li');
    li.className = 'filter';
    li.dataset.id = f.id;
    const name = document.createElement('span');
    name.className = 'filter-name';
    const label = labelOf(f.id);
    name.textContent = label ? `${label} ` : '';
    const code = document.createElement('code');
    code.textContent = f.id;
    name.append(code);
    li.append(name);
    const desc = describe(f, labelOf);
    if (f.kind === 'alpha') {
      const op = select(OPERATORS.map(o => [o, o]), f.operator, v => { f.operator = v; });
      op.setAttribute('aria-label', `Operator of ${desc}`);
      const val = document.createElement('input');
      val.value = f.value;
      val.className = 'filter-value';
      val.setAttribute('aria-label', `Value of ${f.id}`);
      const values = termsOf(f.id).flatMap(t => t.values || []);
      if (values.length) {
        const dl = document.createElement('datalist');
        dl.id = uid('values');
        dl.append(...values.map(v => Object.assign(document.createElement('option'), { value: v })));
        val.setAttribute('list', dl.id);
        li.append(dl);
      }
      val.addEventListener('input', () => { f.value = val.value; });
      li.append(op, val);
    } else {
      const id = uid('desc');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = id;
      box.checked = f.descendants;
      box.addEventListener('change', () => { f.descendants = box.checked; });
      const l = document.createElement('label');
      l.htmlFor = id;
      l.className = 'inline';
      l.textContent = 'with descendants';
      li.append(box, l);
    }
    const known = termsOf(f.id).flatMap(t => t.scopes || []);
    const scopes = [...new Set([...known, ...SCOPES])];
    const sc = select([['', 'any scope'], ...scopes.map(s => [s, s])], f.scope, v => { f.scope = v; });
    sc.setAttribute('aria-label', `Scope of ${desc}`);
    li.append(sc, button('Remove', () => this.remove(list, f), `Remove filter ${desc}`));
    return li;
  }
}

function button(text, onClick, ariaLabel) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (ariaLabel) b.setAttribute('aria-label', ariaLabel);
  b.addEventListener('click', onClick);
  return b;
}

function select(options, value, onChange) {
  const s = document.createElement('select');
  for (const [v, text] of options) s.append(Object.assign(document.createElement('option'), { value: v, textContent: text }));
  s.value = value;
  s.addEventListener('change', () => onChange(s.value));
  return s;
}
