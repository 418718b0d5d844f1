// shoot.js — a screenshot of a report in a given state, for README images (tests/html/screenshots.sh).
//
// usage: NODE_PATH=…/node_modules node shoot.js REPORT.html OUT.png [--view V] [--zoom TEXT]
//          [--select TEXT] [--search TEXT] [--source N] [--width W] [--height H] [--dark]
//
//   --view V       show view V first (#V)
//   --zoom TEXT    in V's chart, zoom into the first box whose label starts with TEXT
//   --select TEXT  then select (and show the details of) the first box whose label starts with TEXT
//   --search TEXT  type TEXT into V's search box
//   --source N     click growth source N (memdiff's overview)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {chromium} = require('playwright-core');

async function main() {
  const [file, out, ...rest] = process.argv.slice(2);
  const o = {width: 1280, height: 800};
  for (let i = 0; i < rest.length; i++) {
    const k = rest[i].replace(/^--/, '');
    o[k] = k === 'dark' ? true : rest[++i];
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memdump-shoot-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: {width: +o.width, height: +o.height}, colorScheme: o.dark ? 'dark' : 'light',
  });
  try {
    const page = await ctx.newPage();
    await page.goto('file://' + path.resolve(file) + (o.view ? '#' + o.view : ''));
    await page.waitForFunction(() => window.__mdReady);
    const tree = o.view === 'flame' ? 'flameTree' : 'domTree';
    const find = async text => page.evaluate(([t, text]) => {
      const T = MD[t];
      for (let i = 0; i < T.o.n; i++) if (T.o.label(i).startsWith(text)) return i;
      return -1;
    }, [tree, text]);
    if (o.zoom) {
      const i = await find(o.zoom);
      if (i < 0) throw new Error(`no box "${o.zoom}"`);
      await page.evaluate(([t, i]) => { MD[t].zoomTo(i); }, [tree, i]);
    }
    if (o.select) {
      const i = await find(o.select);
      if (i < 0) throw new Error(`no box "${o.select}"`);
      await page.evaluate(([t, i]) => MD[t].reveal(i), [tree, i]);
    }
    if (o.search) await page.fill(`#${o.view} input[type=search]`, o.search);
    if (o.source !== undefined) await page.click(`ol.sources > li:nth-child(${+o.source + 1})`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.mouse.move(0, 0);
    await page.waitForTimeout(100);
    await page.screenshot({path: out});
  } finally {
    await ctx.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
}
main().catch(e => { console.error('shoot: ' + (e && e.stack || e)); process.exit(1); });
