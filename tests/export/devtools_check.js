// devtools_check.js — loads a .heapsnapshot into Chromium's own DevTools heap snapshot code and
// prints the same JSON object as memlab_check.js (see there), computed from DevTools' results.
//
// Headless Chromium (Debian's /usr/bin/chromium, through playwright-core; nothing is downloaded)
// opens the DevTools front end bundled in the browser, and the page imports DevTools' heap
// snapshot worker module: HeapSnapshotLoader parses the file exactly as the Memory panel's
// "Load profile" does, and the JSHeapSnapshot it builds computes distances, dominators and
// retained sizes. Any parse or build error (or a page error) fails the check.
//
// usage: NODE_PATH=…/node_modules node devtools_check.js FILE [TOP]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {chromium} = require('playwright-core');

async function main() {
  const file = process.argv[2];
  const top = Number(process.argv[3] || 10);
  const text = fs.readFileSync(file, 'utf8');
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memdump-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const errors = [];
  try {
    const page = await ctx.newPage();
    page.on('pageerror', e => errors.push(e.message));
    await page.goto('devtools://devtools/bundled/devtools_app.html', {timeout: 30000});
    const out = await page.evaluate(async ({text, top}) => {
      const m = await import('./entrypoints/heap_snapshot_worker/heap_snapshot_worker.js');
      const loader = new m.HeapSnapshotLoader.HeapSnapshotLoader(undefined);
      loader.write(text);
      loader.close();
      const channel = new MessageChannel();     // DevTools computes part of it in a second worker
      new m.HeapSnapshot.SecondaryInitManager(channel.port2);
      const snap = await loader.buildSnapshot(channel.port1);
      const F = snap.nodeFieldCount;
      const node = ord => snap.createNode(ord * F);
      let nodes = 0, self = 0, sumTop = 0;
      const rows = [], groups = [];
      for (let ord = 0; ord < snap.nodeCount; ord++) {
        const n = node(ord);
        if (n.id() < 101) {
          if (n.name() === '(GC roots)')
            for (let it = n.edges(); it.hasNext(); it.next()) groups.push(it.item().node().name());
          continue;
        }
        nodes++;
        self += n.selfSize();
        if (n.type() === 'synthetic') continue;
        let d = node(snap.dominatorsTree[ord]);
        while (d.id() >= 101 && d.type() === 'synthetic') d = node(snap.dominatorsTree[d.ordinal()]);
        if (d.id() >= 101 || d.name() === '(unreachable)') continue;
        rows.push([n.name(), n.selfSize(), n.retainedSize(), n.id()]);
        sumTop += n.retainedSize();
      }
      rows.sort((a, b) => b[2] - a[2] || a[3] - b[3]);
      return {nodes, self_size: self, dominators: rows.slice(0, top).map(r => r.slice(0, 3)),
              top_level_retained: sumTop, groups, total_size: snap.totalSize, node_count: snap.nodeCount};
    }, {text, top});
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await ctx.close();
    fs.rmSync(userDir, {recursive: true, force: true});
  }
}
main().catch(e => { console.error('devtools_check: ' + (e && e.stack || e)); process.exit(1); });
