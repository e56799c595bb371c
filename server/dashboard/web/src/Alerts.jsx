// Alerts.jsx: products at or below their reorder point, and lots
// expiring soon, each linking to the product.
export function Alerts({ t, low, expiring, onPick }) {
  const link = (sku) => (
    <a href={'#product=' + encodeURIComponent(sku)} onClick={(e) => { e.preventDefault(); onPick(sku); }}>{sku}</a>
  );
  const lows = [...low.values()].sort((a, b) => (a.warehouse + a.sku < b.warehouse + b.sku ? -1 : 1));
  const lots = [...expiring.values()].sort((a, b) => (a.expiresOn < b.expiresOn ? -1 : 1));
  return (
    <section className="panel alerts" aria-labelledby="alerts-title">
      <header><h2 id="alerts-title">{t('lowStock')}</h2></header>
      {lows.length === 0 ? <p className="muted">{t('noLowStock')}</p> : (
        <ul className="list" id="low-stock">
          {lows.map((x) => (
            <li key={x.warehouse + '|' + x.sku} data-low={x.warehouse + '|' + x.sku}>
              {link(x.sku)} <span className="muted">{x.name}</span> · {x.warehouse}:{' '}
              <b className="num low">{t.num(x.quantity)}</b> <span className="muted">/ {t('reorderPoint')} {t.num(x.reorderPoint)}</span>
            </li>
          ))}
        </ul>
      )}
      <h2>{t('expiring')}</h2>
      {lots.length === 0 ? <p className="muted">{t('noExpiring')}</p> : (
        <ul className="list" id="expiring">
          {lots.map((x) => (
            <li key={x.warehouse + '|' + x.sku + '|' + x.code + '|' + x.expiresOn}>
              {link(x.sku)} · {x.warehouse} · {t('lot')} {x.code || t('noLot')}: <b className="num">{t.num(x.quantity)}</b>{' '}
              <span className="muted">{t('expires')} {t.day(x.expiresOn)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
