// check_diff.js — memdiff --html in a real browser, against memdiff --json.
//
// usage: NODE_PATH=…/node_modules node check_diff.js REPORT.html DIFF.json TMPDIR SHOT.png NAME NDUMPS
//
// DIFF.json is `memdiff --json --top 0 --by type,site,root` of the same dumps. Checks: no console
// or page error, no request other than file:; the headline changes (server-rendered) equal
// --json's; the growth sources come first, in --json's order, with their growth, retained size in
// every dump, path, and a sparkline exactly when there are three or more dumps; selecting a source
// shows its path; the growth flame graph accounts for every byte of the net change, drills down,
// and its search totals the growth of the matching stacks; the tables list --json's rows in its
// order; a screenshot is written; without JavaScript the headline numbers are there.
'use strict';
const fs = require('fs');
const {ok, eq, browser, open, ready, done} = require('./lib.js');

async function main() {
  const [file, jsonFile, tmp, shot, name, ndumps] = process.argv.slice(2);
  const J = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  const sum = J.summary, nd = Number(ndumps);
  const {ctx, net} = await browser(tmp);
  try {
    const {page, errors} = await open(ctx, file);
    await ready(page);
    const tab = async v => {
      await page.click(`#tab-${v}`);
      await page.waitForFunction(n => MD.current === n && MD.rendered[n], v);
    };
    const num = sel => page.$eval(sel, e => Number(e.dataset.bytes !== undefined ? e.dataset.bytes : e.dataset.count)).catch(() => null);

    eq(`${name}: live heap change headline`, await num('#d-bytes .v [data-bytes]'), sum.bytes_delta);
    eq(`${name}: objects change headline`, await num('#d-objects .v [data-count]'), sum.objects_delta);
    if (sum.rss_delta !== null) eq(`${name}: RSS change headline`, await num('#d-rss .v [data-bytes]'), sum.rss_delta);
    eq(`${name}: new bytes headline`, await num('#d-turnover .v [data-bytes]'), sum.new_bytes);

    /* growth sources, first and in order */
    const first = await page.$eval('main section.view:not([hidden]) h2', e => e.textContent);
    ok(`${name}: growth sources come first`, /^Growth sources/.test(first), first);
    eq(`${name}: sources listed`, await page.$$eval('ol.sources > li', l => l.length), J.sources.length);
    if (J.sources.length) {
      const s0 = J.sources[0];
      const headline = nd >= 3 ? s0.retained[nd - 1] - s0.retained[0] : s0.growth;
      eq(`${name}: first source's headline growth`, await num('ol.sources > li:first-child .growth [data-bytes]'), headline);
      eq(`${name}: first source's retained sizes`, await page.$$eval('ol.sources > li:first-child .ret .b', l => l.map(e => Number(e.dataset.bytes))), s0.retained);
      eq(`${name}: first source's path`, await page.$$eval('ol.sources > li:first-child ol.path li', l => l.map(e => e.textContent)), s0.path);
      eq(`${name}: sparklines ${nd >= 3 ? 'with' : 'without'} three dumps`, await page.$$eval('ol.sources svg.spark', l => l.length), nd >= 3 ? J.sources.length : 0);
      await page.click('ol.sources > li:first-child');
      eq(`${name}: a selected source shows its path`, await page.$$eval('#details ol.path li', l => l.map(e => e.textContent)), s0.path);
    }

    /* growth flame graph */
    await tab('flame');
    const F = await page.evaluate(() => MD.data.flame);
    if (F.parent.length > 1) {
      eq(`${name}: growth flame accounts for the net change`, F.added[0] - F.freed[0], sum.bytes_delta);
      const sites = J.growth.filter(g => g.kind === 'site');
      const fn = sites[0].key.split(' (')[0];
      const q = fn + ' (';
      const want = sites.filter(g => g.key.startsWith(q)).reduce((a, g) => a + g.bytes_delta, 0);
      await page.fill('#flame input[type=search]', q);
      eq(`${name}: growth search totals the matching stacks ("${q}")`, await page.$eval('#flame .hit-total', e => Number(e.dataset.value)).catch(() => null), want);
      ok(`${name}: growth search highlights`, (await page.evaluate(() => document.querySelectorAll('#flame .chart .n.hit').length)) > 0, 'nothing highlighted');
      const kid = await page.evaluate(() => MD.rendered.flame && MD.data.flame.parent.indexOf(0, 1));
      await page.click(`#flame .chart .n[data-i="${kid}"]`);
      eq(`${name}: growth flame drill-down breadcrumbs`, await page.$$eval('#flame .crumbs a, #flame .crumbs [aria-current]', l => l.length), 2);
    }

    /* tables, in --json's order */
    for (const [view, kind] of [['types', 'type'], ['sites', 'site'], ['roots', 'root']]) {
      const rows = J.growth.filter(g => g.kind === kind);
      await tab(view);
      eq(`${name}: ${view} table rows`, await page.$$eval(`#${view} tbody tr`, l => l.length), Math.min(rows.length, 1000));
      if (rows.length) {
        const r = await page.$$eval(`#${view} tbody tr:first-child td`, tds => [tds[1].textContent, Number(tds[2].querySelector('[data-bytes]').dataset.bytes)]);
        eq(`${name}: ${view} table, first row`, r, [rows[0].key, rows[0].bytes_delta]);
        eq(`${name}: ${view} trend sparklines`, await page.$$eval(`#${view} tbody svg.spark`, l => l.length), nd >= 3 ? Math.min(rows.length, 1000) : 0);
      }
    }
    await tab('churn');
    if (J.churn.length) eq(`${name}: churn rows`, await page.$$eval('#churn tbody tr', l => l.length), Math.min(J.churn.length, 1000));

    await tab('overview');
    await page.screenshot({path: shot});
    ok(`${name}: screenshot written`, fs.statSync(shot).size > 1000, 'empty screenshot');
    eq(`${name}: no console or page errors`, errors, []);
    eq(`${name}: no request other than file:`, net, []);
  } finally {
    await ctx.close();
  }

  const nojs = await browser(tmp, {js: false});
  try {
    const {page} = await open(nojs.ctx, file);
    eq(`${name}: no-JS live heap change`, await page.$eval('#d-bytes .v [data-bytes]', e => Number(e.dataset.bytes)).catch(() => null), sum.bytes_delta);
    eq(`${name}: no-JS growth sources`, await page.$$eval('ol.sources > li', l => l.length), J.sources.length);
    eq(`${name}: no-JS hides the interactive parts`, await page.$eval('.tabs', e => getComputedStyle(e).display), 'none');
  } finally {
    await nojs.ctx.close();
  }
  done();
}
main().catch(e => { console.log(`not ok check_diff: ${e && e.stack || e}`.replace(/\n/g, ' ')); process.exit(1); });
