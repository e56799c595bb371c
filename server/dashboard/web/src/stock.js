// stock.js: the products × warehouses table as the dashboard holds it,
// outside React so that a burst of changes costs one render: changes mark
// it dirty and listeners are called once per animation frame.
import { productPages } from './queries.js';

// StockTable holds, per sku, its name and per warehouse its stock.
export class StockTable {
  constructor() {
    // sku → { sku, name, by: { [warehouse]: { quantity, available, reorderPoint, low } }, cells }:
    // cells counts the row's changes, so a memoised row knows to render again.
    this.rows = new Map();
    this.version = 0;
    this.listeners = new Set();
    this.frame = 0;
  }

  // subscribe calls fn after changes, at most once a frame; it returns
  // the way to stop.
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() {
    this.version++;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const fn of this.listeners) fn(this.version);
    });
  }

  row(sku) {
    let r = this.rows.get(sku);
    if (!r) {
      r = { sku, name: '', by: {}, cells: 0 };
      this.rows.set(sku, r);
    }
    return r;
  }

  // put records a product of warehouse as products() answers it.
  put(warehouse, p) {
    const r = this.row(p.sku);
    r.name = p.name || r.name;
    r.by[warehouse] = { quantity: p.quantity, available: p.available, reorderPoint: p.reorderPoint, low: p.belowReorderPoint };
    r.cells++;
  }

  // apply records a stockChanged event.
  apply(ev) {
    const r = this.row(ev.sku);
    const wh = ev.warehouse.id;
    const cell = r.by[wh] || { reorderPoint: 0 };
    if (ev.deleted) {
      delete r.by[wh];
    } else {
      cell.quantity = ev.quantity;
      cell.available = ev.available;
      cell.low = cell.reorderPoint > 0 && ev.quantity <= cell.reorderPoint;
      r.by[wh] = cell;
    }
    r.cells++;
    this.changed();
  }

  // setReorderPoint records the reorder point a lowStockAlert carries.
  setReorderPoint(wh, sku, reorderPoint, low, name) {
    const r = this.row(sku);
    if (name) r.name = name;
    const cell = r.by[wh] || { quantity: 0, available: 0 };
    cell.reorderPoint = reorderPoint;
    cell.low = low;
    r.by[wh] = cell;
    r.cells++;
    this.changed();
  }

  // load reads every product of the warehouses, a page of each in one
  // request per round (aliases), the rounds one after another; the table
  // shows each round as it comes.
  async load(api, warehouses) {
    let cursors = Object.fromEntries(warehouses.map((w) => [w, null]));
    while (Object.keys(cursors).length > 0) {
      const { query, vars, ids } = productPages(cursors);
      const d = await api.query(query, vars);
      const next = {};
      ids.forEach((wh, i) => {
        const page = d['w' + i];
        for (const e of page.edges) this.put(wh, e.node);
        if (page.pageInfo.hasNextPage) next[wh] = page.pageInfo.endCursor;
        else performance.mark('dashboard:products:' + wh);
      });
      this.changed();
      cursors = next;
    }
  }
}

// view returns the rows matching search (sku or name, any case), sorted
// by key (sku, name, or a warehouse id: its stock on hand), ascending or not.
export function view(table, search, key, ascending) {
  const q = search.trim().toLowerCase();
  const out = [];
  for (const r of table.rows.values()) {
    if (Object.keys(r.by).length === 0) continue;
    if (q && !r.sku.toLowerCase().includes(q) && !r.name.toLowerCase().includes(q)) continue;
    out.push(r);
  }
  const dir = ascending ? 1 : -1;
  const byText = (f) => (a, b) => dir * (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0);
  let cmp;
  if (key === 'sku') cmp = byText((r) => r.sku);
  else if (key === 'name') cmp = byText((r) => r.name.toLowerCase());
  else cmp = (a, b) => dir * ((a.by[key]?.quantity ?? -1) - (b.by[key]?.quantity ?? -1)) || (a.sku < b.sku ? -1 : 1);
  return out.sort(cmp);
}
