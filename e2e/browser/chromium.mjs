// chromium.mjs: what the browser scripts share: the flags make test's
// Chromium runs with, and a record of every request a page makes.

// chromiumArgs returns the flags for a headless Chromium that trusts
// exactly the public keys in spki (base64 SHA-256, verified by the caller
// against the node's CA). Chromium on Linux takes trust anchors only from
// an NSS database, so instead of installing the node's CA there,
// --ignore-certificate-errors-spki-list accepts exactly those keys (and
// nothing else, unlike --ignore-certificate-errors). The resolver rule
// makes every name but the loopback address unresolvable, so nothing
// leaves the machine even if a page tried.
export function chromiumArgs(spki, lang = 'en-US') {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    `--ignore-certificate-errors-spki-list=${spki.join(',')}`,
    `--lang=${lang}`,
    '--window-size=1280,900',
  ];
}

// watchNetwork records every URL the page asks for (fragments cut, as
// they never leave the browser), websockets included, and the types of
// the GraphQL messages the page received over websockets.
export async function watchNetwork(page, net = { requests: [], wsReceived: [] }) {
  page.on('request', (r) => {
    if (!r.url().startsWith('data:')) net.requests.push(r.url().split('#')[0]);
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', (ev) => net.requests.push(ev.url));
  cdp.on('Network.webSocketFrameReceived', (ev) => {
    try {
      net.wsReceived.push(JSON.parse(ev.response.payloadData).type);
    } catch {
      net.wsReceived.push('unparsable');
    }
  });
  return net;
}

// watchErrors records the page's uncaught errors, and what the node's
// content security policy blocked, which shows only on the console.
export function watchErrors(page, errors = []) {
  page.on('pageerror', (e) => errors.push(String(e.message || e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  return errors;
}
