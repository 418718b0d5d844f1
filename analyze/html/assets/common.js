/* common.js — what both reports share: the data, number formats, tabs, the details panel, why-
 * alive paths, and sortable, filterable tables.
 *
 * The page embeds its data as JSON (<script id="md-data">, written by analyze/html/*.c): texts are
 * indices into data.strings, paths are the last step in data.paths (each step has a parent step
 * and a text). Everything is drawn from that object; nothing is fetched (the page's Content-
 * Security-Policy would refuse it anyway). Plain DOM, no framework: the budget in html.h keeps
 * every list small enough to render directly.
 */
'use strict';

const MD = {};

MD.data = JSON.parse(document.getElementById('md-data').textContent);
MD.S = MD.data.strings || [];
MD.str = i => (i >= 0 && i < MD.S.length ? MD.S[i] : '');

/* ---- numbers, as memanalyze prints them (ma_units.c) ------------------------------------------ */

MD.bytes = n => {
  if (n === null || n === undefined) return '—';
  if (n < 0) return '\u2212' + MD.bytes(-n);
  if (n < 1024) return n + ' B';
  const unit = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = n, u = 0;
  while (v >= 1024 && u < 6) { v /= 1024; u++; }
  return (v < 9.995 ? v.toFixed(2) : v < 99.95 ? v.toFixed(1) : v.toFixed(0)) + ' ' + unit[u];
};
MD.sbytes = n => (n > 0 ? '+' : '') + MD.bytes(n);
MD.count = n => (n === null || n === undefined ? '—' : (n < 0 ? '\u2212' : '') + Math.abs(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ','));
MD.scount = n => (n > 0 ? '+' : '') + MD.count(n);
MD.pct = (part, total) => (total ? (100 * part / total).toFixed(1) + '%' : '–');
MD.hex = n => '0x' + Number(n).toString(16);

MD.esc = s => String(s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));

/* A byte size with its exact value in a tooltip and a data attribute (tests read those). */
MD.bytesHTML = n => `<span class="b" data-bytes="${n}" title="${MD.count(n)} bytes">${MD.bytes(n)}</span>`;
MD.sbytesHTML = n => `<span class="b ${n > 0 ? 'up' : n < 0 ? 'down' : 'flat'}" data-bytes="${n}" title="${MD.count(n)} bytes">${MD.sbytes(n)}</span>`;

/* Stable colors from names: a hue from a string hash. */
MD.hash = s => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
  return h >>> 0;
};

/* A restrained palette for categories (types): hue and saturation, picked by a hash of the name. */
MD.PALETTE = [[212, 58], [164, 44], [36, 72], [268, 42], [346, 52], [96, 38], [190, 52], [18, 66], [238, 44], [132, 34], [318, 40], [52, 64]];
MD.palette = name => MD.PALETTE[MD.hash(name) % MD.PALETTE.length];

/* ---- why-alive paths ---------------------------------------------------------------------------- */

MD.pathSteps = step => {
  const p = MD.data.paths, out = [];
  for (let s = step, guard = 0; s >= 0 && guard < 64; s = p.parent[s], guard++) out.push(MD.str(p.text[s]));
  return out.reverse();
};

MD.pathHTML = step => {
  if (step === undefined || step === null || step < 0) return '<p class="dim">No path recorded.</p>';
  const el = MD.pathSteps(step);
  return '<ol class="path">' + el.map((t, i) =>
    `<li${i === 0 ? ' class="root"' : t.startsWith('\u2026 ') ? ' class="gap"' : ''}>${MD.esc(t)}</li>`).join('') + '</ol>';
};

/* ---- details panel ----------------------------------------------------------------------------- */

MD.detailsEl = document.getElementById('details');

/* Shows a selection: title, a subtitle, key/value rows (values are HTML), sections of HTML. */
MD.details = (title, sub, rows, sections) => {
  const d = MD.detailsEl;
  if (!d) return;
  let h = `<div class="dhead"><div><h2>${MD.esc(title)}</h2>${sub ? `<div class="dsub">${MD.esc(sub)}</div>` : ''}</div>` +
          `<button type="button" class="close" aria-label="Close details">\u00d7</button></div>`;
  if (rows && rows.length) h += '<dl class="kv">' + rows.filter(r => r).map(([k, v]) => `<dt>${MD.esc(k)}</dt><dd>${v}</dd>`).join('') + '</dl>';
  for (const [name, html] of sections || []) if (html) h += (name ? `<h3>${MD.esc(name)}</h3>` : '') + html;
  d.innerHTML = h;
  d.classList.add('open');
  d.querySelector('.close').addEventListener('click', () => MD.closeDetails());
};

MD.closeDetails = () => {
  if (!MD.detailsEl) return;
  MD.detailsEl.classList.remove('open');
  MD.detailsEl.innerHTML = '';
};

MD.detailsEmpty = text => {
  if (!MD.detailsEl) return;
  MD.detailsEl.innerHTML = `<div class="dempty">${MD.esc(text)}</div>`;
};

/* ---- tabs and routes ----------------------------------------------------------------------------- */

/* Each view is a <section id=NAME>; tabs link to #NAME. A route may carry an argument after '@'
 * (#dominators@ADDR focuses an object). Views render on first show (MD.views[NAME]). */
MD.views = {};
MD.rendered = {};

MD.show = (route, focus) => {
  const [name, arg] = route.split('@');
  const sec = document.getElementById(name);
  if (!sec || !sec.classList.contains('view') || sec.dataset.empty === '1') return MD.show('overview');
  for (const v of document.querySelectorAll('main > .view')) v.hidden = v !== sec;
  for (const t of document.querySelectorAll('.tabs [role=tab]')) {
    const on = t.getAttribute('href') === '#' + name;
    t.setAttribute('aria-selected', on ? 'true' : 'false');
    t.tabIndex = on ? 0 : -1;
    if (on && focus) t.focus();
  }
  if (MD.current !== name) window.scrollTo(0, 0);
  MD.current = name;
  if (!MD.rendered[name]) MD.rendered[name] = (MD.views[name] && MD.views[name](sec)) || {};
  const r = MD.rendered[name];
  if (arg && r && r.focus) r.focus(arg);
  if (r && r.shown) r.shown();
};

MD.initTabs = () => {
  const tabs = [...document.querySelectorAll('.tabs [role=tab]')];
  for (const t of tabs) {
    t.addEventListener('keydown', e => {
      const visible = tabs.filter(x => !x.hidden);
      const i = visible.indexOf(t);
      let k = -1;
      if (e.key === 'ArrowRight') k = (i + 1) % visible.length;
      else if (e.key === 'ArrowLeft') k = (i - 1 + visible.length) % visible.length;
      else if (e.key === 'Home') k = 0;
      else if (e.key === 'End') k = visible.length - 1;
      if (k < 0) return;
      e.preventDefault();
      location.hash = visible[k].getAttribute('href');
      visible[k].focus();
    });
  }
  window.addEventListener('hashchange', () => MD.show(location.hash.slice(1) || 'overview'));
  MD.show(location.hash.slice(1) || 'overview');
};

/* Hides a tab whose view has nothing to show. */
MD.hideView = name => {
  const t = document.getElementById('tab-' + name), s = document.getElementById(name);
  if (t) t.hidden = true;
  if (s) s.dataset.empty = '1';
};

/* ---- tables ------------------------------------------------------------------------------------- */

/* MD.table(parent, spec) renders a sortable, filterable table.
 *   spec.title, spec.note         heading and a line under it
 *   spec.n                        rows
 *   spec.total                    rows before the report's cut (says "showing N of M")
 *   spec.columns: [{key, label, type: 'bytes'|'sbytes'|'count'|'scount'|'text'|'mono'|'pct'|'html',
 *                   value: i => sortable value, html: i => cell HTML (optional),
 *                   bar: total (draws a share bar behind the number), title}]
 *   spec.sort: key, spec.desc     initial order (largest first by default)
 *   spec.onSelect: i => ...       a row was clicked or chosen with Enter
 * Filtering matches every text column, case-insensitively; the match count and the totals of the
 * byte columns over the matching rows are shown. Rows are keyboard-navigable: the body is one tab
 * stop, arrows move, Enter selects.
 */
MD.table = (parent, spec) => {
  const wrap = document.createElement('div');
  wrap.className = 'tablewrap';
  const id = 'f' + Math.random().toString(36).slice(2, 8);
  wrap.innerHTML =
    `<div class="thead-bar"><h2>${MD.esc(spec.title)}</h2>` +
    `<input type="search" id="${id}" class="filter" placeholder="Filter ${MD.esc(spec.what || 'rows')}\u2026" aria-label="Filter ${MD.esc(spec.title)}">` +
    `<span class="tcount" aria-live="polite"></span></div>` +
    (spec.note ? `<p class="note">${spec.note}</p>` : '') +
    '<div class="scroll"><table class="data"><thead><tr></tr></thead><tbody tabindex="0"></tbody></table></div>';
  parent.appendChild(wrap);
  const head = wrap.querySelector('thead tr'), body = wrap.querySelector('tbody');
  const input = wrap.querySelector('input'), countEl = wrap.querySelector('.tcount');
  const cols = spec.columns;
  const numeric = c => c.type !== 'text' && c.type !== 'mono' && c.type !== 'html';
  let sortKey = spec.sort || (cols.find(numeric) || cols[0]).key, desc = spec.desc !== false;
  let order = [], sel = -1;

  cols.forEach(c => {
    const th = document.createElement('th');
    th.scope = 'col';
    if (numeric(c)) th.className = 'n';
    th.innerHTML = `<button type="button" title="${MD.esc(c.title || 'Sort by ' + c.label)}">${MD.esc(c.label)}<span class="arrow" aria-hidden="true"></span></button>`;
    th.querySelector('button').addEventListener('click', () => {
      if (sortKey === c.key) desc = !desc;
      else { sortKey = c.key; desc = numeric(c); }
      render();
    });
    th.dataset.key = c.key;
    head.appendChild(th);
  });

  const cell = (c, i) => {
    const v = c.value(i);
    let inner;
    if (c.html) inner = c.html(i);
    else if (c.type === 'bytes') inner = MD.bytesHTML(v);
    else if (c.type === 'sbytes') inner = MD.sbytesHTML(v);
    else if (c.type === 'count') inner = MD.count(v);
    else if (c.type === 'scount') inner = MD.scount(v);
    else if (c.type === 'pct') inner = v;
    else inner = MD.esc(v === null || v === undefined ? '' : v);
    if (c.bar && numeric(c) && v > 0) {
      const w = Math.max(0, Math.min(1, v / c.bar));
      return `<td class="n bar" style="--w:${w.toFixed(4)}">${inner}</td>`;
    }
    return `<td class="${numeric(c) ? 'n' : c.type === 'mono' ? 'mono' : ''}">${inner}</td>`;
  };

  function render() {
    const q = input.value.trim().toLowerCase();
    const texts = cols.filter(c => !numeric(c));
    order = [];
    for (let i = 0; i < spec.n; i++) {
      if (q && !texts.some(c => String(c.value(i) || '').toLowerCase().includes(q))) continue;
      order.push(i);
    }
    const c = cols.find(x => x.key === sortKey);
    const num = numeric(c);
    order.sort((a, b) => {
      const x = c.value(a), y = c.value(b);
      let r = num ? x - y : String(x).localeCompare(String(y));
      if (desc) r = -r;
      return r || a - b;
    });
    for (const th of head.children) {
      const on = th.dataset.key === sortKey;
      th.setAttribute('aria-sort', on ? (desc ? 'descending' : 'ascending') : 'none');
      th.querySelector('.arrow').textContent = on ? (desc ? ' \u25be' : ' \u25b4') : '';
    }
    body.innerHTML = order.map(i => `<tr data-i="${i}"${i === sel ? ' class="sel"' : ''}>` + cols.map(c => cell(c, i)).join('') + '</tr>').join('');
    let msg = q ? `${MD.count(order.length)} of ${MD.count(spec.n)} match` : `${MD.count(spec.n)} rows`;
    if (!q && spec.total > spec.n) msg = `largest ${MD.count(spec.n)} of ${MD.count(spec.total)}`;
    if (q) {
      const bc = cols.find(x => x.type === 'bytes');
      if (bc) msg += ` \u00b7 ${MD.bytes(order.reduce((s, i) => s + (bc.value(i) || 0), 0))}`;
    }
    countEl.textContent = msg;
  }

  const choose = tr => {
    if (!tr) return;
    for (const r of body.querySelectorAll('tr.sel')) r.classList.remove('sel');
    tr.classList.add('sel');
    sel = +tr.dataset.i;
    if (spec.onSelect) spec.onSelect(sel);
  };
  body.addEventListener('click', e => choose(e.target.closest('tr')));
  body.addEventListener('keydown', e => {
    const rows = [...body.children];
    let cur = rows.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      if (e.key === 'ArrowDown') cur = Math.min(rows.length - 1, cur + 1);
      else if (e.key === 'ArrowUp') cur = Math.max(0, cur - 1);
      else if (e.key === 'Home') cur = 0;
      else cur = rows.length - 1;
      if (rows[cur]) { rows[cur].tabIndex = -1; rows[cur].focus(); choose(rows[cur]); }
    } else if (e.key === 'Enter' && cur >= 0) {
      choose(rows[cur]);
    }
  });
  input.addEventListener('input', render);
  render();
  return {
    el: wrap,
    select(i) {
      const tr = body.querySelector(`tr[data-i="${i}"]`);
      if (tr) { choose(tr); tr.scrollIntoView({block: 'nearest'}); }
    },
  };
};

/* Is a frame's text a Python location? "f (app.py:12)", "<module> (<frozen importlib._bootstrap>:1178)". */
MD.pyFrame = t => /\((?:[^()]*\.py[cw]?|<[^<>()]*>)(?::\d+)?\)$/.test(t);

/* "f (/long/dir/file.c:12)" → "f (file.c:12)": frames in charts; details keep the full text. */
MD.shortLoc = t => t.replace(/\(([^():]*\/)([^/():]+(:\d+)?)\)$/, '($2)');

/* A stack (list of location texts) as HTML, innermost first. */
MD.stackHTML = ids => (ids && ids.length ? '<ol class="stack">' + ids.map(i => `<li>${MD.esc(MD.str(i))}</li>`).join('') + '</ol>' : '');

/* An inline sparkline of values (SVG), for trends over three or more dumps. */
MD.spark = (vals, title) => {
  if (!vals || vals.length < 2) return '';
  const lo = Math.min(...vals), hi = Math.max(...vals);
  const pts = vals.map((v, i) => [2 + 96 * i / (vals.length - 1), hi === lo ? 12 : 22 - 20 * (v - lo) / (hi - lo)]);
  const last = pts[pts.length - 1];
  return `<svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label="${MD.esc(title)}"><title>${MD.esc(title)}</title>` +
         `<polyline points="${pts.map(p => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' ')}"/><circle cx="${last[0].toFixed(1)}" cy="${last[1].toFixed(1)}" r="2"/></svg>`;
};

/* Called by analyze.js / diff.js once their views are registered. */
MD.start = () => {
  MD.initTabs();
  document.addEventListener('keydown', e => {
    if (e.key === 'Escape' && MD.detailsEl && MD.detailsEl.contains(document.activeElement)) MD.closeDetails();
  });
  document.body.classList.add('ready');
  window.__mdReady = performance.now();
};
