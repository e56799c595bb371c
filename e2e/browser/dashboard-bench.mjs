// dashboard-bench.mjs measures a node's dashboard in headless Chromium for
// the dashboard part of `go run ./bench`: the first load until the stock
// table holds every product (three fresh pages), scrolling the virtualised
// table from top to bottom, sales recorded by the bench arriving in the
// table, and the chart of a product with many movements.
//
// Protocol: JSON lines on stdout. For each sale it prints
// {"event":"sale","warehouse":W,"sku":S}; the bench records one unit sold
// of S on W's node and answers on stdin with the time it sent the request
// (ms since the epoch); the page's clock is the same machine's. Last,
// {"event":"done", ...} with every measure in ms. Failures go to stderr
// with exit code 1; every wait has a deadline.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, watchErrors } from './chromium.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    rows: { type: 'string' }, // how many products the table must show once loaded
    sales: { type: 'string', multiple: true, default: [] }, // WAREHOUSE|SKU|QUANTITY before the first sale
    chart: { type: 'string' }, // SKU|QUANTITY: the product to chart and its stock now
    spki: { type: 'string', multiple: true, default: [] },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    timeout: { type: 'string', default: '120000' },
  },
});
for (const name of ['url', 'token', 'rows', 'chart']) {
  if (!opt[name]) fail(`missing --${name}`);
}
const timeout = Number(opt.timeout);
const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function fail(msg) {
  process.stderr.write(`dashboard-bench.mjs: ${msg}\n`);
  process.exit(1);
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function waitFor(page, what, fn, arg) {
  try {
    const h = await page.waitForFunction(fn, { timeout, polling: 'raf' }, arg);
    return await h.jsonValue();
  } catch (e) {
    throw new Error(`waiting for ${what}: ${e.message}`, { cause: e });
  }
}

// firstLoad opens a fresh page and returns the ms from navigation start
// until the table holds every product.
async function firstLoad(browser, errors) {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  watchErrors(page, errors);
  await page.goto(`${opt.url}/dashboard#token=${encodeURIComponent(opt.token)}`, { waitUntil: 'domcontentloaded' });
  const ms = await waitFor(page, `${opt.rows} rows`, (n) => {
    const c = document.getElementById('stock-count');
    return document.body.dataset.ready === 'true' && c && c.dataset.count === n ? performance.now() : false;
  }, opt.rows);
  const marks = await page.evaluate(() => {
    const out = Object.fromEntries(
      [...performance.getEntriesByType('mark'), ...performance.getEntriesByType('resource').filter((r) => r.name.includes('/assets/'))]
        .map((m) => [m.name.replace(/^.*\/assets\//, 'asset:').replace(/\?.*$/, ''), Math.round(m.startTime + (m.duration || 0))]));
    // The GraphQL requests until the table was full: how long the node
    // and the network took (request sent to response read), summed over
    // the ten rounds of products, which run one after another.
    const loaded = performance.getEntriesByName('dashboard:loaded')[0].startTime;
    const rounds = performance.getEntriesByType('resource')
      .filter((r) => r.name.endsWith('/graphql') && r.startTime >= out['dashboard:me'] && r.responseEnd <= loaded + 1);
    out['graphql-waits-after-me'] = Math.round(rounds.reduce((a, r) => a + (r.responseEnd - r.requestStart), 0));
    return out;
  });
  return { page, ms, marks };
}

// scroll scrolls the table 100 times by step px (0: from top to bottom in
// 100 jumps), a frame each, and returns the mean and longest frame.
async function scroll(page, step) {
  return page.evaluate(async (step) => {
    const el = document.getElementById('stock-rows');
    el.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(() => r()));
    const frames = [];
    let last = performance.now();
    for (let i = 1; i <= 100; i++) {
      el.scrollTop = step ? step * i : (el.scrollHeight * i) / 100;
      await new Promise((r) => requestAnimationFrame(() => r()));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    el.scrollTop = 0;
    return { mean: frames.reduce((a, b) => a + b, 0) / frames.length, max: Math.max(...frames) };
  }, step);
}

// sale asks the bench for one sale and returns the ms until the table
// showed it.
async function sale(page, spec, k) {
  const [wh, sku, before] = spec.split('|');
  const want = String(Number(before) - k - 1);
  await page.$eval('#stock-search', (el, v) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, sku);
  const shown = waitFor(page, `${wh} ${sku} at ${want}`, (sel) => (document.querySelector(sel) ? Date.now() : false),
    `[data-cell="${wh}|${sku}"][data-quantity="${want}"]`);
  emit({ event: 'sale', warehouse: wh, sku });
  const sent = Number((await stdin.next()).value);
  return (await shown) - sent;
}

// chart opens the product's chart and returns the ms until it was drawn
// with the stock now as its last point.
async function chart(page, other) {
  const [sku, qty] = opt.chart.split('|');
  await page.evaluate((s) => { location.hash = 'product=' + encodeURIComponent(s); }, other);
  await waitFor(page, `the chart of ${other}`, () => document.querySelector('#history canvas'));
  const t0 = await page.evaluate((s) => { const t = performance.now(); location.hash = 'product=' + encodeURIComponent(s); return t; }, sku);
  const t1 = await waitFor(page, `the chart of ${sku} at ${qty}`, (want) => {
    const h = document.getElementById('history');
    return h && h.querySelector('canvas') && h.dataset.last === want ? performance.now() : false;
  }, qty);
  return t1 - t0;
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: opt.chromium,
    headless: true,
    args: chromiumArgs(opt.spki),
    defaultViewport: { width: 1280, height: 900 },
    protocolTimeout: timeout,
  });
  const errors = [];
  try {
    const loads = [];
    const marks = [];
    let page;
    for (let i = 0; i < 3; i++) {
      if (page) await page.close();
      const r = await firstLoad(browser, errors);
      page = r.page;
      loads.push(r.ms);
      marks.push(r.marks);
    }
    const scrolled = { wheel: await scroll(page, 120), jumps: await scroll(page, 0) };
    const sales = {};
    for (const spec of opt.sales) {
      const wh = spec.split('|')[0];
      sales[wh] = [];
      for (let k = 0; k < 5; k++) sales[wh].push(await sale(page, spec, k));
    }
    const charts = [];
    for (let i = 0; i < 3; i++) charts.push(await chart(page, opt.sales[0].split('|')[1]));
    emit({ event: 'done', loads, marks, scrolled, sales, charts, errors });
  } finally {
    await browser.close();
  }
}

main().catch((e) => fail(e.stack || String(e)));
