// StockTable.jsx: products × warehouses, searchable and sortable, its rows
// virtualised (TanStack Virtual) so 5,000 products × 3 warehouses scroll
// smoothly; cells change live.
import { memo, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { view } from './stock.js';

const ROW = 30;

// Row is one product's line; it renders again only when its props change
// (its cells object is replaced on every change of the product).
const Row = memo(function Row({ t, r, start, columns, minWidth, warehouses, onPick, selected }) {
  return (
    <div
      className={'grid row' + (selected ? ' selected' : '')}
      data-sku={r.sku}
      style={{ gridTemplateColumns: columns, minWidth, height: ROW, transform: `translateY(${start}px)` }}
    >
      <a href={'#product=' + encodeURIComponent(r.sku)} onClick={(e) => { e.preventDefault(); onPick(r.sku); }}>
        {r.sku}
      </a>
      <span className="name" title={r.name}>{r.name}</span>
      {warehouses.map((w) => {
        const c = r.by[w];
        const transit = r.transit[w] || 0;
        return [
          <span
            key={w + 'q'}
            className={'num' + (c && c.low ? ' low' : '')}
            data-cell={w + '|' + r.sku}
            data-quantity={c ? c.quantity : ''}
            title={c && c.low ? t('low', t.num(c.reorderPoint)) : undefined}
          >
            {c ? t.num(c.quantity) : ''}
            {c && c.low ? ' ⚠' : ''}
          </span>,
          <span key={w + 'a'} className="num">{c ? t.num(c.available) : ''}</span>,
          <span key={w + 't'} className="num transit" data-transit={w + '|' + r.sku} data-units={transit}>{transit ? t.num(transit) : ''}</span>,
        ];
      })}
    </div>
  );
});

export function StockTable({ t, table, warehouses, onPick, selected }) {
  const version = useSyncExternalStore(
    (fn) => table.subscribe(fn),
    () => table.version,
  );
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState({ key: 'sku', asc: true });
  const rows = useMemo(() => view(table, search, sort.key, sort.asc), [table, version, search, sort]);
  const parent = useRef(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 8,
  });
  const columns = `minmax(6rem, 1fr) minmax(8rem, 2fr) repeat(${warehouses.length * 3}, minmax(4.5rem, 1fr))`;
  const minWidth = `${15 + warehouses.length * 3 * 5}rem`; // every grid the same width, so the columns line up
  const sortBy = (key) => setSort((s) => ({ key, asc: s.key === key ? !s.asc : true }));
  const mark = (key) => (sort.key === key ? (sort.asc ? ' ▲' : ' ▼') : '');

  return (
    <section className="panel stock" aria-labelledby="stock-title">
      <header>
        <h2 id="stock-title">{t('stock')}</h2>
        <input
          id="stock-search"
          type="search"
          placeholder={t('search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <span className="count" id="stock-count" data-count={rows.length}>
          {t('products', t.num(rows.length))}
        </span>
      </header>
      <div className="scroller" ref={parent} id="stock-rows">
        <div className="grid head" style={{ gridTemplateColumns: columns, minWidth }} role="row">
          <button className="th" onClick={() => sortBy('sku')}>{t('sku') + mark('sku')}</button>
          <button className="th" onClick={() => sortBy('name')}>{t('name') + mark('name')}</button>
          {warehouses.map((w) => (
            <button key={w} className="th wh" style={{ gridColumn: 'span 3' }} onClick={() => sortBy(w)}>
              {w + mark(w)}
            </button>
          ))}
          <span />
          <span />
          {warehouses.map((w) => [
            <span key={w + 'q'} className="sub">{t('onHand')}</span>,
            <span key={w + 'a'} className="sub">{t('available')}</span>,
            <span key={w + 't'} className="sub">{t('inTransit')}</span>,
          ])}
        </div>
        <div className="body" style={{ height: virtual.getTotalSize(), minWidth }}>
          {virtual.getVirtualItems().map((item) => (
            <Row key={rows[item.index].sku} t={t} r={rows[item.index]} cells={rows[item.index].cells} start={item.start}
              columns={columns} minWidth={minWidth} warehouses={warehouses} onPick={onPick}
              selected={rows[item.index].sku === selected} />
          ))}
        </div>
      </div>
    </section>
  );
}
