// playground.mjs drives Debian's Chromium, headless, through a node's
// GraphQL playground as a user would: it opens URL/#token=TOKEN, types a
// query into GraphiQL's editor, runs it and reads the result pane, then
// types and runs a subscription and waits on the page for its first event,
// and saves a screenshot. e2e/browser_test.go runs it against a node on
// 127.0.0.1 and checks what it prints.
//
// Output: JSON lines on stdout. {"event":"subscribing"} when the
// subscription has been started on the page (the Go test does not rely on
// it: it waits until the node counts the subscription open, then records a
// movement), and last {"event":"done", ...} with the parsed result panes,
// every URL the page requested and the page's uncaught errors. Failures go
// to stderr with exit code 1. Every wait has a deadline; nothing sleeps.
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, watchNetwork } from './chromium.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' }, // https://127.0.0.1:PORT
    token: { type: 'string' },
    sku: { type: 'string' },
    spki: { type: 'string', multiple: true, default: [] }, // base64 SHA-256 of trusted public keys
    screenshot: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    timeout: { type: 'string', default: '90000' }, // ms, per wait
  },
});
for (const name of ['url', 'token', 'sku', 'screenshot']) {
  if (!opt[name]) fail(`missing --${name}`);
}
if (opt.spki.length === 0) fail('missing --spki: the node certificate key to trust');
const timeout = Number(opt.timeout);

function fail(msg) {
  process.stderr.write(`playground.mjs: ${msg}\n`);
  process.exit(1);
}

// step rethrows e with what the script was doing.
function step(what, e) {
  throw new Error(`${what}: ${e.message}`, { cause: e });
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// setQuery replaces the operation editor's text by typing: select all,
// delete, insert. Inserted text is one input event, so the editor's
// bracket auto-closing does not add braces. It reads the editor back, then
// waits until GraphiQL has parsed the new text, which shows as the
// operation's name on the tab: run before that, GraphiQL routes by the
// previous text's operation type (a subscription would go out as an HTTP
// POST instead of over the websocket).
async function setQuery(page, name, text) {
  const editor = '.graphiql-query-editor .CodeMirror';
  await page.click(editor);
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.keyboard.sendCharacter(text);
  const got = await page.$eval(editor, (el) => el.CodeMirror.getValue());
  if (got !== text) throw new Error(`the editor holds ${JSON.stringify(got)} after typing ${JSON.stringify(text)}`);
  await page.waitForFunction(
    (n) => document.querySelector('.graphiql-tab-active')?.textContent.trim() === n,
    { polling: 50 },
    name,
  ).catch((e) => step(`waiting for GraphiQL to parse operation ${name}`, e));
}

// executeLabel returns the execute button's label: "Stop …" while an
// operation runs.
function executeLabel(page) {
  return page.$eval('.graphiql-execute-button', (b) => b.getAttribute('aria-label'));
}

// result waits until the result pane parses as JSON holding field under
// data; it returns the parsed pane.
async function result(page, field) {
  const handle = await page.waitForFunction(
    (f) => {
      const cm = document.querySelector('.graphiql-response .CodeMirror');
      const text = cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
      try {
        const v = JSON.parse(text);
        return v && v.data && v.data[f] ? text : false;
      } catch {
        return false;
      }
    },
    { timeout, polling: 100 },
    field,
  ).catch(async (e) => {
    const pane = await page
      .$eval('.graphiql-response .CodeMirror', (el) => el.CodeMirror.getValue())
      .catch(() => '(unreadable)');
    step(`waiting for the result pane to show ${field} (it shows ${JSON.stringify(pane)})`, e);
  });
  return JSON.parse(await handle.jsonValue());
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: opt.chromium,
    headless: true,
    args: chromiumArgs(opt.spki),
    defaultViewport: { width: 1280, height: 900 },
    protocolTimeout: timeout,
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e.message || e)));
    // What the node's content security policy blocks shows only on the console.
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
    });
    const net = await watchNetwork(page);

    await page.goto(`${opt.url}/#token=${encodeURIComponent(opt.token)}`, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    await page.waitForFunction(() => document.getElementById('token-state').textContent === 'token set');
    const tokenLeft = await page.evaluate(() => location.hash.includes('token='));
    const initialQuery = await page.$eval('.graphiql-query-editor .CodeMirror', (el) => el.CodeMirror.getValue());
    const icon = await page.$eval('link[rel="icon"]', (el) => el.href).catch(() => '');

    await setQuery(page, 'ProductStock', `query ProductStock {\n  product(sku: "${opt.sku}") {\n    sku\n    quantity\n  }\n}`);
    await page.click('.graphiql-execute-button');
    const query = await result(page, 'product');

    await setQuery(
      page,
      'LiveStock',
      `subscription LiveStock {\n  stockChanged(sku: "${opt.sku}") {\n    sku\n    quantity\n    delta\n  }\n}`,
    );
    await page.click('.graphiql-execute-button');
    emit({ event: 'subscribing' });
    const subscription = await result(page, 'stockChanged');
    const runningLabel = await executeLabel(page);

    await page.screenshot({ path: opt.screenshot });
    emit({ event: 'done', query, subscription, runningLabel, ...net, errors, tokenLeftInURL: tokenLeft, initialQuery, icon });
  } finally {
    await browser.close();
  }
}

main().catch((e) => fail(e.stack || String(e)));
