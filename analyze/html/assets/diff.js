/* diff.js — the interactive views of memdiff's report (analyze/html/html_diff.c writes the data):
 * growth sources (rendered by the page itself; here they become selectable), the growth flame
 * graph colored by what was added and freed, growth by type, site and root with a trend per row
 * when there are three or more dumps, and churn from the allocation counters.
 */
'use strict';

(() => {
  const D = MD.data, S = MD.str, nd = D.ndumps;
  const series = nd >= 3;
  const iv = k => `#${k + 1}\u2192#${k + 2}`;

  /* ---- growth sources (overview) ------------------------------------------------------------ */

  const showSource = k => {
    const s = D.sources[k];
    const ret = s.retained.map((v, i) => `#${i + 1} ${MD.bytesHTML(v)}`).join(' \u2192 ');
    const list = xs => (xs.length ? '<ul class="plain">' + xs.map(x => `<li>${MD.count(x.count)} \u00d7 ${MD.esc(x.key)} <span class="dim">${MD.bytes(x.bytes)}</span></li>`).join('') + '</ul>' : '');
    MD.details(s.group ? s.label : s.type, s.group ? 'root group' : s.label, [
      ['growth', `${MD.sbytesHTML(s.growth)} <span class="dim">in ${iv(s.found_in)}</span>`],
      ['retained', ret + (series ? ' ' + MD.spark(s.retained, 'retained size in each dump') : '')],
      series ? ['trend', s.steady ? 'steady: grew in every interval' : 'not steady'] : null,
      s.addr ? ['address', `<span class="mono">${MD.esc(s.addr)}</span>`] : null,
      s.site_label ? ['allocated at', `<span class="mono">${MD.esc(s.site_label)}</span>`] : null,
      s.task ? ['asyncio task', MD.esc(s.task)] : null,
      ['added under it', `${MD.count(s.added.objects)} objects, ${MD.bytesHTML(s.added.bytes)}`],
    ], [
      ['Why it is alive', '<ol class="path">' + s.path.map((t, i) => `<li${i ? (t.startsWith('\u2026 ') ? ' class="gap"' : '') : ' class="root"'}>${MD.esc(t)}</li>`).join('') + '</ol>'],
      ['Added types', list(s.added.types)],
      ['Added at', list(s.added.sites)],
    ]);
  };

  for (const li of document.querySelectorAll('ol.sources > li')) {
    const k = +li.dataset.rank;
    li.addEventListener('click', () => showSource(k));
    li.addEventListener('keydown', e => { if (e.key === 'Enter') showSource(k); });
  }

  /* ---- growth flame graph -------------------------------------------------------------------- */

  const F = D.flame;
  const fname = i => (F.name[i] < 0 ? S(-1 - F.name[i]) : S(F.name[i]));
  const balance = i => {
    const a = F.added[i], f = F.freed[i];
    return a + f ? (a - f) / (a + f) : 0;
  };

  MD.views.flame = sec => {
    if (!F || F.parent.length < 2) {
      sec.innerHTML = '<div class="vhead"><h2>Growth by stack</h2><p class="empty">Nothing was allocated or freed between ' +
        'these dumps, or they have no allocation stacks (native tracking or <code>--python-sites</code> was off).</p></div>';
      return {};
    }
    sec.insertAdjacentHTML('beforeend',
      '<div class="vhead"><h2>Growth by stack</h2><p class="note">Every frame is as wide as the bytes allocated plus the ' +
      'bytes freed under it between the first and the last dump, and colored by the balance: ' +
      '<span class="key k-up">added</span> <span class="key k-flat">both</span> <span class="key k-down">freed</span>. ' +
      'Search to add up the growth of matching frames.</p></div>');
    const tree = new MD.Tree(sec, {
      n: F.parent.length, parent: F.parent, value: i => F.added[i] + F.freed[i],
      label: i => (i === 0 ? 'all changes' : MD.shortLoc(fname(i))),
      searchText: fname,
      isMore: i => F.name[i] < 0,
      cls: i => (F.name[i] < 0 ? 'more' : ''),
      hue: i => {
        if (F.name[i] < 0) return null;
        const b = balance(i);
        if (Math.abs(b) < 0.1) return [220, 8, 2];
        return b > 0 ? [14, Math.round(35 + 45 * b), Math.round(8 * b)] : [170, Math.round(30 - 40 * b), Math.round(-8 * b)];
      },
      title: 'Growth flame graph', searchHint: 'Search functions, files\u2026',
      tip: i => `<b>${MD.esc(fname(i))}</b><br>+${MD.bytes(F.added[i])} added (${MD.count(F.new[i])} objects)` +
                `<br>\u2212${MD.bytes(F.freed[i])} freed (${MD.count(F.gone[i])} objects)<br>net ${MD.sbytes(F.added[i] - F.freed[i])}`,
      say: i => `net ${MD.sbytes(F.added[i] - F.freed[i])}`,
      sumHTML: hits => {
        let a = 0, f = 0;
        for (const i of hits) { a += F.added[i]; f += F.freed[i]; }
        return `net <b class="hit-total" data-value="${a - f}">${MD.sbytes(a - f)}</b> (+${MD.bytes(a)}, \u2212${MD.bytes(f)})`;
      },
      onSelect: i => {
        const stack = [];
        for (let a = i; a !== 0; a = F.parent[a]) stack.push(F.name[a] < 0 ? -1 - F.name[a] : F.name[a]);
        MD.details(fname(i), i ? (MD.pyFrame(fname(i)) ? 'Python frame' : 'native frame') : '', [
          ['net', MD.sbytesHTML(F.added[i] - F.freed[i])],
          ['added', `${MD.bytesHTML(F.added[i])} <span class="dim">${MD.count(F.new[i])} new objects</span>`],
          ['freed', `${MD.bytesHTML(F.freed[i])} <span class="dim">${MD.count(F.gone[i])} objects</span>`],
        ], [['Stack (innermost first)', MD.stackHTML(stack)]]);
      },
    });
    return {shown: () => tree.render()};
  };

  /* ---- growth tables ------------------------------------------------------------------------- */

  const growthTable = (sec, kind, title, what) => {
    const G = D.growth[kind], rows = G.rows;
    const maxUp = Math.max(1, ...rows.map(r => Math.abs(r.bytes_delta)));
    const cols = [
      {key: 'rank', label: '#', type: 'count', value: i => i + 1, title: 'Rank: steady growth first, then by growth'},
      {key: 'key', label: what, type: 'text', value: i => rows[i].key},
      {key: 'delta', label: 'Change', type: 'sbytes', value: i => rows[i].bytes_delta, bar: maxUp},
      {key: 'count', label: 'Objects', type: 'scount', value: i => rows[i].count_delta},
      {key: 'new', label: 'New', type: 'bytes', value: i => rows[i].new_bytes},
      {key: 'freed', label: 'Freed', type: 'bytes', value: i => rows[i].freed_bytes},
      {key: 'after', label: 'After', type: 'bytes', value: i => rows[i].bytes[nd - 1]},
    ];
    if (series) {
      cols.push({key: 'trend', label: 'Trend', type: 'html', value: i => (rows[i].steady ? 'steady' : ''),
                 html: i => MD.spark(rows[i].bytes, 'bytes in each dump') + (rows[i].steady ? ' <span class="badge">steady</span>' : '')});
    }
    MD.table(sec, {
      title, what: what.toLowerCase() + 's', n: rows.length, total: G.total, sort: 'rank', desc: false,
      note: series ? 'Keys whose objects changed, steady growth (up in every interval) first.' : 'Keys whose objects changed, largest growth first.',
      columns: cols,
      onSelect: i => {
        const r = rows[i];
        MD.details(r.key, what.toLowerCase(), [
          ['change', `${MD.sbytesHTML(r.bytes_delta)}, ${MD.scount(r.count_delta)} objects`],
          ['new', `${MD.count(r.new_count)} objects, ${MD.bytesHTML(r.new_bytes)}`],
          ['freed', `${MD.count(r.freed_count)} objects, ${MD.bytesHTML(r.freed_bytes)}`],
          ['retained', r.retained.map(MD.bytesHTML).join(' \u2192 ')],
          series ? ['trend', MD.spark(r.bytes, 'bytes in each dump') + (r.steady ? ' steady' : '')] : null,
        ], [['In each dump', '<table class="change"><thead><tr><th></th>' + r.bytes.map((_, k) => `<th>#${k + 1}</th>`).join('') +
              '</tr></thead><tbody><tr><td>bytes</td>' + r.bytes.map(v => `<td>${MD.bytesHTML(v)}</td>`).join('') +
              '</tr><tr><td>objects</td>' + r.count.map(v => `<td>${MD.count(v)}</td>`).join('') + '</tr></tbody></table>']]);
      },
    });
  };

  MD.views.types = sec => growthTable(sec, 'type', 'Growth by type', 'Type');
  MD.views.sites = sec => growthTable(sec, 'site', 'Growth by allocation site', 'Site');
  MD.views.roots = sec => growthTable(sec, 'root', 'Growth by root', 'Root');

  MD.views.churn = sec => {
    const C = D.churn, rows = C.rows;
    if (!C.counters) {
      sec.innerHTML = '<div class="vhead"><h2>Churn</h2><p class="empty">These dumps carry no allocation counters: churn ' +
        'needs native tracking (<code>memdump run --native</code>).</p></div>';
      return;
    }
    const cols = [
      {key: 'site', label: 'Site', type: 'text', value: i => rows[i].site},
      {key: 'allocs', label: 'Allocations', type: 'count', value: i => rows[i].allocs},
      {key: 'frees', label: 'Frees', type: 'count', value: i => rows[i].frees},
      {key: 'bytes', label: 'Allocated', type: 'bytes', value: i => rows[i].bytes, bar: Math.max(1, ...rows.map(r => r.bytes))},
      {key: 'freed', label: 'Freed', type: 'bytes', value: i => rows[i].bytes_freed},
      {key: 'live', label: 'Live change', type: 'scount', value: i => rows[i].allocs - rows[i].frees},
    ];
    if (series) cols.push({key: 'trend', label: 'Per interval', type: 'html', value: () => '', html: i => MD.spark(rows[i].per_interval, 'bytes allocated in each interval')});
    MD.table(sec, {
      title: 'Churn', what: 'sites', n: rows.length, total: C.total, sort: 'bytes',
      note: 'Allocations and frees between the first and the last dump, from the agent\u2019s per-site counters: traffic a ' +
            'snapshot cannot see, even when the net change is zero.',
      columns: cols,
      onSelect: i => {
        const r = rows[i];
        MD.details(r.site.split(' \u2190 ')[0], 'allocation site', [
          ['allocations', `${MD.count(r.allocs)}, ${MD.bytesHTML(r.bytes)}`],
          ['frees', `${MD.count(r.frees)}, ${MD.bytesHTML(r.bytes_freed)}`],
          ['live change', MD.scount(r.allocs - r.frees)],
          ['per interval', r.per_interval.map((v, k) => `${iv(k)} ${MD.bytes(v)}`).join(', ')],
        ], [['Site \u2190 callers', `<p class="mono">${MD.esc(r.site)}</p>`]]);
      },
    });
  };

  MD.detailsEmpty('Select a growth source, a frame or a row for details and the path that keeps it alive.');
  MD.start();
})();
