// memlab_check.js — reads a .heapsnapshot with memlab's heap-analysis packages (a parser and a
// dominator/retained-size computation we did not write) and prints, as one JSON object, what
// tests/e2e/export_heapsnapshot.sh compares with memanalyze --json:
//   nodes       memdump's own nodes (ids >= 101; the exporter's extra root nodes are below 100)
//   self_size   the sum of their self sizes
//   dominators  top-level objects, largest retained size first (ties: lower id), at most TOP:
//               [name, self_size, retained_size]. Top-level: not synthetic, and the dominator
//               chain, passing through synthetic nodes, reaches an extra root node other than
//               "(unreachable)" (memanalyze's definition of its "Top dominators")
//   top_level_retained  sum of the retained sizes of all top-level objects
//   groups      names of the nodes directly below "(GC roots)"
//
// usage: NODE_PATH=…/node_modules node memlab_check.js FILE [TOP]
'use strict';
const {getFullHeapFromFile} = require('@memlab/heap-analysis');

async function main() {
  const file = process.argv[2];
  const top = Number(process.argv[3] || 10);
  const heap = await getFullHeapFromFile(file);
  let nodes = 0, self = 0, sumTop = 0;
  const rows = [], groups = [];
  heap.nodes.forEach(n => {
    if (n.id < 101) {
      if (n.name === '(GC roots)') n.references.forEach(e => groups.push(e.toNode.name));
      return;
    }
    nodes++;
    self += n.self_size;
    if (n.type === 'synthetic') return;
    let d = n.dominatorNode;
    while (d && d.id >= 101 && d.type === 'synthetic') d = d.dominatorNode;
    if (!d || d.id >= 101 || d.name === '(unreachable)') return;
    rows.push([n.name, n.self_size, n.retainedSize, n.id]);
    sumTop += n.retainedSize;
  });
  rows.sort((a, b) => b[2] - a[2] || a[3] - b[3]);
  const out = {nodes, self_size: self, dominators: rows.slice(0, top).map(r => r.slice(0, 3)),
               top_level_retained: sumTop, groups};
  process.stdout.write(JSON.stringify(out) + '\n');
}
main().catch(e => { console.error('memlab_check: ' + (e && e.stack || e)); process.exit(1); });
