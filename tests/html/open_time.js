// open_time.js — how long a report takes to open in headless Chromium (for tests/bench/html_bench.sh;
// timings never go in tests).
//
// usage: NODE_PATH=…/node_modules node open_time.js REPORT.html [VIEW...]
//
// Loads the report three times in one browser (fresh page each time) and prints the medians as
// key=value: open_ms, from navigation start to the moment the page's scripts are done (the JSON
// parsed, tabs ready: window.__mdReady, a performance.now() value) and load_ms, to the load event;
// then, for each VIEW (e.g. dominators, flame), view_VIEW_ms: the time to draw that view the first
// time after clicking its tab.
'use strict';
const os = require('os');
const fs = require('fs');
const path = require('path');
const {chromium} = require('playwright-core');

async function main() {
  const [file, ...views] = process.argv.slice(2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memdump-bench-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: {width: 1400, height: 900},
  });
  const runs = {open_ms: [], load_ms: []};
  for (const v of views) runs[`view_${v}_ms`] = [];
  try {
    for (let k = 0; k < 3; k++) {
      const page = await ctx.newPage();
      await page.goto('file://' + path.resolve(file), {waitUntil: 'load', timeout: 120000});
      await page.waitForFunction(() => window.__mdReady, null, {timeout: 120000});
      const t = await page.evaluate(() => [window.__mdReady, performance.getEntriesByType('navigation')[0].loadEventEnd]);
      runs.open_ms.push(t[0]);
      runs.load_ms.push(t[1]);
      for (const v of views) {
        const ms = await page.evaluate(v => new Promise(res => {
          const t0 = performance.now();
          location.hash = '#' + v;
          const poll = () => (MD.rendered[v] ? requestAnimationFrame(() => res(performance.now() - t0)) : setTimeout(poll, 1));
          poll();
        }), v);
        runs[`view_${v}_ms`].push(ms);
      }
      await page.close();
    }
  } finally {
    await ctx.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
  const med = a => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(Object.entries(runs).map(([k, a]) => `${k}=${Math.round(med(a))}`).join(' '));
}
main().catch(e => { console.error('open_time: ' + (e && e.stack || e)); process.exit(1); });
