/* analyze.js — the interactive views of memanalyze's report (analyze/html/html_analyze.c writes
 * the data): the dominator tree as an icicle with the top-dominators table, the allocation flame
 * graph, the tables of types, sites, leaks, asyncio tasks, and — from the Python views when the
 * build has them — variables and objects held from C. Selecting anything — a box, a
 * frame, a row — fills the details panel with its numbers and the path that keeps it alive.
 */
'use strict';

(() => {
  const D = MD.data, S = MD.str;
  const summary = (D.report && D.report.summary) || {};
  const heap = summary.bytes || 0;

  const pathSection = (step, title) => [title || 'Why it is alive', MD.pathHTML(step)];
  const addrHTML = a => (a ? `<span class="mono">${MD.hex(a)}</span>` : '—');
  const treeLink = a => (a ? ` <a href="#dominators@${a}" class="show">show in tree</a>` : '');

  /* ---- dominator tree ------------------------------------------------------------------------ */

  const B = D.dom;
  const KIND = i => B.kind[i] & 7;
  /* Top-level objects are named by their path ("module:os → __dict__"): their edge label alone
   * ("__dict__") says little; deeper ones by their type and the field that holds them. */
  const topLevel = i => i > 0 && (B.parent[i] === 0 || (B.kind[B.parent[i]] & 7) === 4 || (B.kind[B.parent[i]] & 16));
  const via = i => {
    if (topLevel(i) && B.path[i] >= 0) {
      const p = MD.pathSteps(B.path[i]);
      return p.slice(-3).join(' \u2192 ');
    }
    return S(B.label[i]);
  };
  const boxLabel = i => {
    switch (KIND(i)) {
    case 0: return 'all memory';
    case 3: return `${MD.count(B.count[i])} more`;
    case 4: return 'unreachable';
    default: {
      const w = S(B.what[i]), l = via(i);
      return l && l !== w ? `${w} \u00b7 ${l}` : w;
    }
    }
  };
  const boxHue = i => {
    const k = KIND(i), f = B.kind[i];
    if (k === 0) return [220, 10, 4];
    if (k === 3) return null;
    if (k === 4 || (f & 32)) return [2, 62, 2];
    if (f & 16) return [215, 16];
    return MD.palette(S(B.what[i]).replace(/ \u00d7 .*$/, ''));
  };

  const showBox = i => {
    const k = KIND(i);
    const rows = [
      ['retained', `${MD.bytesHTML(B.ret[i])} <span class="dim">${MD.pct(B.ret[i], heap)} of the heap</span>`],
      k === 1 || k === 2 ? ['self', MD.bytesHTML(B.self[i]) + (k === 2 ? ` <span class="dim">in ${MD.count(B.count[i])} links</span>` : '')] : null,
      ['objects kept', MD.count(B.objs[i])],
      B.addr[i] ? ['address', addrHTML(B.addr[i])] : null,
      i ? ['held by', MD.esc(boxLabel(B.parent[i]))] : null,
    ];
    const sub = k === 1 || k === 2 ? via(i) : '';
    const title = k === 1 || k === 2 ? S(B.what[i]) : boxLabel(i);
    let note = '';
    if (k === 3) note = `<p class="dim">${MD.count(B.count[i])} smaller objects held by the same parent, folded to keep the report small (budget: ${MD.count(D.dom.budget)} boxes, ${D.dom.fan} children per box).</p>`;
    if (k === 4) note = '<p class="dim">Objects no root reaches: leaked native blocks and Python garbage the collector has not freed yet.</p>';
    if (B.kind[i] & 8) note += '<p class="dim">Its children are not in the report (budget); `memanalyze --paths` or `--suspects` can look further.</p>';
    MD.details(title, sub, rows, [[ '', note ], B.path[i] >= 0 ? pathSection(B.path[i]) : null].filter(x => x && x[1]));
  };

  MD.views.dominators = sec => {
    const n = B.parent.length;
    sec.insertAdjacentHTML('beforeend',
      '<div class="vhead"><h2>Dominator tree</h2><p class="note">Each box is an object, as wide as the memory it keeps ' +
      'alive (its retained size); under it, what it keeps alive. Click a box to zoom in, the top box to zoom out. Runs of ' +
      'alike objects (linked lists) are one box. ' +
      `${MD.count(n)} boxes: the largest subtrees are opened first and small siblings are folded into \u201cmore\u201d.</p></div>`);
    const tree = new MD.Tree(sec, {
      n, parent: B.parent, value: i => B.ret[i], label: boxLabel, hue: boxHue, title: 'Dominator tree',
      isMore: i => KIND(i) === 3,
      cls: i => (KIND(i) === 3 ? 'more' : (B.kind[i] & 8) ? 'cut' : ''),
      searchHint: 'Search types, fields, roots\u2026',
      searchText: i => S(B.what[i]) + '\u0000' + S(B.label[i]),
      tip: i => `<b>${MD.esc(boxLabel(i))}</b><br>${MD.bytes(B.ret[i])} retained \u00b7 ${MD.pct(B.ret[i], heap)}` +
                (KIND(i) === 1 || KIND(i) === 2 ? `<br>self ${MD.bytes(B.self[i])}` : '') + `<br>${MD.count(B.objs[i])} objects`,
      say: i => `${MD.bytes(B.ret[i])} retained, ${MD.pct(B.ret[i], heap)}`,
      onSelect: showBox,
    });
    MD.domTree = tree;
    /* the top-dominators table */
    const T = D.dominators;
    MD.table(sec, {
      title: 'Top dominators', what: 'objects', n: T.name.length, total: T.total, sort: 'retained',
      note: 'Objects kept alive directly from a root, by retained size: together they hold all reachable memory.',
      columns: [
        {key: 'retained', label: 'Retained', type: 'bytes', value: i => T.retained[i], bar: heap},
        {key: 'pct', label: '%', type: 'pct', value: i => T.retained[i], html: i => MD.pct(T.retained[i], heap)},
        {key: 'self', label: 'Self', type: 'bytes', value: i => T.bytes[i]},
        {key: 'name', label: 'Object', type: 'text', value: i => S(T.name[i])},
        {key: 'label', label: 'Path from a root', type: 'text', value: i => MD.pathSteps(T.path[i]).join(' \u2192 ')},
      ],
      onSelect: i => MD.details(S(T.name[i]), S(T.label[i]), [
        ['retained', `${MD.bytesHTML(T.retained[i])} <span class="dim">${MD.pct(T.retained[i], heap)}</span>`],
        ['self', MD.bytesHTML(T.bytes[i])], ['address', addrHTML(T.addr[i]) + treeLink(T.addr[i])]],
        [pathSection(T.path[i])]),
    });
    const focus = arg => {
      const a = +arg;
      for (let i = 0; i < n; i++) if (B.addr[i] === a) { tree.reveal(i); return; }
    };
    return {shown: () => tree.render(), focus};
  };

  /* ---- allocation flame graph ----------------------------------------------------------------- */

  const F = D.flame, ST = D.sites;
  const frameLabel = i => (i === 0 ? 'all allocations' : S(F.name[i]));

  const showFrame = i => {
    const stack = [];
    for (let a = i; a !== 0; a = F.parent[a]) stack.push(F.name[a]);
    let childBytes = 0;
    for (let k = 1; k < F.parent.length; k++) if (F.parent[k] === i && k !== i) childBytes += F.bytes[k];
    const rows = [
      ['bytes', `${MD.bytesHTML(F.bytes[i])} <span class="dim">${MD.pct(F.bytes[i], F.bytes[0])} of all</span>`],
      ['objects', MD.count(F.count[i])],
      F.site[i] !== -2 ? ['allocated here', MD.bytesHTML(Math.max(0, F.bytes[i] - childBytes))] : null,
    ];
    const sections = [];
    /* the site row of this frame, or the heaviest site below it */
    let row = F.site[i], via = i;
    if (row < 0 && F.site[i] !== -2) {
      for (let a = i, guard = 0; row < 0 && guard < 200; guard++) {
        let best = -1;
        for (let k = a + 1; k < F.parent.length; k++) if (F.parent[k] === a && F.site[k] !== -2 && (best < 0 || F.bytes[k] > F.bytes[best])) best = k;
        if (best < 0) break;
        a = best;
        row = F.site[a];
        via = a;
      }
    }
    if (row >= 0) {
      rows.push(['largest object', `${MD.bytesHTML(ST.retained[row] ? ST.retained[row] : 0)} retained by the site's objects` + treeLink(ST.addr[row])]);
      sections.push(pathSection(ST.path[row], via === i ? 'Why its largest object is alive' : `Why the largest object allocated below (${S(F.name[via])}) is alive`));
    }
    sections.push(['Stack (innermost first)', MD.stackHTML(stack)]);
    MD.details(frameLabel(i), MD.pyFrame(frameLabel(i)) ? 'Python frame' : i ? 'native frame' : '', rows, sections);
  };

  MD.views.flame = sec => {
    if (!F || !F.parent.length || ST.none) {
      sec.innerHTML = '<div class="vhead"><h2>Allocations</h2><p class="empty">This dump has no allocation stacks (native ' +
        'tracking or <code>memdump run --python-sites</code> was off).</p></div>';
      return {};
    }
    sec.insertAdjacentHTML('beforeend',
      '<div class="vhead"><h2>Allocations by stack</h2><p class="note">Live memory by the stack that allocated it, ' +
      'outermost call at the top. <span class="key k-py">Python frames</span> <span class="key k-native">native frames</span> ' +
      '<span class="key k-more">folded</span>. Search highlights matching frames and adds up their bytes.</p></div>');
    const tree = new MD.Tree(sec, {
      n: F.parent.length, parent: F.parent, value: i => F.bytes[i], label: i => MD.shortLoc(frameLabel(i)),
      searchText: frameLabel, title: 'Allocation flame graph',
      isMore: i => F.site[i] === -2,
      cls: i => (F.site[i] === -2 ? 'more' : ''),
      hue: i => {
        if (i === 0) return [220, 12, 6];
        const t = S(F.name[i]);
        if (F.site[i] === -2 || t.startsWith('(')) return null;
        const h = MD.hash(t.replace(/ \(.*$/, ''));
        return MD.pyFrame(t) ? [150 + h % 110, 38 + h % 20, h % 10] : [8 + h % 42, 70 + h % 15, h % 10];
      },
      searchHint: 'Search functions, files\u2026',
      tip: i => `<b>${MD.esc(frameLabel(i))}</b><br>${MD.bytes(F.bytes[i])} \u00b7 ${MD.pct(F.bytes[i], F.bytes[0])}<br>${MD.count(F.count[i])} objects`,
      say: i => `${MD.bytes(F.bytes[i])}, ${MD.pct(F.bytes[i], F.bytes[0])}`,
      onSelect: showFrame,
    });
    MD.flameTree = tree;
    return {shown: () => tree.render()};
  };

  /* ---- tables ------------------------------------------------------------------------------------ */

  const share = (T, i) => MD.pct(T.bytes[i], heap);

  MD.views.types = sec => {
    const T = D.types;
    MD.table(sec, {
      title: 'Types', what: 'types', n: T.name.length, total: T.total, sort: 'bytes',
      note: 'Live and unreachable objects by type. Retained: memory freed if every object of the type went away.',
      columns: [
        {key: 'name', label: 'Type', type: 'text', value: i => S(T.name[i])},
        {key: 'count', label: 'Objects', type: 'count', value: i => T.count[i]},
        {key: 'bytes', label: 'Bytes', type: 'bytes', value: i => T.bytes[i], bar: heap},
        {key: 'pct', label: '%', type: 'pct', value: i => T.bytes[i], html: i => share(T, i)},
        {key: 'retained', label: 'Retained', type: 'bytes', value: i => T.retained[i]},
      ],
      onSelect: i => MD.details(S(T.name[i]), 'type', [
        ['objects', MD.count(T.count[i])], ['bytes', `${MD.bytesHTML(T.bytes[i])} <span class="dim">${share(T, i)}</span>`],
        ['retained', MD.bytesHTML(T.retained[i])], ['largest', addrHTML(T.addr[i]) + treeLink(T.addr[i])]],
        [pathSection(T.path[i], 'Why its largest object is alive')]),
    });
  };

  const siteColumns = (T, extra) => [
    {key: 'name', label: 'Site \u2190 callers', type: 'text', value: i => S(T.name[i])},
    {key: 'count', label: extra ? 'Blocks' : 'Objects', type: 'count', value: i => T.count[i]},
    {key: 'bytes', label: 'Bytes', type: 'bytes', value: i => T.bytes[i], bar: extra ? T.total_bytes : heap},
    ...(extra || [{key: 'pct', label: '%', type: 'pct', value: i => T.bytes[i], html: i => share(T, i)}]),
    {key: 'retained', label: 'Retained', type: 'bytes', value: i => T.retained[i]},
  ];

  const siteDetails = (T, i, leak) => MD.details(S(T.name[i]).split(' \u2190 ')[0], leak ? 'leaked allocation site' : 'allocation site', [
    [leak ? 'blocks' : 'objects', MD.count(T.count[i])], ['bytes', MD.bytesHTML(T.bytes[i])],
    leak ? ['unreferenced', `${MD.count(T.unref[i])} blocks, ${MD.bytesHTML(T.unref_bytes[i])}`] : null,
    ['retained', MD.bytesHTML(T.retained[i])],
    T.file[i] >= 0 ? ['source', `<span class="mono">${MD.esc(S(T.file[i]))}:${T.line[i]}</span>`] : null,
    ['largest', addrHTML(T.addr[i]) + (leak ? '' : treeLink(T.addr[i]))]],
    [pathSection(T.path[i], leak ? 'What holds its largest block' : 'Why its largest object is alive'), ['Stack (innermost first)', MD.stackHTML(T.stack[i])]]);

  MD.views.sites = sec => {
    const T = D.sites;
    if (T.none) {
      sec.innerHTML = '<div class="vhead"><h2>Allocation sites</h2><p class="empty">No allocation stacks in this dump ' +
        '(native tracking or <code>--python-sites</code> was off).</p></div>';
      return;
    }
    MD.table(sec, {
      title: 'Allocation sites', what: 'sites', n: T.name.length, total: T.total, sort: 'bytes',
      note: 'Live memory by the line that allocated it (allocator frames skipped; identical stacks merged).',
      columns: siteColumns(T), onSelect: i => siteDetails(T, i, false),
    });
  };

  MD.views.leaks = sec => {
    const T = D.leaks, G = D.garbage;
    if (T.native) {
      MD.table(sec, {
        title: 'Leaks', what: 'sites', n: T.name.length, total: T.total, sort: 'bytes',
        note: T.total
          ? `${MD.count(T.objects)} native blocks (${MD.bytes(T.total_bytes)}) no root reaches, by allocation site; ` +
            `${MD.count(T.unreferenced)} are unreferenced \u2014 nothing points to them: the likely origins.`
          : 'None: every native block is reachable from a root.',
        columns: siteColumns(T, [
          {key: 'unref', label: 'Unreferenced', type: 'count', value: i => T.unref[i], title: 'Blocks nothing points to: where the leak starts'}]),
        onSelect: i => siteDetails(T, i, true),
      });
    }
    if (G.total || !T.native) {
      MD.table(sec, {
        title: 'Unreachable Python objects', what: 'types', n: G.name.length, total: G.total, sort: 'bytes',
        note: G.total ? 'Cyclic garbage the collector has not freed yet, by type.' : 'None.',
        columns: [
          {key: 'name', label: 'Type', type: 'text', value: i => S(G.name[i])},
          {key: 'count', label: 'Objects', type: 'count', value: i => G.count[i]},
          {key: 'bytes', label: 'Bytes', type: 'bytes', value: i => G.bytes[i]},
        ],
        onSelect: i => MD.details(S(G.name[i]), 'unreachable Python objects', [
          ['objects', MD.count(G.count[i])], ['bytes', MD.bytesHTML(G.bytes[i])], ['largest', addrHTML(G.addr[i])]],
          [pathSection(G.path[i], 'What holds its largest object')]),
      });
    }
  };

  MD.views.tasks = sec => {
    const T = D.tasks;
    MD.table(sec, {
      title: 'asyncio tasks', what: 'tasks', n: T.name.length, total: T.total,
      note: 'Tasks alive in the event loop, with the memory each keeps alive and where it is suspended.',
      columns: [
        {key: 'name', label: 'Task', type: 'text', value: i => S(T.name[i])},
        {key: 'retained', label: 'Retained', type: 'bytes', value: i => T.retained[i], bar: heap},
        {key: 'coro', label: 'Coroutine retains', type: 'bytes', value: i => T.coro_retained[i]},
        {key: 'where', label: 'Suspended at', type: 'text', value: i => S(T.where[i])},
      ],
      onSelect: i => MD.details(`task '${S(T.name[i])}'`, 'asyncio task', [
        ['retained', MD.bytesHTML(T.retained[i])], ['coroutine retains', MD.bytesHTML(T.coro_retained[i])],
        ['address', addrHTML(T.addr[i]) + treeLink(T.addr[i])], ['suspended at', MD.esc(S(T.where[i]))]],
        [pathSection(T.path[i])]),
    });
  };

  /* A view added to memanalyze later, embedded as its --json list: a generic table. */
  const genericTable = (sec, title, list) => {
    const keys = Object.keys(list[0] || {}).filter(k => list.some(r => r[k] !== null && typeof r[k] !== 'object'));
    const isBytes = k => /bytes|retained|size|rss/.test(k);
    MD.table(sec, {
      title, n: list.length, total: list.length,
      columns: keys.map(k => ({
        key: k, label: k.replace(/_/g, ' '),
        type: list.every(r => typeof r[k] === 'number' || r[k] === null) ? (isBytes(k) ? 'bytes' : 'count') : 'text',
        value: i => (list[i][k] === null ? '' : list[i][k]),
      })),
      onSelect: i => {
        const r = list[i];
        const rows = keys.map(k => [k.replace(/_/g, ' '), typeof r[k] === 'number' && isBytes(k) ? MD.bytesHTML(r[k]) : MD.esc(r[k] === null ? '—' : r[k])]);
        const secs = [];
        if (Array.isArray(r.path)) secs.push(['Why it is alive', '<ol class="path">' + r.path.map((t, k) => `<li${k ? '' : ' class="root"'}>${MD.esc(t)}</li>`).join('') + '</ol>']);
        MD.details(String(r[keys[0]]), title, rows, secs);
      },
    });
  };

  const listOf = k => (D.views && Array.isArray(D.views[k]) ? D.views[k] : []);
  const base = f => (f ? String(f).replace(/^.*\//, '') : '');

  /* memanalyze's "variables" view: locals of live frames and module globals, by retained size.
   * Its rows carry no path, but a variable is one step from its root: the module's __dict__ or
   * the frame's locals, which is the path memanalyze prints for what the variable holds. */
  MD.views.variables = sec => {
    const V = listOf('variables');
    const scope = r => (r.module !== null && r.module !== undefined ? `module ${r.module}` :
      `${r.function} (${base(r.file)}:${r.line})`);
    const path = r => (r.module !== null && r.module !== undefined ? [`module:${r.module}`, '__dict__', r.name] :
      [r.thread || 'thread', `${r.function} (${r.file}:${r.line})`, `locals:${r.name}`]);
    MD.table(sec, {
      title: 'Variables', what: 'variables', n: V.length, total: V.length, sort: 'retained',
      note: 'Locals of every live frame and the globals of every module, with the memory each one keeps alive.',
      columns: [
        {key: 'name', label: 'Variable', type: 'text', value: i => V[i].name},
        {key: 'scope', label: 'Scope', type: 'text', value: i => scope(V[i])},
        {key: 'type', label: 'Type', type: 'text', value: i => V[i].type},
        {key: 'retained', label: 'Retained', type: 'bytes', value: i => V[i].retained, bar: heap},
        {key: 'bytes', label: 'Self', type: 'bytes', value: i => V[i].bytes},
      ],
      onSelect: i => {
        const r = V[i];
        MD.details(r.name, r.module !== null && r.module !== undefined ? `global of module ${r.module}` : `local of ${r.function}`, [
          ['retained', `${MD.bytesHTML(r.retained)} <span class="dim">${MD.pct(r.retained, heap)} of the heap</span>`],
          ['self', MD.bytesHTML(r.bytes)], ['type', MD.esc(r.type)],
          r.thread ? ['thread', MD.esc(r.thread)] : null,
          r.file ? ['source', `<span class="mono">${MD.esc(r.file)}:${r.line}</span>`] : null],
          [['Why it is alive', '<ol class="path">' + path(r).map((t, k) => `<li${k ? '' : ' class="root"'}>${MD.esc(t)}</li>`).join('') + '</ol>']]);
      },
    });
  };

  /* memanalyze's "c_held" view: Python objects whose reference count exceeds what the walker saw. */
  MD.views.cheld = sec => {
    const C = listOf('c_held');
    MD.table(sec, {
      title: 'Held from C', what: 'objects', n: C.length, total: C.length, sort: 'retained',
      note: 'Python objects with more references than the object graph shows: held by an extension module, a C ' +
            'structure or a reference leaked by C code. \u201conly from C\u201d: nothing in the graph reaches them.',
      columns: [
        {key: 'type', label: 'Object', type: 'text', value: i => C[i].type},
        {key: 'only', label: 'Only from C', type: 'text', value: i => (C[i].only_from_c ? 'only from C' : '')},
        {key: 'retained', label: 'Retained', type: 'bytes', value: i => C[i].retained, bar: heap},
        {key: 'bytes', label: 'Self', type: 'bytes', value: i => C[i].bytes},
        {key: 'addr', label: 'Address', type: 'mono', value: i => C[i].addr},
      ],
      onSelect: i => {
        const r = C[i];
        MD.details(r.type, r.only_from_c ? 'held only from C' : 'held from C (and from the graph)', [
          ['retained', MD.bytesHTML(r.retained)], ['self', MD.bytesHTML(r.bytes)],
          ['address', `<span class="mono">${MD.esc(r.addr)}</span>` + (r.id ? treeLink(r.id) : '')]],
          [['Why it is alive', Array.isArray(r.path) ? '<ol class="path">' + r.path.map((t, k) => `<li${k ? (t.startsWith('\u2026 ') ? ' class="gap"' : '') : ' class="root"'}>${MD.esc(t)}</li>`).join('') + '</ol>' : '']]);
      },
    });
  };

  /* ---- start -------------------------------------------------------------------------------------- */

  if (!D.tasks.total && !listOf('tasks').length) MD.hideView('tasks');
  else if (!D.tasks.total) MD.views.tasks = sec => genericTable(sec, 'asyncio tasks', listOf('tasks'));
  if (!listOf('variables').length) MD.hideView('variables');
  if (!listOf('c_held').length) MD.hideView('cheld');
  for (const li of document.querySelectorAll('.suspects > li')) {
    li.tabIndex = 0;
    li.addEventListener('click', e => { if (!e.target.closest('a')) location.hash = '#dominators@' + li.dataset.addr; });
    li.addEventListener('keydown', e => { if (e.key === 'Enter') location.hash = '#dominators@' + li.dataset.addr; });
  }
  MD.detailsEmpty('Select a box, a frame or a row to see its sizes and the path that keeps it alive.');
  MD.start();
})();
