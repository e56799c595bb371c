// Transfers.jsx: transfers on their way, incoming to this node's warehouse,
// outgoing from it, and between others; operators get receive and cancel
// buttons where this node may take those steps.
import { useState } from 'react';

export function Transfers({ t, transfers, local, canAct, act, onPick }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
  const open = [...transfers.values()].filter((x) => x.status === 'IN_TRANSIT' || x.status === 'CANCEL_REQUESTED');
  open.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  const groups = [
    ['incoming', open.filter((x) => x.to.id === local)],
    ['outgoing', open.filter((x) => x.from.id === local)],
    ['elsewhere', open.filter((x) => x.to.id !== local && x.from.id !== local)],
  ];
  const run = async (what, x) => {
    setBusy(x.id + what);
    setError('');
    try {
      await act(what, x.id);
    } catch (e) {
      setError(t('actionFailed', t(what), e.message));
    } finally {
      setBusy('');
    }
  };
  return (
    <section className="panel transfers" aria-labelledby="transfers-title">
      <header><h2 id="transfers-title">{t('transfers')}</h2></header>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {open.length === 0 ? <p className="muted">{t('noTransfers')}</p> : null}
      {groups.map(([name, list]) =>
        list.length === 0 ? null : (
          <div key={name}>
            <h3>{t(name)}</h3>
            <ul className="list">
              {list.map((x) => (
                <li key={x.id} data-transfer={x.id} data-status={x.status}>
                  <a href={'#product=' + encodeURIComponent(x.sku)} onClick={(e) => { e.preventDefault(); onPick(x.sku); }}>{x.sku}</a>{' '}
                  <b className="num">{t.num(x.quantity)}</b> {x.from.id} → {x.to.id}{' '}
                  <span className="muted">{t(x.status)} · {t.date(x.createdAt)}</span>
                  {canAct && x.status === 'IN_TRANSIT' && x.to.id === local ? (
                    <button data-action="receive" disabled={!!busy} onClick={() => run('receive', x)}>{t('receive')}</button>
                  ) : null}
                  {canAct && x.status === 'IN_TRANSIT' && (x.to.id === local || x.from.id === local) ? (
                    <button data-action="cancel" className="secondary" disabled={!!busy} onClick={() => run('cancel', x)}>{t('cancel')}</button>
                  ) : null}
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </section>
  );
}
