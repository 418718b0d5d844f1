/* chart.js — the icicle / flame graph both reports draw (dominator tree, allocation stacks,
 * growth by stack): boxes as wide as their value, children under their parent.
 *
 *   const t = new MD.Tree(sectionElement, {
 *     n, parent: [..] (parent index, 0 for the root; parents come before children),
 *     value: i => number, label: i => text, hue: i => [hue, saturation] | null (gray),
 *     cls: i => extra CSS class, tip: i => HTML, onSelect: i => ..., title, searchHint,
 *   });
 *
 * Interaction: click a box to zoom into it (click the top box to zoom out), breadcrumbs lead back
 * up; the search box highlights every box whose label matches (a substring, or /regex/) and adds
 * up their values without counting a match inside another match twice; Enter in the search box
 * steps through the matches. The chart itself is focusable: arrow keys move the selection (up:
 * parent, down: largest child, left/right: siblings), Enter zooms in, Escape zooms out, Home goes
 * back to the top; a live region says what is selected.
 *
 * Only boxes at least MIN_PX wide are drawn, so a view costs a few thousand elements at most,
 * however many boxes the data has; zooming re-lays out from the data in a few milliseconds.
 */
'use strict';

MD.Tree = class {
  constructor(parent, opt) {
    this.o = opt;
    const n = opt.n;
    this.kids = Array.from({length: n}, () => []);
    this.depth = new Int32Array(n);
    for (let i = 1; i < n; i++) {
      this.kids[opt.parent[i]].push(i);
      this.depth[i] = this.depth[opt.parent[i]] + 1;
    }
    const more = opt.isMore || (() => false);
    for (const k of this.kids) k.sort((a, b) => (more(a) - more(b)) || (opt.value(b) - opt.value(a)) || a - b);
    this.zoom = 0;
    this.sel = -1;
    this.hits = null;
    this.uid = 't' + Math.random().toString(36).slice(2, 8);

    const bar = document.createElement('div');
    bar.className = 'chartbar';
    bar.innerHTML =
      `<nav class="crumbs" aria-label="Zoom path"></nav>` +
      `<div class="searchbox"><input type="search" placeholder="${MD.esc(opt.searchHint || 'Search')}" aria-label="${MD.esc(opt.searchHint || 'Search')}">` +
      `<span class="hits" aria-live="polite"></span></div>`;
    const chart = document.createElement('div');
    chart.className = 'chart';
    chart.tabIndex = 0;
    chart.setAttribute('role', 'group');
    chart.setAttribute('aria-label', (opt.title || 'Chart') + ': arrow keys move, Enter zooms in, Escape zooms out');
    const live = document.createElement('div');
    live.className = 'sr-only';
    live.setAttribute('aria-live', 'polite');
    const tip = document.createElement('div');
    tip.className = 'tip';
    tip.hidden = true;
    parent.append(bar, chart, live);
    document.body.appendChild(tip);
    this.bar = bar;
    this.chart = chart;
    this.live = live;
    this.tipEl = tip;
    this.crumbs = bar.querySelector('.crumbs');
    this.input = bar.querySelector('input');
    this.hitsEl = bar.querySelector('.hits');
    this.dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;

    chart.addEventListener('click', e => {
      const b = e.target.closest('.n');
      if (!b) return;
      const i = +b.dataset.i;
      this.select(i);
      if (i === this.zoom && i !== 0) this.zoomTo(opt.parent[i]);
      else if (i !== this.zoom) this.zoomTo(i);
    });
    chart.addEventListener('mousemove', e => {
      const b = e.target.closest('.n');
      if (!b || !opt.tip) { tip.hidden = true; return; }
      tip.innerHTML = opt.tip(+b.dataset.i);
      tip.hidden = false;
      const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
      const y = e.clientY + 18 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 10 : e.clientY + 18;
      tip.style.left = x + 'px';
      tip.style.top = y + 'px';
    });
    chart.addEventListener('mouseleave', () => { tip.hidden = true; });
    chart.addEventListener('keydown', e => this.key(e));
    this.crumbs.addEventListener('click', e => {
      const a = e.target.closest('[data-i]');
      if (a) { e.preventDefault(); this.zoomTo(+a.dataset.i); this.select(+a.dataset.i); }
    });
    let searchAt = -1;
    this.input.addEventListener('input', () => { searchAt = -1; this.search(this.input.value); });
    this.input.addEventListener('keydown', e => {
      if (e.key !== 'Enter' || !this.hits || !this.hits.size) return;
      e.preventDefault();
      const list = [...this.hits].sort((a, b) => opt.value(b) - opt.value(a));
      searchAt = (searchAt + 1) % list.length;
      this.reveal(list[searchAt]);
    });
    if (window.ResizeObserver) {
      let pending = false;
      new ResizeObserver(() => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => { pending = false; this.render(); });
      }).observe(chart);
    }
  }

  color(i) {
    const o = this.o;
    const hs = o.hue ? o.hue(i) : null;
    if (!hs) return this.dark ? 'hsl(220 6% 30%)' : 'hsl(220 8% 86%)';
    const [h, s, l] = hs;
    const light = l !== undefined ? l : 0;
    return this.dark ? `hsl(${h} ${Math.round(s * 0.7)}% ${30 + light}%)` : `hsl(${h} ${s}% ${76 - light}%)`;
  }

  /* Lay out and draw the boxes under the zoom root. */
  render() {
    const o = this.o, W = this.chart.clientWidth;
    if (!W) return;
    const MIN_PX = 1.5, ROW = 22, z = this.zoom, zd = this.depth[z];
    const out = [];
    const hits = this.hits;
    let maxd = 0;
    const stack = [[z, 0, W]];
    while (stack.length) {
      const [i, x, w] = stack.pop();
      const d = this.depth[i] - zd;
      if (d > maxd) maxd = d;
      let cls = 'n';
      const extra = o.cls ? o.cls(i) : '';
      if (extra) cls += ' ' + extra;
      if (hits) cls += hits.has(i) ? ' hit' : ' dim';
      if (i === this.sel) cls += ' sel';
      const text = w > 28 ? MD.esc(o.label(i)) : '';
      if (!text) cls += ' x';
      out.push(`<div class="${cls}" id="${this.uid}-${i}" data-i="${i}" style="left:${x.toFixed(1)}px;top:${d * ROW}px;width:${Math.max(w - 1, 1).toFixed(1)}px;background:${this.color(i)}">${text}</div>`);
      const v = o.value(i);
      if (!v) continue;
      let cx = x;
      for (const c of this.kids[i]) {
        const cw = w * o.value(c) / v;
        if (cw >= MIN_PX) stack.push([c, cx, cw]);
        cx += cw;
      }
    }
    this.chart.style.height = ((maxd + 1) * ROW + 2) + 'px';
    this.chart.innerHTML = out.join('');
    this.renderCrumbs();
  }

  renderCrumbs() {
    const chain = [];
    for (let i = this.zoom; ; i = this.o.parent[i]) { chain.push(i); if (i === 0) break; }
    chain.reverse();
    this.crumbs.innerHTML = chain.map((i, k) => k === chain.length - 1
      ? `<span aria-current="location">${MD.esc(this.o.label(i))}</span>`
      : `<a href="#" data-i="${i}">${MD.esc(this.o.label(i))}</a>`).join('<span class="sep" aria-hidden="true">\u203a</span>');
  }

  /* Zooming selects the new top box, so the keyboard continues from there. */
  zoomTo(i) {
    this.zoom = i;
    this.sel = i;
    this.render();
    if (this.o.onZoom) this.o.onZoom(i);
  }

  select(i, announce) {
    this.sel = i;
    for (const b of this.chart.querySelectorAll('.n.sel')) b.classList.remove('sel');
    const el = document.getElementById(`${this.uid}-${i}`);
    if (el) el.classList.add('sel');
    this.chart.setAttribute('aria-activedescendant', el ? el.id : '');
    if (announce) this.live.textContent = this.o.label(i) + ', ' + (this.o.say ? this.o.say(i) : '');
    if (this.o.onSelect) this.o.onSelect(i);
  }

  /* Make box i visible (zooming to its parent if it is too narrow or outside) and select it. */
  reveal(i) {
    let inside = false;
    for (let a = i; ; a = this.o.parent[a]) { if (a === this.zoom) { inside = true; break; } if (a === 0) break; }
    if (!inside || !document.getElementById(`${this.uid}-${i}`)) this.zoomTo(i === 0 ? 0 : this.o.parent[i]);
    if (!document.getElementById(`${this.uid}-${i}`)) this.zoomTo(i);
    this.select(i, true);
    const el = document.getElementById(`${this.uid}-${i}`);
    if (el) el.scrollIntoView({block: 'nearest'});
  }

  key(e) {
    const o = this.o, cur = this.sel >= 0 ? this.sel : this.zoom;
    let next = -1;
    switch (e.key) {
    case 'ArrowUp': next = cur === 0 ? 0 : o.parent[cur]; break;
    case 'ArrowDown': next = this.kids[cur].length ? this.kids[cur][0] : cur; break;
    case 'ArrowLeft':
    case 'ArrowRight': {
      if (cur === 0) { next = 0; break; }
      const sib = this.kids[o.parent[cur]], k = sib.indexOf(cur) + (e.key === 'ArrowLeft' ? -1 : 1);
      next = sib[Math.max(0, Math.min(sib.length - 1, k))];
      break;
    }
    case 'Enter': case ' ':
      e.preventDefault();
      this.zoomTo(cur);
      this.select(cur, true);
      return;
    case 'Escape': case 'Backspace':
      e.preventDefault();
      if (this.zoom !== 0) { const z = this.zoom; this.zoomTo(o.parent[z]); this.select(z, true); }
      return;
    case 'Home':
      e.preventDefault();
      this.zoomTo(0);
      this.select(0, true);
      return;
    default: return;
    }
    e.preventDefault();
    this.reveal(next);
  }

  /* Highlight matches; returns [count, total value without double counting]. */
  search(q) {
    q = q.trim();
    if (!q) {
      this.hits = null;
      this.hitsEl.textContent = '';
      this.render();
      return [0, 0];
    }
    let test;
    const m = q.match(/^\/(.+)\/([a-z]*)$/);
    if (m) {
      try { const re = new RegExp(m[1], m[2].includes('i') ? m[2] : m[2] + 'i'); test = s => re.test(s); }
      catch (err) { this.hitsEl.textContent = 'invalid pattern'; return [0, 0]; }
    } else {
      const lq = q.toLowerCase();
      test = s => s.toLowerCase().includes(lq);
    }
    const o = this.o, hits = new Set();
    const text = o.searchText || o.label;
    for (let i = 1; i < o.n; i++) if (test(text(i))) hits.add(i);
    let total = 0;
    const tops = [];
    for (const i of hits) {
      let inner = false;
      for (let a = o.parent[i]; a !== 0; a = o.parent[a]) if (hits.has(a)) { inner = true; break; }
      if (!inner) { total += o.value(i); tops.push(i); }
    }
    this.hits = hits;
    this.total = total;
    const sum = o.sumHTML ? o.sumHTML(tops)
      : `<b class="hit-total" data-value="${total}">${MD.bytes(total)}</b> (${MD.pct(total, o.value(0))} of all)`;
    this.hitsEl.innerHTML = hits.size ? `<b class="hit-count">${MD.count(hits.size)}</b> match${hits.size === 1 ? '' : 'es'} \u00b7 ${sum}` : 'no match';
    this.render();
    return [hits.size, total];
  }
};
