// check_analyze.js — memanalyze --html in a real browser, against memanalyze --json.
//
// usage: NODE_PATH=…/node_modules node check_analyze.js REPORT.html ANALYZE.json TMPDIR SHOT.png NAME
//
// ANALYZE.json is `memanalyze --json --top 0 DUMP` of the same dump. Checks, each one "ok" line:
// the page loads with no console or page error and no request other than file:; the headline
// numbers (server-rendered) and the embedded summary equal --json's; the tables' first rows equal
// --json's; clicking a box of the dominator tree zooms into it (breadcrumbs, layout) and shows its
// why-alive path; the keyboard moves and zooms too; the flame graph's search highlights matches
// and totals them exactly (the sum of the sites whose stack has a matching frame); sorting and
// filtering work; a screenshot is written; with JavaScript off the headline numbers are there.
'use strict';
const fs = require('fs');
const {ok, eq, browser, open, ready, done} = require('./lib.js');

async function main() {
  const [file, jsonFile, tmp, shot, name] = process.argv.slice(2);
  const J = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  const sum = J.summary;
  const {ctx, net} = await browser(tmp);
  try {
    const {page, errors} = await open(ctx, file);
    await ready(page);
    const tab = async v => {
      await page.click(`#tab-${v}`);
      await page.waitForFunction(n => MD.current === n && MD.rendered[n], v);
    };
    const val = sel => page.$eval(sel, e => Number(e.dataset.bytes !== undefined ? e.dataset.bytes : e.dataset.count)).catch(() => null);

    /* headline numbers, server-rendered */
    if (sum.rss !== null) eq(`${name}: RSS headline`, await val('.stat.rss .v .b'), sum.rss);
    eq(`${name}: live heap headline`, await val('.stat.live .v .b'), sum.reachable_bytes);
    eq(`${name}: live objects headline`, await val('.stat.live .sub .c'), sum.reachable_objects);
    eq(`${name}: unreachable headline`, await val('.stat.unreach .v .b'), sum.unreachable_bytes);
    const data = await page.evaluate(() => MD.data);
    eq(`${name}: embedded summary is --json's`, data.report.summary, sum);
    eq(`${name}: suspects listed`, await page.$$eval('ol.suspects > li:not(.root)', l => l.length), J.suspects.length);
    eq(`${name}: root suspects listed`, await page.$$eval('ol.suspects > li.root', l => l.length), (J.suspect_roots || []).length);
    if (!J.suspects.length && (J.suspect_roots || []).length)
      eq(`${name}: largest root suspect headline`, await val('.stat.suspect .v .b'), J.suspect_roots[0].retained);
    if (J.suspects.length) {
      eq(`${name}: largest suspect headline`, await val('.stat.suspect .v .b'), J.suspects[0].retained);
      eq(`${name}: first suspect's path`, await page.$$eval('ol.suspects > li:first-child ol.path li', l => l.map(e => e.textContent)), J.suspects[0].path);
    }
    /* the icicle accounts for every byte: a box retains its own bytes plus its children's (folded
     * siblings included), the top box all of the heap; the flame graph's top is all bytes too */
    const bad = await page.evaluate(() => {
      const B = MD.data.dom, n = B.parent.length, sum = new Array(n).fill(0), kids = new Array(n).fill(0), out = [];
      for (let i = 1; i < n; i++) { sum[B.parent[i]] += B.ret[i]; kids[B.parent[i]]++; }
      for (let i = 0; i < n; i++) {
        const k = B.kind[i] & 7;
        if (k === 3 || (!kids[i] && (B.kind[i] & 8))) continue;
        const own = k === 1 || k === 2 ? B.self[i] : 0;
        if (own + sum[i] !== B.ret[i]) out.push([i, k, own, sum[i], B.ret[i]]);
      }
      const F = MD.data.flame, fs = new Array(F.parent.length).fill(0);
      for (let i = 1; i < F.parent.length; i++) fs[F.parent[i]] += F.bytes[i];
      for (let i = 0; i < F.parent.length; i++) if (fs[i] > F.bytes[i]) out.push(['flame', i, fs[i], F.bytes[i]]);
      return out;
    });
    eq(`${name}: every icicle box retains its bytes plus its children's`, bad.slice(0, 5), []);
    eq(`${name}: the icicle's top box is the whole heap`, data.dom.ret[0], sum.bytes);
    eq(`${name}: the flame graph's top frame is every byte`, data.flame.bytes[0], sum.bytes);
    /* the RSS bar's parts add up to what memanalyze explains */
    const parts = await page.$$eval('table.legend tbody tr:not(.total) .b', l => l.map(e => Number(e.dataset.bytes)));
    const known = ['allocator_free', 'allocator_slack', 'pymalloc_free', 'stacks', 'agent_overhead', 'rss_file']
      .reduce((s, k) => s + (sum[k] || 0), 0) + sum.bytes + Math.max(0, sum.unexplained || 0);
    eq(`${name}: RSS bar parts add up`, parts.reduce((a, b) => a + b, 0), known);

    /* tables */
    await tab('types');
    const firstRow = async sec => page.$$eval(`#${sec} table.data tbody tr:first-child td`, tds => tds.map(td => {
      const b = td.querySelector('[data-bytes]');
      return b ? Number(b.dataset.bytes) : td.textContent;
    }));
    let row = await firstRow('types');
    eq(`${name}: types table, first row`, [row[0], row[2]], [J.types[0].type, J.types[0].bytes]);
    eq(`${name}: types table, rows`, await page.$$eval('#types tbody tr', l => l.length), Math.min(J.types.length, 1000));
    await page.click('#types th[data-key="bytes"] button');
    const col = await page.$$eval('#types tbody tr td:nth-child(3) .b', l => l.map(e => Number(e.dataset.bytes)));
    ok(`${name}: types sort ascending on a second click`, col.every((v, i) => i === 0 || col[i - 1] <= v), JSON.stringify(col.slice(0, 8)));
    await page.fill('#types input[type=search]', J.types[0].type);
    const names = await page.$$eval('#types tbody tr td:first-child', l => l.map(e => e.textContent));
    ok(`${name}: types filter`, names.length >= 1 && names.every(t => t.toLowerCase().includes(J.types[0].type.toLowerCase())), JSON.stringify(names.slice(0, 5)));
    await page.click('#types tbody tr:first-child');
    const why = await page.$$eval('#details ol.path li', l => l.map(e => e.textContent));
    ok(`${name}: a type row shows a why-alive path`, why.length >= 1, 'no path in the details panel');

    const realSites = J.sites.filter(s => s.stack.length);
    if (realSites.length) {
      await tab('sites');
      row = await firstRow('sites');
      eq(`${name}: sites table, first row bytes`, row[2], J.sites[0].bytes);
    }
    if (J.leaks.length) {
      await tab('leaks');
      row = await firstRow('leaks');
      eq(`${name}: leaks table, first row bytes`, row[2], J.leaks[0].bytes);
    }

    /* the Python views, when the dump has them: in --json's order, with a path on selection */
    if (J.variables && J.variables.length) {
      await tab('variables');
      row = await firstRow('variables');
      eq(`${name}: variables table, first row`, [row[0], row[3]], [J.variables[0].name, J.variables[0].retained]);
      eq(`${name}: variables table, rows`, await page.$$eval('#variables tbody tr', l => l.length), Math.min(J.variables.length, 1000));
      await page.click('#variables tbody tr:first-child');
      const v0 = J.variables[0];
      eq(`${name}: a variable's path`, await page.$$eval('#details ol.path li', l => l.map(e => e.textContent)),
         v0.module !== null ? [`module:${v0.module}`, '__dict__', v0.name] : [v0.thread, `${v0.function} (${v0.file}:${v0.line})`, `locals:${v0.name}`]);
    }
    if (J.c_held && J.c_held.length) {
      await tab('cheld');
      row = await firstRow('cheld');
      eq(`${name}: held-from-C table, first row`, [row[0], row[2]], [J.c_held[0].type, J.c_held[0].retained]);
      await page.click('#cheld tbody tr:first-child');
      eq(`${name}: a held-from-C object's path`, await page.$$eval('#details ol.path li', l => l.map(e => e.textContent)), J.c_held[0].path);
    }

    /* dominator tree: drill-down, breadcrumbs, why-alive path */
    await tab('dominators');
    row = await firstRow('dominators');
    eq(`${name}: top dominators, first row`, row[0], J.dominators[0].retained);
    await page.click('#dominators table.data tbody tr:first-child');
    eq(`${name}: top dominator's path in the details`, await page.$$eval('#details ol.path li', l => l.map(e => e.textContent)), J.dominators[0].path);
    const first = await page.evaluate(() => MD.domTree.kids[0][0]);
    const label = await page.evaluate(i => MD.domTree.o.label(i), first);
    await page.click(`#dominators .chart .n[data-i="${first}"]`);
    const crumbs = await page.$$eval('#dominators .crumbs a, #dominators .crumbs [aria-current]', l => l.map(e => e.textContent));
    eq(`${name}: drill-down breadcrumbs`, crumbs, ['all memory', label]);
    /* (one evaluate: the chart may redraw between two protocol calls when the layout settles) */
    const top = await page.evaluate(i => {
      const e = document.querySelector(`#dominators .chart .n[data-i="${i}"]`);
      return e ? [e.style.top, parseFloat(e.style.width) / e.parentElement.clientWidth] : null;
    }, first);
    ok(`${name}: the zoomed box spans the chart`, top[0] === '0px' && top[1] > 0.98, JSON.stringify(top));
    ok(`${name}: the zoomed box shows its path`, (await page.$$eval('#details ol.path li', l => l.length)) >= 1, 'no path');
    await page.click('#dominators .crumbs a[data-i="0"]');
    eq(`${name}: breadcrumb back to the top`, await page.$$eval('#dominators .crumbs a', l => l.length), 0);
    /* keyboard: down selects the largest child, Enter zooms, Escape zooms out */
    await page.focus('#dominators .chart');
    await page.keyboard.press('ArrowDown');
    const sel = await page.evaluate(() => MD.domTree.sel);
    eq(`${name}: keyboard selects the largest child`, sel, first);
    await page.keyboard.press('Enter');
    eq(`${name}: keyboard zooms in`, await page.evaluate(() => MD.domTree.zoom), first);
    await page.keyboard.press('Escape');
    eq(`${name}: keyboard zooms out`, await page.evaluate(() => MD.domTree.zoom), 0);

    /* search: the flame graph when the dump has stacks, else the dominator tree */
    if (realSites.length) {
      await tab('flame');
      const fn = J.sites[0].function;
      const q = fn + ' (';
      const text = l => (l.file && l.line ? `${l.function} (${l.file}:${l.line})` : l.file ? `${l.function} (${l.file})` : l.function);
      const want = J.sites.filter(s => s.stack.some(l => text(l).toLowerCase().includes(q.toLowerCase()))).reduce((a, s) => a + s.bytes, 0);
      await page.fill('#flame input[type=search]', q);
      const got = await page.$eval('#flame .hit-total', e => Number(e.dataset.value)).catch(() => null);
      eq(`${name}: flame search totals the matching stacks ("${q}")`, got, want);
      ok(`${name}: flame search highlights`, (await page.evaluate(() => document.querySelectorAll('#flame .chart .n.hit').length)) > 0, 'no highlighted frame');
      const inner = await page.evaluate(() => MD.flameTree.kids[0][0]);
      await page.click(`#flame .chart .n[data-i="${inner}"]`);
      eq(`${name}: flame drill-down`, await page.evaluate(() => MD.flameTree.zoom), inner);
    } else {
      await page.fill('#dominators input[type=search]', J.types[0].type);
      ok(`${name}: tree search highlights`, (await page.evaluate(() => document.querySelectorAll('#dominators .chart .n.hit').length)) > 0, 'no highlighted box');
    }

    await tab('overview');
    await page.screenshot({path: shot});
    ok(`${name}: screenshot written`, fs.statSync(shot).size > 1000, 'empty screenshot');
    eq(`${name}: no console or page errors`, errors, []);
    eq(`${name}: no request other than file:`, net, []);
  } finally {
    await ctx.close();
  }

  /* without JavaScript: the overview alone, with the same numbers */
  const nojs = await browser(tmp, {js: false});
  try {
    const {page} = await open(nojs.ctx, file);
    eq(`${name}: no-JS live heap`, await page.$eval('.stat.live .v .b', e => Number(e.dataset.bytes)).catch(() => null), sum.reachable_bytes);
    if (sum.rss !== null) eq(`${name}: no-JS RSS`, await page.$eval('#rss .b', e => Number(e.dataset.bytes)).catch(() => null), sum.rss);
    eq(`${name}: no-JS hides the interactive parts`, await page.$eval('.tabs', e => getComputedStyle(e).display), 'none');
    eq(`${name}: no-JS no request other than file:`, nojs.net, []);
  } finally {
    await nojs.ctx.close();
  }
  done();
}
main().catch(e => { console.log(`not ok check_analyze: ${e && e.stack || e}`.replace(/\n/g, ' ')); process.exit(1); });
