// Network.jsx: every warehouse this node knows, online or not, when last
// seen, how far behind this node's replica of it is, its seq and digest,
// and any problem with the replica.
export function Network({ t, warehouses }) {
  return (
    <section className="panel network" aria-labelledby="network-title">
      <header><h2 id="network-title">{t('network')}</h2></header>
      <table>
        <thead>
          <tr>
            <th>{t('warehouse')}</th><th>{t('status')}</th><th>{t('lastSeen')}</th><th>{t('behind')}</th>
            <th>{t('seq')}</th><th>{t('digest')}</th><th>{t('asOf')}</th><th>{t('problem')}</th>
          </tr>
        </thead>
        <tbody>
          {warehouses.map((w) => {
            const state = w.departed ? 'departed' : w.online ? 'online' : 'offline';
            const r = w.replica || {};
            return (
              <tr key={w.id} data-warehouse={w.id} data-online={String(w.online)} className={state}>
                <td><b>{w.name}</b> <span className="muted">{w.id}</span>{w.local ? <span className="tag">{t('thisNode')}</span> : null}</td>
                <td><span className={'dot ' + state} /> {t(state)}</td>
                <td>{w.local ? t('none') : t.date(w.lastSeen)}</td>
                <td className="num" data-behind={w.behind}>{t.num(w.behind)}</td>
                <td className="num">{t.num(r.seq)}</td>
                <td className="digest" title={r.digest}>{r.digest ? r.digest.slice(0, 12) + '…' : t('none')}</td>
                <td>{t.date(r.asOf)}</td>
                <td className={r.problem ? 'problem' : ''}>
                  {r.problem ? `${t(r.problem.kind)} (${r.problem.servedBy}, ${t.date(r.problem.since)}): ${r.problem.detail}` : t('none')}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
