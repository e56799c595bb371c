// App.jsx: the dashboard. It subscribes to the node's live changes, asks
// who it is (me) and reads the stock table at once, then the network, the
// transfers on their way and the alerts, and keeps them live through the
// subscriptions; after a reconnection it reads everything again, so
// nothing missed stays wrong (a product deleted meanwhile leaves the table).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { connect, storeToken, takeToken } from './api.js';
import { initialLanguage, languages, saveLanguage, translator } from './i18n.js';
import * as Q from './queries.js';
import { StockTable as Table } from './stock.js';
import { StockTable } from './StockTable.jsx';
import { Network } from './Network.jsx';
import { Transfers } from './Transfers.jsx';
import { Alerts } from './Alerts.jsx';
import { Product } from './Product.jsx';

const EXPIRY_DAYS = 30;
const TRANSIT_AFTER = 100; // ms a transfer's sku waits for others before its units in transit are read

function TokenForm({ t, message, onToken }) {
  const [value, setValue] = useState('');
  return (
    <form
      id="token-form"
      className="token"
      autoComplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        onToken(value.trim());
      }}
    >
      <p>{message}</p>
      <label htmlFor="token">{t('tokenLabel')}</label>
      <input id="token" type="password" spellCheck="false" placeholder={t('tokenPlaceholder')} value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit">{t('changeToken')}</button>
    </form>
  );
}

// isOpen reports whether a transfer is still on its way.
function isOpen(x) {
  return x.status === 'IN_TRANSIT' || x.status === 'CANCEL_REQUESTED';
}

// merge returns the warehouses of old with those of fresh put in their
// place (new ones appended), local first as the node lists them.
function merge(old, fresh) {
  const out = [...old];
  for (const w of fresh) {
    const i = out.findIndex((o) => o.id === w.id);
    if (i < 0) out.push(w);
    else out[i] = { ...out[i], ...w };
  }
  return out;
}

// productFromHash returns the sku of a #product=SKU fragment.
function productFromHash() {
  return new URLSearchParams(location.hash.slice(1)).get('product') || '';
}

export function App({ endpoint }) {
  const [lang, setLang] = useState(initialLanguage);
  const t = useMemo(() => translator(lang), [lang]);
  const [token, setToken] = useState(takeToken);
  const [me, setMe] = useState(null);
  const [failure, setFailure] = useState('');
  const [connected, setConnected] = useState(false);
  const [network, setNetwork] = useState([]);
  const [transfers, setTransfers] = useState(new Map());
  const [low, setLow] = useState(new Map());
  const [expiring, setExpiring] = useState(new Map());
  const [sku, setSku] = useState(productFromHash);
  const [changes, setChanges] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [tableWarehouses, setTableWarehouses] = useState([]);
  const table = useMemo(() => new Table(), [token]);
  const skuRef = useRef(sku);
  skuRef.current = sku;

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('title');
  }, [lang, t]);

  useEffect(() => {
    const onHash = () => setSku(productFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const [reloads, setReloads] = useState(0);
  const api = useMemo(() => {
    if (!token) return null;
    return connect(endpoint, token, (up, again) => {
      setConnected(up);
      if (up && again) setReloads((n) => n + 1); // read again what the gap may have missed
    });
  }, [endpoint, token]);
  useEffect(() => () => api && api.close(), [api]);

  // Who am I, and which warehouse is this node's.
  useEffect(() => {
    if (!api) return;
    setMe(null);
    api.query(Q.ME).then(
      (d) => {
        performance.mark('dashboard:me');
        setMe({ ...d.me, local: d.localWarehouse.id, warehouses: d.warehouses.map((w) => w.id) });
        setFailure('');
      },
      (e) => setFailure(t('tokenRefused', e.message)),
    );
  }, [api]);

  // The network, live through networkChanged once the table is loaded:
  // its events carry the replicas' digests, which a node computes over
  // each whole log the first time, so they wait until the first load is
  // done (before it, the network comes without them).
  useEffect(() => {
    if (!api || !loaded) return undefined;
    return api.subscribe(Q.ON_NETWORK, {}, (d) => setNetwork((old) => merge(old, [d.networkChanged])));
  }, [api, loaded]);

  // The network read: without digests at first, with them once the table
  // is loaded, and again after each reconnection.
  useEffect(() => {
    if (!api) return undefined;
    let live = true;
    api.query(loaded ? Q.NETWORK : Q.NETWORK_FIRST).then(
      (d) => live && setNetwork((old) => merge(old, d.warehouses)),
      () => {}, // shown stale until the next change or reconnection
    );
    return () => {
      live = false;
    };
  }, [api, reloads, loaded]);

  // Subscriptions first, then the reads, so no change falls between them.
  useEffect(() => {
    if (!api) return undefined;
    const transit = new Set();
    let timer = 0;
    const stops = [
      api.subscribe(Q.ON_STOCK, {}, (d) => {
        table.apply(d.stockChanged);
        if (d.stockChanged.sku === skuRef.current) setChanges((n) => n + 1);
      }),
      api.subscribe(Q.ON_TRANSFER, {}, (d) => {
        const x = d.transferUpdated;
        setTransfers((m) => new Map(m).set(x.id, { ...x, seen: Date.now() }));
        // The node counts the units in transit (StockLevel.inTransit):
        // read them again for the sku, a burst of transfers once.
        transit.add(x.sku);
        if (!timer) {
          timer = setTimeout(() => {
            timer = 0;
            const skus = [...transit];
            transit.clear();
            table.transitOf(api, skus).catch(() => {});
          }, TRANSIT_AFTER);
        }
      }),
      api.subscribe(Q.ON_LOW, {}, (d) => {
        const a = d.lowStockAlert;
        table.setReorderPoint(a.warehouse.id, a.sku, a.reorderPoint, a.low, a.product && a.product.name);
        setLow((m) => {
          const n = new Map(m);
          const key = a.warehouse.id + '|' + a.sku;
          if (a.low) n.set(key, { warehouse: a.warehouse.id, sku: a.sku, name: a.product ? a.product.name : '', quantity: a.quantity, reorderPoint: a.reorderPoint });
          else n.delete(key);
          return n;
        });
      }),
      api.subscribe(Q.ON_EXPIRING, { days: EXPIRY_DAYS }, (d) => {
        const x = d.lotExpiring;
        setExpiring((m) => new Map(m).set([x.warehouse.id, x.sku, x.code, x.expiresOn].join('|'), { ...x, warehouse: x.warehouse.id }));
      }),
    ];
    return () => {
      clearTimeout(timer);
      stops.forEach((stop) => stop());
    };
  }, [api, table]);

  // The first reads: the stock table first, alone, as it is most of
  // the work, then the transfers and alerts.
  useEffect(() => {
    if (!api) return;
    (async () => {
      setTableWarehouses(await table.load(api));
      const started = Date.now();
      await Promise.all([
        Promise.all(['IN_TRANSIT', 'CANCEL_REQUESTED'].map((status) => api.query(Q.TRANSFERS, { status }))).then((rs) => {
          const m = new Map();
          for (const r of rs) for (const e of r.transfers.edges) m.set(e.node.id, e.node);
          setTransfers((old) => {
            // What the subscription said during this read is as new as the
            // read, and a final state newer still; an open transfer heard of
            // before the read and missing from it has moved on since.
            for (const [id, x] of old) {
              if (!isOpen(x) || (!m.has(id) && x.seen >= started)) m.set(id, x);
            }
            return m;
          });
        }),
        api.query(Q.ALERTS, { days: EXPIRY_DAYS }).then((a) => {
          setLow(new Map(a.lowStock.map((p) => [p.warehouse.id + '|' + p.sku, { ...p, warehouse: p.warehouse.id }])));
          setExpiring(new Map(a.expiringLots.map((x) => [[x.warehouse.id, x.sku, x.code, x.expiresOn].join('|'), { ...x, warehouse: x.warehouse.id }])));
        }),
      ]);
      performance.mark('dashboard:loaded');
      setLoaded(true);
      document.body.dataset.ready = 'true';
    })().catch((e) => {
      // A reload that fails (the link lost again) waits for the next
      // reconnection; only a first load that fails is shown.
      if (reloads === 0) setFailure(e.code === 'UNAUTHENTICATED' ? t('tokenRefused', e.message) : e.message);
    });
  }, [api, table, reloads]);

  const act = useCallback(
    async (what, id) => {
      const d = await api.query(what === 'receive' ? Q.RECEIVE : Q.CANCEL, { id });
      const x = d.receiveTransfer || d.cancelTransfer;
      setTransfers((m) => new Map(m).set(x.id, { ...x, seen: Date.now() }));
    },
    [api],
  );

  const pick = useCallback((s) => {
    history.replaceState(null, '', '#product=' + encodeURIComponent(s));
    setSku(s);
  }, []);

  // The table's columns: the warehouses of its last read, and any the
  // network shows since (their rows fill in as their changes arrive).
  const whsKey = [...new Set([...tableWarehouses, ...(me ? me.warehouses : []), ...network.map((w) => w.id)])].join(',');
  const whs = useMemo(() => (whsKey ? whsKey.split(',') : []), [whsKey]);

  const changeToken = (v) => {
    storeToken(v);
    setToken(v);
  };

  const header = (
    <header className="top">
      <h1>{t('title')}</h1>
      {me ? (
        <span id="me" data-role={me.role}>
          {t('signedAs', me.name, t(me.role))} · {me.local}
        </span>
      ) : null}
      {api ? <span id="live" className={connected ? 'live' : 'stale'}>{connected ? t('live') : t('reconnecting')}</span> : null}
      <span className="spacer" />
      <label>
        {t('language')}{' '}
        <select id="lang" value={lang} onChange={(e) => { saveLanguage(e.target.value); setLang(e.target.value); }}>
          {languages.map((l) => <option key={l} value={l}>{l.toUpperCase()}</option>)}
        </select>
      </label>
      {token ? <button id="forget" className="secondary" onClick={() => changeToken('')}>{t('forget')}</button> : null}
    </header>
  );

  if (!token || failure) {
    return (
      <>
        {header}
        <TokenForm t={t} message={failure || t('tokenNeeded')} onToken={(v) => { setFailure(''); changeToken(v); }} />
      </>
    );
  }
  if (!me) return (<>{header}<p className="muted pad">{t('loading')}</p></>);
  const canAct = me.role === 'OPERATOR' || me.role === 'ADMIN';
  return (
    <>
      {header}
      <main>
        <Network t={t} warehouses={network} />
        <StockTable t={t} table={table} warehouses={whs} onPick={pick} selected={sku} />
        <div className="columns main">
          <Product t={t} api={api} sku={sku} changes={changes} warehouses={whs} />
          <div className="stack">
            <Transfers t={t} transfers={transfers} local={me.local} canAct={canAct} act={act} onPick={pick} />
            <Alerts t={t} low={low} expiring={expiring} onPick={pick} />
          </div>
        </div>
      </main>
    </>
  );
}
