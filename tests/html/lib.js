// lib.js — what the HTML report checks share: Debian's Chromium driven through playwright-core
// (nothing is downloaded), a guard that fails on any request that is not file:, console and page
// error capture, and "ok NAME" / "not ok NAME: why" lines for tests/run.sh.
'use strict';
const fs = require('fs');
const path = require('path');
const {chromium} = require('playwright-core');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync'];

let failures = 0;
function ok(name, cond, why) {
  if (cond) console.log(`ok ${name}`);
  else { failures++; console.log(`not ok ${name}: ${why === undefined ? 'check failed' : why}`); }
  return !!cond;
}
function eq(name, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  return ok(name, g === w, `got ${g && g.slice(0, 400)}, want ${w && w.slice(0, 400)}`);
}

// Opens a persistent context in a fresh user-data dir under tmp. Every request is routed:
// file: URLs go through, anything else is aborted and recorded as a failure.
async function browser(tmp, opts = {}) {
  const dir = fs.mkdtempSync(path.join(tmp, 'chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: opts.viewport || {width: 1400, height: 900},
    javaScriptEnabled: opts.js !== false,
    colorScheme: opts.colorScheme || 'light',
  });
  const net = [];
  await ctx.route('**/*', route => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    net.push(url);
    return route.abort();
  });
  ctx.on('request', r => { if (!r.url().startsWith('file:') && !net.includes(r.url())) net.push(r.url()); });
  return {ctx, net};
}

// A page with console errors and page errors collected.
async function open(ctx, file, hash) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e && e.message || e)));
  const t0 = Date.now();
  await page.goto('file://' + path.resolve(file) + (hash ? '#' + hash : ''), {waitUntil: 'load', timeout: 60000});
  return {page, errors, t0};
}

async function ready(page) {
  await page.waitForFunction(() => window.__mdReady, null, {timeout: 30000});
}

function done() {
  process.exit(0);     // failures are reported as "not ok" lines; the exit status is for crashes
}

module.exports = {ok, eq, browser, open, ready, done, failures: () => failures};
