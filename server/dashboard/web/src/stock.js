// stock.js: the products × warehouses table as the dashboard holds it,
// outside React so that a burst of changes costs one render: changes mark
// it dirty and listeners are called once per animation frame.
import { FIRST_SCREEN, IN_TRANSIT, STOCK_TABLE, TABLE_PAGE } from './queries.js';

// StockTable holds, per sku, its name and per warehouse its stock.
export class StockTable {
  constructor() {
    // sku → { sku, name, by: { [warehouse]: { quantity, available, reorderPoint, low, gen } },
    // transit: { [warehouse]: units on their way to it }, cells }: cells counts the row's
    // changes, so a memoised row knows to render again.
    this.rows = new Map();
    this.warehouses = [];
    this.version = 0;
    this.listeners = new Set();
    this.frame = 0;
    // gen counts the loads: a cell read or changed during the current
    // one carries it, and a cell older than it once the load is done was
    // deleted while the page was away.
    this.gen = 0;
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
      r = { sku, name: '', by: {}, transit: {}, cells: 0 };
      this.rows.set(sku, r);
    }
    return r;
  }

  // putPage records a page of stockTable: its columns, row by row.
  putPage(page) {
    page.skus.forEach((sku, i) => {
      const r = this.row(sku);
      r.name = page.names[i] || r.name;
      for (const c of page.columns) {
        const q = c.quantity[i];
        if (q !== null) {
          const rp = c.reorderPoint[i];
          r.by[c.warehouse] = { quantity: q, available: c.available[i], reorderPoint: rp, low: rp > 0 && q <= rp, gen: this.gen };
        }
        r.transit[c.warehouse] = c.inTransit[i];
      }
      r.cells++;
    });
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
      cell.gen = this.gen;
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
    cell.gen = this.gen;
    r.by[wh] = cell;
    r.cells++;
    this.changed();
  }

  // setTransit records the units of sku on their way to each warehouse,
  // as stockLevels answers them (a warehouse left out has none).
  setTransit(sku, levels) {
    const r = this.row(sku);
    r.transit = Object.fromEntries(levels.map((l) => [l.warehouse.id, l.inTransit]));
    r.cells++;
    this.changed();
  }

  // load reads the whole table: a first screenful, shown at once, then
  // the rest in the node's largest pages. Cells it did not read and no
  // change touched since it started belong to products deleted meanwhile
  // (while the page was away): they go. It returns the warehouses.
  async load(api) {
    this.gen++;
    let after = null;
    let first = FIRST_SCREEN;
    for (;;) {
      const { stockTable: page } = await api.query(STOCK_TABLE, { first, after });
      this.warehouses = page.columns.map((c) => c.warehouse);
      this.putPage(page);
      this.changed();
      if (!page.hasNextPage) break;
      after = page.endCursor;
      first = TABLE_PAGE;
    }
    for (const r of this.rows.values()) {
      let gone = false;
      for (const [wh, c] of Object.entries(r.by)) {
        if (c.gen < this.gen) {
          delete r.by[wh];
          gone = true;
        }
      }
      if (gone) r.cells++;
    }
    performance.mark('dashboard:products');
    this.changed();
    return this.warehouses;
  }

  // transitOf reads again, for each sku of skus, its units in transit.
  async transitOf(api, skus) {
    await Promise.all(skus.map((sku) => api.query(IN_TRANSIT, { sku }).then((d) => this.setTransit(sku, d.stockLevels))));
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
