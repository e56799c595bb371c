// dashboard.mjs drives Debian's Chromium, headless, through a node's
// dashboard as people would: an operator opens URL/dashboard#token=…,
// sees every warehouse online, watches a sale made elsewhere arrive in
// the stock table, receives a transfer with the page's button, and opens
// a product's chart, sees units on their way back to another warehouse
// as the node counts them, a replica's lots, and a product deleted while
// the page was cut off from the node leave the table once it reconnects;
// then a viewer opens the page and must see no buttons, in Spanish, its
// browser's language. e2e/dashboard_test.go starts the nodes, makes the
// changes and checks what this prints.
//
// Output: JSON lines on stdout: {"event":"ready"} once the operator's page
// has loaded (the Go test then records the sale and cancels a transfer),
// {"event":"cut"} once the page shows the product to delete (the Go test
// then cuts the page's link to the node, deletes it and heals), and last
// {"event":"done", ...} with what the pages showed, every URL they
// requested and their uncaught errors. Failures go to stderr with exit
// code 1. Every wait has a deadline; nothing sleeps.
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, watchErrors, watchNetwork } from './chromium.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' }, // https://127.0.0.1:PORT
    operator: { type: 'string' }, // tokens
    viewer: { type: 'string' },
    warehouses: { type: 'string' }, // MAD-1,BCN-1,VLC-1: every one must show online
    sale: { type: 'string' }, // WAREHOUSE|SKU|QUANTITY: the cell to wait for after ready
    receive: { type: 'string' }, // the transfer to receive
    received: { type: 'string' }, // WAREHOUSE|SKU|QUANTITY: the cell after receiving
    pending: { type: 'string' }, // a transfer that stays in transit, for the viewer
    chart: { type: 'string' }, // SKU|QUANTITY: the product to chart and its last point
    transit: { type: 'string' }, // WAREHOUSE|SKU|UNITS: units on their way to WAREHOUSE after the Go test's cancel
    lot: { type: 'string' }, // WAREHOUSE|SKU|CODE: a lot of a replica the product panel must show
    gone: { type: 'string' }, // SKU: the product deleted while the page is cut off
    spki: { type: 'string', multiple: true, default: [] },
    screenshot: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    timeout: { type: 'string', default: '90000' }, // ms, per wait
  },
});
for (const name of ['url', 'operator', 'viewer', 'warehouses', 'sale', 'receive', 'received', 'pending', 'chart', 'transit', 'lot', 'gone',
  'screenshot']) {
  if (!opt[name]) fail(`missing --${name}`);
}
if (opt.spki.length === 0) fail('missing --spki: the node certificate key to trust');
const timeout = Number(opt.timeout);

function fail(msg) {
  process.stderr.write(`dashboard.mjs: ${msg}\n`);
  process.exit(1);
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// waitFor waits until fn(arg) is truthy in the page, saying what it
// waited for when it times out.
async function waitFor(page, what, fn, arg) {
  try {
    return await page.waitForFunction(fn, { timeout, polling: 50 }, arg);
  } catch (e) {
    throw new Error(`waiting for ${what}: ${e.message}`, { cause: e });
  }
}

// cell waits until the stock table shows quantity in the cell of
// WAREHOUSE|SKU (searching for the sku, as the rows are virtualised).
async function cell(page, spec) {
  const [wh, sku, qty] = spec.split('|');
  await page.$eval('#stock-search', (el, v) => {
    const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    set.call(el, v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, sku);
  await waitFor(page, `${wh} ${sku} showing ${qty}`, (sel) => document.querySelector(sel), `[data-cell="${wh}|${sku}"][data-quantity="${qty}"]`);
}

// search shows the rows of the table matching text.
async function search(page, text) {
  await page.$eval('#stock-search', (el, v) => {
    const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    set.call(el, v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

// open loads the dashboard with token, the browser's language set to
// lang, and waits until it has read everything once.
async function open(browser, token, net, errors, lang = 'en-US') {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  watchErrors(page, errors);
  await watchNetwork(page, net);
  await page.evaluateOnNewDocument((l) => {
    Object.defineProperty(navigator, 'language', { get: () => l });
    Object.defineProperty(navigator, 'languages', { get: () => [l] });
  }, lang);
  await page.goto(`${opt.url}/dashboard#token=${encodeURIComponent(token)}`, { waitUntil: 'load' });
  await waitFor(page, 'the first load', () => document.body.dataset.ready === 'true');
  return page;
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: opt.chromium,
    headless: true,
    args: chromiumArgs(opt.spki),
    defaultViewport: { width: 1280, height: 900 },
    protocolTimeout: timeout,
  });
  const net = { requests: [], wsReceived: [] };
  const errors = [];
  try {
    const page = await open(browser, opt.operator, net, errors);
    const tokenLeft = await page.evaluate(() => location.hash.includes('token='));
    const stored = await page.evaluate(() => sessionStorage.getItem('stockmesh.dashboard.token') !== null);
    const whs = opt.warehouses.split(',');
    await waitFor(page, `${whs} online`, (ids) => ids.every((id) => document.querySelector(`[data-warehouse="${id}"][data-online="true"]`)), whs);
    const operatorRole = await page.$eval('#me', (el) => el.dataset.role);
    emit({ event: 'ready' });

    await cell(page, opt.sale);

    const receive = `[data-transfer="${opt.receive}"] button[data-action="receive"]`;
    await waitFor(page, `the receive button of ${opt.receive}`, (sel) => document.querySelector(sel), receive);
    await page.click(receive);
    await waitFor(page, `${opt.receive} to leave the list`, (sel) => !document.querySelector(sel), `[data-transfer="${opt.receive}"]`);
    await cell(page, opt.received);
    const [transitWh, transitSKU, transitUnits] = opt.transit.split('|');
    await search(page, transitSKU);
    await waitFor(page, `${transitUnits} units of ${transitSKU} on their way to ${transitWh}`, (sel) => document.querySelector(sel),
      `[data-transit="${transitWh}|${transitSKU}"][data-units="${transitUnits}"]`);

    const [chartSKU, chartLast] = opt.chart.split('|');
    await page.evaluate((s) => { location.hash = 'product=' + encodeURIComponent(s); }, chartSKU);
    await waitFor(page, `the chart of ${chartSKU} ending at ${chartLast}`,
      (want) => { const h = document.getElementById('history'); return h && h.querySelector('canvas') && h.dataset.last === want; }, chartLast);
    const chartPoints = Number(await page.$eval('#history', (el) => el.dataset.points));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: opt.screenshot, fullPage: true });

    const [lotWh, lotSKU, lotCode] = opt.lot.split('|');
    await page.evaluate((s) => { location.hash = 'product=' + encodeURIComponent(s); }, lotSKU);
    await waitFor(page, `lot ${lotCode} of ${lotSKU} in ${lotWh}`, (sel) => document.querySelector(sel), `[data-lots="${lotWh}"] [data-lot="${lotCode}"]`);

    await search(page, opt.gone);
    await waitFor(page, `${opt.gone} in the table`, (sel) => document.querySelector(sel), `[data-sku="${opt.gone}"]`);
    emit({ event: 'cut' });
    await waitFor(page, `${opt.gone} to leave the table after a reconnection`,
      (sel) => !document.querySelector(sel) && document.querySelector('#live.live'), `[data-sku="${opt.gone}"]`);

    const viewer = await open(browser, opt.viewer, net, errors, 'es-ES');
    await waitFor(viewer, `pending transfer ${opt.pending}`, (sel) => document.querySelector(sel), `[data-transfer="${opt.pending}"]`);
    const viewerRole = await viewer.$eval('#me', (el) => el.dataset.role);
    const viewerButtons = await viewer.$$eval('[data-action]', (els) => els.length);
    const operatorButtons = await page.$$eval(`[data-transfer="${opt.pending}"] [data-action]`, (els) => els.length);
    const spanish = await viewer.evaluate(() => ({ lang: document.documentElement.lang, title: document.querySelector('h1').textContent }));
    await viewer.evaluate((s) => { location.hash = 'product=' + encodeURIComponent(s); }, opt.chart.split('|')[0]);
    await waitFor(viewer, 'the viewer\'s chart', () => document.querySelector('#history canvas'));
    spanish.lastMovementBalance = await waitFor(viewer, 'the viewer\'s movements', () => {
      const cell = document.querySelector('.product table.small tbody tr td:last-child');
      return cell ? cell.textContent : false;
    }).then((h) => h.jsonValue()).catch(async (e) => {
      throw new Error(`${e.message}; the panel holds ${await viewer.$eval('.product', (el) => el.outerHTML.slice(0, 3000)).catch(() => 'nothing')}`);
    });

    emit({ event: 'done', ...net, errors, tokenLeftInURL: tokenLeft, tokenStored: stored, operatorRole, viewerRole,
      viewerButtons, operatorButtons, chartPoints, spanish });
  } finally {
    await browser.close();
  }
}

main().catch((e) => fail(e.stack || String(e)));
