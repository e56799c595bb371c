// Product.jsx: one product's stock over time per warehouse (stockHistory,
// drawn by uPlot) with a period picker, its recent movements, and its lots
// and locations in every warehouse that has any (the node holds them of
// the replicas too).
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { HISTORY, PRODUCT_DETAIL, PRODUCT_LOTS } from './queries.js';

// periods are the picker's choices: how far back, and the step.
const periods = {
  days30: { step: 'DAY', back: (d) => d.setDate(d.getDate() - 29) },
  weeks26: { step: 'WEEK', back: (d) => d.setDate(d.getDate() - 7 * 25) },
  months24: { step: 'MONTH', back: (d) => d.setMonth(d.getMonth() - 23, 1) },
};

const colours = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7ea4'];

// zone is the browser's time zone (an IANA name), in which the node cuts
// the chart's days, weeks and months as a movement report in that zone
// would; undefined (UTC) when the browser names none.
const zone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
})();

// range returns the query period: from the start of the first step's day
// (in the browser's zone) to the next hour, so the last point is the
// stock now.
function range(period) {
  const now = new Date();
  const to = new Date(now);
  to.setUTCMinutes(0, 0, 0);
  to.setUTCHours(to.getUTCHours() + 1);
  const from = new Date(now);
  from.setHours(0, 0, 0, 0);
  periods[period].back(from);
  return { from: from.toISOString(), to: to.toISOString(), step: periods[period].step };
}

// history reads stockHistory in the browser's zone, or in UTC when the
// node does not know that zone's name.
async function history(api, vars) {
  try {
    return await api.query(HISTORY, { ...vars, zone });
  } catch (e) {
    if (zone && e.code === 'INVALID_INPUT') return api.query(HISTORY, vars);
    throw e;
  }
}

// lotsByWarehouse reads the product's lots and locations in each
// warehouse, leaving out those without the product or with neither.
async function lotsByWarehouse(api, sku, warehouses) {
  const all = await Promise.all(warehouses.map((warehouse) =>
    api.query(PRODUCT_LOTS, { sku, warehouse }).then((d) => d.product && { warehouse, ...d.product }, () => null)));
  return all.filter((p) => p && (p.lots.some((l) => l.code) || p.locations.some((l) => l.location)));
}

// series turns stockHistory's points into uPlot's columns: the x values
// (seconds), then one column per warehouse.
function series(points) {
  const whs = [...new Set(points.map((p) => p.warehouse.id))];
  const xs = [...new Set(points.map((p) => Date.parse(p.at) / 1000))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const cols = whs.map(() => new Array(xs.length).fill(null));
  for (const p of points) cols[whs.indexOf(p.warehouse.id)][index.get(Date.parse(p.at) / 1000)] = p.quantity;
  return { whs, data: [xs, ...cols] };
}

function Chart({ t, points }) {
  const box = useRef(null);
  useEffect(() => {
    const { whs, data } = series(points);
    if (!box.current || data[0].length === 0) return undefined;
    const width = () => Math.max(box.current.clientWidth, 300);
    const plot = new uPlot(
      {
        width: width(),
        height: 260,
        scales: { x: { time: true } },
        axes: [{}, { size: 70, values: (u, ticks) => ticks.map((v) => t.num(v)) }],
        series: [
          { value: (u, v) => (v === null ? '' : t.day(new Date(v * 1000).toISOString())) },
          ...whs.map((w, i) => ({
            label: w,
            stroke: colours[i % colours.length],
            width: 2,
            value: (u, v) => (v === null ? '' : t.num(v)),
            paths: uPlot.paths.stepped({ align: 1 }),
          })),
        ],
      },
      data,
      box.current,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 260 }));
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, t]);
  const last = points.length ? points[points.length - 1] : null;
  return (
    <div id="history" ref={box} data-points={points.length} data-last={last ? last.quantity : ''}>
      {points.length === 0 ? <p className="muted">{t('noHistory')}</p> : null}
    </div>
  );
}

export function Product({ t, api, sku, changes, warehouses }) {
  const [period, setPeriod] = useState('days30');
  const [points, setPoints] = useState(null);
  const [moves, setMoves] = useState([]);
  const [lots, setLots] = useState([]);
  const [error, setError] = useState('');

  useEffect(() => {
    if (!sku) return undefined;
    let live = true;
    const r = range(period);
    history(api, { sku, ...r }).then(
      (d) => live && (setPoints(d.stockHistory), setError('')),
      (e) => live && setError(e.message),
    );
    api.query(PRODUCT_DETAIL, { sku }).then((d) => live && setMoves(d.movements.edges.map((e) => e.node)), () => {});
    lotsByWarehouse(api, sku, warehouses).then((l) => live && setLots(l));
    return () => {
      live = false;
    };
  }, [api, sku, period, changes, warehouses]);

  if (!sku) {
    return (
      <section className="panel product" aria-labelledby="product-title">
        <header><h2 id="product-title">{t('product')}</h2></header>
        <p className="muted">{t('pickProduct')}</p>
      </section>
    );
  }
  return (
    <section className="panel product" aria-labelledby="product-title" data-product={sku}>
      <header>
        <h2 id="product-title">{t('product')}: {sku}</h2>
        <label>
          {t('period')}{' '}
          <select id="period" value={period} onChange={(e) => setPeriod(e.target.value)}>
            {Object.keys(periods).map((p) => <option key={p} value={p}>{t(p)}</option>)}
          </select>
        </label>
      </header>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {points ? <Chart t={t} points={points} /> : <p className="muted">{t('loading')}</p>}
      <div className="columns">
        <div>
          <h3>{t('movements')}</h3>
          <table className="small">
            <thead><tr><th>{t('when')}</th><th>{t('warehouse')}</th><th>{t('kind')}</th><th>{t('quantity')}</th><th>{t('balance')}</th></tr></thead>
            <tbody>
              {moves.map((m) => (
                <tr key={m.id}>
                  <td>{t.date(m.createdAt)}</td><td>{m.warehouse.id}</td><td>{t(m.kind)}</td>
                  <td className="num">{t.num(m.quantity)}</td><td className="num">{t.num(m.balance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {lots.map((p) => (
          <div key={p.warehouse} className="lots" data-lots={p.warehouse}>
            <h3>{t('lots')} · {p.warehouse}</h3>
            <ul className="list">
              {p.lots.map((l) => (
                <li key={l.code + l.expiresOn} data-lot={l.code}>
                  {l.code || t('noLot')}: <b className="num">{t.num(l.quantity)}</b>{' '}
                  {l.expiresOn ? <span className="muted">{t('expires')} {t.day(l.expiresOn)}</span> : null}
                </li>
              ))}
            </ul>
            <h3>{t('locations')} · {p.warehouse}</h3>
            <ul className="list">
              {p.locations.map((l) => (
                <li key={l.location ? l.location.code : ''}>
                  {l.location ? l.location.path : t('unplaced')}: <b className="num">{t.num(l.quantity)}</b>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </section>
  );
}
