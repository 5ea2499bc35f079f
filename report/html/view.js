// The address-space view of mmtrace (maps --html, trace --html). It reads the data that the
// Go side embedded in <script id="mmtrace-data" type="application/json"> and draws it; it
// loads nothing else. Its state and any error are written into the DOM (#status, #errors), so
// that a headless browser's --dump-dom shows whether the page worked.
(function () {
  'use strict';

  var PAGE = 4096;
  var statusEl = document.getElementById('status');
  var data = JSON.parse(document.getElementById('mmtrace-data').textContent);

  // Addresses are hex strings in the data because JSON numbers stop at 2^53. Regions are page
  // aligned and below 2^64, and such numbers are exact in a double (53 bits of mantissa cover
  // the 52 bits above the page offset), so plain Numbers compare and subtract them exactly.
  function addr(h) { return parseInt(h, 16); }
  function hex(n) { return n.toString(16); }

  // size is MapsSize of the Go side: powers of 1024, one decimal below 10, rounded up.
  function size(n) {
    if (n < 1024) return String(n);
    var units = 'KMGTPE', u = 0, v = n / 1024;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    if (v < 10) {
      var t = Math.ceil(v * 10 - 1e-9) / 10;
      if (t < 10) return t.toFixed(1) + units[u];
    }
    var w = Math.ceil(v - 1e-9);
    if (w >= 1024 && u < units.length - 1) return '1.0' + units[u + 1];
    return w + units[u];
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // A piece is a region as drawn: [s, e) and the region's JSON it belongs to. Replaying
  // a trace cuts regions into pieces, so the piece's own range is the truth, not r.start/r.end.
  function piece(r) { return { s: addr(r.start), e: addr(r.end), r: r }; }

  function regionName(r) { return r.name + (r.deleted ? ' (deleted)' : ''); }

  function classes(r) {
    var c = 'region k-' + r.kind;
    if (r.role === 'heap' || r.role === 'stack' || r.role === 'guard') c += ' r-' + r.role;
    return c;
  }

  // Heights grow with the logarithm of the size, so that a 4 KiB guard page and a 1 GiB
  // heap are both visible on one screen: 18px for a page, about 100px for a GiB.
  function height(bytes) {
    var pages = Math.max(1, bytes / PAGE);
    return Math.round(18 + 5 * Math.log2(pages));
  }

  function details(p) {
    var r = p.r, rows = [];
    rows.push(['range', hex(p.s) + '-' + hex(p.e)]);
    rows.push(['size', size(p.e - p.s) + ' (' + (p.e - p.s) + ' bytes)']);
    rows.push(['perms', r.perms]);
    rows.push(['kind', r.kind]);
    rows.push(['role', r.role]);
    if (r.name) rows.push(['path', regionName(r)]);
    if (r.kind === 'file-shared' || r.kind === 'file-private') {
      rows.push(['offset', '0x' + hex(r.offset + (p.s - addr(r.start)))]);
    }
    if (r.dev !== '00:00' || r.inode) rows.push(['dev:inode', r.dev + ' ' + r.inode]);
    if (r.shmid !== undefined) rows.push(['shmid', String(r.shmid)]);
    if (r.origin) rows.push(['made by', r.origin]);
    if (p.clipped) rows.push(['note', 'part of ' + r.start.slice(2) + '-' + r.end.slice(2) + ' that a later call cut']);
    var u = r.usage;
    if (u) {
      rows.push(['RSS', size(u.rss)]);
      rows.push(['PSS', size(u.pss)]);
      rows.push(['dirty', size(u.shared_dirty + u.private_dirty)]);
      rows.push(['anonymous', size(u.anonymous)]);
      if (u.swap) rows.push(['swap', size(u.swap)]);
      if (u.locked) rows.push(['locked', size(u.locked)]);
      if (u.anon_huge_pages) rows.push(['THP', size(u.anon_huge_pages)]);
      if (u.vm_flags && u.vm_flags.length) rows.push(['VmFlags', u.vm_flags.join(' ')]);
    }
    var t = el('table');
    rows.forEach(function (row) {
      var tr = el('tr');
      tr.appendChild(el('td', '', row[0]));
      tr.appendChild(el('td', '', row[1]));
      t.appendChild(tr);
    });
    return t;
  }

  // The floating tooltip, shared by every map.
  var tip = document.getElementById('tip');
  function showTip(p, ev) {
    tip.replaceChildren(details(p));
    tip.hidden = false;
    var x = ev.clientX + 14, y = ev.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth) x = Math.max(0, ev.clientX - w - 14);
    if (y + h > window.innerHeight) y = Math.max(0, window.innerHeight - h - 4);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function hideTip() { tip.hidden = true; }

  // The side panel shows the region last clicked, until another is.
  var side = null, pinned = null;
  function pin(box, p) {
    if (pinned) pinned.classList.remove('pinned');
    pinned = box;
    box.classList.add('pinned');
    var body = side.querySelector('.pinned-region');
    body.replaceChildren(el('h3', '', 'Region ' + hex(p.s) + '-' + hex(p.e)), details(p));
  }

  // drawMap fills container with the pieces, sorted by address, collapsing the gaps between
  // them into thin labelled strips. hl: ranges whose regions to highlight; ghosts: ranges
  // just removed, drawn dashed where nothing took their place.
  function drawMap(container, pieces, hl, ghosts) {
    var frag = document.createDocumentFragment();
    var items = pieces.map(function (p) { return { p: p, ghost: false }; });
    (ghosts || []).forEach(function (g) {
      if (!pieces.some(function (p) { return p.s < g.e && g.s < p.e; })) items.push({ p: g, ghost: true });
    });
    items.sort(function (a, b) { return a.p.s - b.p.s; });
    var prevEnd = null, first = null;
    items.forEach(function (it, i) {
      var p = it.p;
      if (prevEnd !== null && p.s > prevEnd) {
        var gap = p.s - prevEnd;
        var g = el('div', gap < 1 << 20 ? 'gap small' : 'gap', 'unmapped ' + size(gap));
        g.title = 'unmapped: ' + hex(prevEnd) + '-' + hex(p.s) + ' (' + size(gap) + ')';
        frag.appendChild(g);
      }
      prevEnd = prevEnd === null ? p.e : Math.max(prevEnd, p.e);
      if (it.ghost) {
        var gh = el('div', 'ghost', 'removed ' + hex(p.s) + '-' + hex(p.e) + ' ' + size(p.e - p.s) + ' ' +
          p.r.kind + (p.r.name ? ' ' + regionName(p.r) : ''));
        gh.setAttribute('data-ghost', hex(p.s));
        frag.appendChild(gh);
        if (!first) first = gh;
        return;
      }
      var r = p.r;
      var box = el('div', classes(r));
      box.setAttribute('data-region', String(i));
      box.setAttribute('data-start', hex(p.s));
      box.setAttribute('data-end', hex(p.e));
      box.style.height = height(p.e - p.s) + 'px';
      box.appendChild(el('span', 'addr', hex(p.s) + '-' + hex(p.e)));
      var what = r.perms + ' ' + size(p.e - p.s) + ' ' + r.kind;
      if (r.role !== 'file' && r.role !== 'anon') what += ' ' + r.role;
      if (r.usage) what += ' rss ' + size(r.usage.rss);
      box.appendChild(el('span', 'meta', what));
      if (r.name) box.appendChild(el('span', 'name', regionName(r)));
      if (r.usage && p.e > p.s) {
        var bar = el('div', 'rss');
        bar.style.width = Math.min(100, 100 * r.usage.rss / (p.e - p.s)).toFixed(1) + '%';
        box.appendChild(bar);
      }
      if (hl && hl.some(function (h) { return p.s < h.e && h.s < p.e; })) {
        box.classList.add('hl');
        if (!first) first = box;
      }
      box.addEventListener('mousemove', function (ev) { showTip(p, ev); });
      box.addEventListener('mouseleave', hideTip);
      box.addEventListener('click', function () { pin(box, p); });
      frag.appendChild(box);
    });
    container.replaceChildren(frag);
    return first;
  }

  function legend(trace, usage) {
    var l = document.getElementById('legend');
    var entries = [['file-shared', 'var(--file-shared)'], ['file-private', 'var(--file-private)'],
      ['anon-shared', 'var(--anon-shared)'], ['anon-private', 'var(--anon-private)'],
      ['heap', 'var(--heap)'], ['stack', 'var(--stack)']];
    entries.forEach(function (e) {
      var s = el('span'), i = el('i');
      i.style.background = e[1];
      s.appendChild(i);
      s.appendChild(document.createTextNode(e[0]));
      l.appendChild(s);
    });
    var g = el('span'), gi = el('i', 'r-guard');
    gi.style.backgroundColor = '#fff';
    g.appendChild(gi);
    g.appendChild(document.createTextNode('guard (no access)'));
    l.appendChild(g);
    if (usage) {
      var u = el('span'), ui = el('i');
      ui.style.background = 'linear-gradient(to top, rgba(0,0,0,.45) 3px, #fff 3px)';
      u.appendChild(ui);
      u.appendChild(document.createTextNode('bar: resident share (RSS)'));
      l.appendChild(u);
    }
    if (trace) {
      var h = el('span'), hi = el('i');
      hi.style.outline = '3px solid var(--hl)';
      h.appendChild(hi);
      h.appendChild(document.createTextNode('touched by the call'));
      l.appendChild(h);
      var r = el('span'), ri = el('i');
      ri.style.border = '2px dashed var(--hl)';
      r.appendChild(ri);
      r.appendChild(document.createTextNode('removed by the call'));
      l.appendChild(r);
    }
  }

  function makeSide(hint) {
    side = el('aside', 'side');
    var moment = el('div', 'moment');
    side.appendChild(moment);
    var pr = el('div', 'pinned-region');
    pr.appendChild(el('p', 'hint', hint));
    side.appendChild(pr);
    return side;
  }

  function hashParams() {
    var out = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i > 0) out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    return out;
  }

  function pinFromHash(params) {
    if (params.region === undefined) return;
    var box = document.querySelector('[data-region="' + Number(params.region) + '"]');
    if (box) box.click();
  }

  // ---- maps --html: one map per process ----
  function mapsView(app) {
    legend(false, (data.procs || []).some(function (p) { return p.regions.some(function (r) { return r.usage; }); }));
    var maps = el('div', 'maps');
    app.appendChild(maps);
    app.appendChild(makeSide('Hover over a region for its details; click it to keep them here.'));
    var total = 0;
    (data.procs || []).forEach(function (proc) {
      var sec = el('section', 'proc');
      var title = proc.pid ? 'pid ' + proc.pid + (proc.command ? ': ' + proc.command : '') : 'file ' + proc.source;
      sec.appendChild(el('h2', '', title));
      var sum = 0, rss = 0, hasRss = false;
      proc.regions.forEach(function (r) {
        sum += r.size;
        if (r.usage) { rss += r.usage.rss; hasRss = true; }
      });
      sec.appendChild(el('div', 'sub', proc.regions.length + ' regions, ' + size(sum) + ' mapped' +
        (hasRss ? ', ' + size(rss) + ' resident' : '') + ' (' + proc.source + ')'));
      var m = el('div', 'map');
      sec.appendChild(m);
      maps.appendChild(sec);
      // Regions shown in another order (--sort) are drawn by address all the same: a map.
      drawMap(m, proc.regions.map(piece).sort(function (a, b) { return a.s - b.s; }));
      total += proc.regions.length;
    });
    pinFromHash(hashParams());
    return total;
  }

  // ---- trace --html: a timeline of calls and snapshots beside the map ----

  // cut removes [s, e) from the sorted pieces, splitting any that straddle its ends.
  function cut(pieces, s, e) {
    var out = [];
    for (var i = 0; i < pieces.length; i++) {
      var p = pieces[i];
      if (p.e <= s || p.s >= e) { out.push(p); continue; }
      if (p.s < s) out.push({ s: p.s, e: s, r: p.r, clipped: true });
      if (p.e > e) out.push({ s: e, e: p.e, r: p.r, clipped: true });
    }
    return out;
  }

  function insert(pieces, p) {
    var lo = 0, hi = pieces.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (pieces[mid].s < p.s) lo = mid + 1; else hi = mid;
    }
    pieces.splice(lo, 0, p);
  }

  // apply replays one call: its Removed ranges are cut, then each region in After replaces
  // whatever overlaps it (the kernel may have merged it with a neighbour, so After can be
  // larger than the call's own range).
  function apply(pieces, c) {
    (c.removed || []).forEach(function (r) { pieces = cut(pieces, addr(r.start), addr(r.end)); });
    (c.after || []).forEach(function (r) {
      var p = piece(r);
      pieces = cut(pieces, p.s, p.e);
      insert(pieces, p);
    });
    return pieces;
  }

  function traceView(app) {
    legend(true);
    // items: calls and snapshots in the order they were recorded.
    var items = [];
    var calls = data.calls || [], snaps = data.snapshots || [];
    var si = 0;
    for (var ci = 0; ci <= calls.length; ci++) {
      while (si < snaps.length && snaps[si].at <= ci) items.push({ snap: snaps[si++] });
      if (ci < calls.length) items.push({ call: calls[ci] });
    }
    items.forEach(function (it, i) {
      it.i = i;
      var x = it.call || it.snap;
      it.pid = x.pid;
      it.time = x.time;
    });
    var pids = [];
    var byPid = {};
    items.forEach(function (it) {
      if (!byPid[it.pid]) { byPid[it.pid] = []; pids.push(it.pid); }
      byPid[it.pid].push(it.i);
    });

    // Moving along a long trace must not replay it from the start at every step: the state
    // after every CHECK-th event of a process is kept, and a replay starts from the latest
    // one. forks keeps the parents' states at the forks their children start from.
    var CHECK = 256, checkpoints = {}, forks = {};
    // state returns the pieces of the address space of item i's process just after item i,
    // and where the replay started.
    function state(i, depth, fresh) {
      depth = depth || 0;
      if (forks[i] && !fresh) return forks[i];
      var it = items[i], list = byPid[it.pid];
      var k = list.indexOf(i), base = null, from = 'nothing', note = '';
      var j = k;
      while (j >= 0 && !items[list[j]].snap) j--;
      var n0 = j + 1;
      for (var c = k - k % CHECK; c > j && !fresh; c -= CHECK) {
        var cp = checkpoints[list[c]];
        if (cp) { base = cp.pieces; from = cp.from; note = cp.note; n0 = c + 1; break; }
      }
      if (!base && j >= 0) {
        var sn = items[list[j]].snap;
        base = sn.regions.map(piece);
        from = sn.why + ' snapshot at +' + sn.time.toFixed(6) + 's';
      } else if (!base && depth < 16) {
        // No snapshot of this process: a forked child starts as a copy of its parent's
        // address space at the fork.
        for (var f = list[0] - 1; f >= 0; f--) {
          var fc = items[f].call;
          if (fc && fc.pid !== it.pid && fc.retval === it.pid && /^(fork|vfork|clone|clone3)$/.test(fc.syscall)) {
            base = state(f, depth + 1, fresh).pieces;
            from = 'pid ' + fc.pid + "'s space at its " + fc.syscall + ' #' + fc.seq;
            break;
          }
        }
      }
      if (!base) {
        base = [];
        note = 'No snapshot of this process: only the regions its traced calls made are shown.';
      }
      // apply never changes the array it is given, so states can share them.
      for (var n = n0; n <= k; n++) {
        var call = items[list[n]].call;
        if (call) base = apply(base, call);
        if (n % CHECK === 0 && n > j && !fresh) checkpoints[list[n]] = { pieces: base, from: from, note: note };
      }
      var st = { pieces: base, from: from, note: note };
      if (depth > 0 && !fresh) forks[i] = st;
      return st;
    }

    // The timeline column.
    var tl = el('section', 'timeline');
    var canvas = el('canvas');
    var controls = el('div', 'controls');
    var prev = el('button', '', '◀'), next = el('button', '', '▶');
    prev.title = 'previous (←)';
    next.title = 'next (→)';
    var slider = el('input');
    slider.type = 'range';
    slider.min = '0';
    slider.max = String(Math.max(0, items.length - 1));
    var pidSel = el('select');
    pidSel.appendChild(new Option('all processes', ''));
    pids.forEach(function (p) { pidSel.appendChild(new Option('pid ' + p, String(p))); });
    controls.append(prev, slider, next, pidSel);
    var list = el('div', 'calls');
    var spacer = el('div');
    list.appendChild(spacer);
    var about = items.length + ' events: click the timeline, a line, or use the slider (or ← →).';
    if (data.dropped) about += ' The trace went on for ' + data.dropped + ' more calls than the page keeps.';
    tl.append(el('div', 'hint', about),
      canvas, controls, list);
    var maps = el('div', 'maps');
    var head = el('div', 'proc');
    var title = el('h2');
    var sub = el('div', 'sub');
    var m = el('div', 'map');
    head.append(title, sub, m);
    maps.appendChild(head);
    app.append(tl, maps, makeSide('Hover over a region for its details; click it to keep them here.'));

    var shown = items.map(function (it) { return it.i; }); // the items the filter lets through
    var sel = items.length - 1;
    var ROW = 18;

    // check compares, at every stride-th event, the state the page shows (replayed from its
    // checkpoints, as moving along the timeline does) with a replay from the snapshot alone.
    // #check in the page's address runs it; the tests do.
    function check(stride) {
      var checked = 0;
      for (var i = 0; i < items.length; i += stride) {
        var a = state(i).pieces, b = state(i, 0, true).pieces;
        var same = a.length === b.length && a.every(function (p, n) { return p.s === b[n].s && p.e === b[n].e && p.r === b[n].r; });
        if (!same) console.error('replay check: event ' + i + ': ' + a.length + ' regions from checkpoints, ' + b.length + ' from the snapshot');
        checked++;
      }
      statusEl.setAttribute('data-checked', String(checked));
    }

    function rowText(it) {
      if (it.snap) return '=== ' + it.snap.why + ' [' + it.pid + '] ' + it.snap.regions.length + ' regions';
      var c = it.call;
      return '[' + it.pid + (c.tid && c.tid !== c.pid ? '/' + c.tid : '') + '] ' + c.syscall + '(' + c.decoded + ') = ' + c.return;
    }

    function renderRows() {
      spacer.style.height = shown.length * ROW + 'px';
      var top = Math.max(0, Math.floor(list.scrollTop / ROW) - 2);
      var end = Math.min(shown.length, top + Math.ceil((list.clientHeight || 400) / ROW) + 4);
      var frag = document.createDocumentFragment();
      frag.appendChild(spacer);
      for (var n = top; n < end; n++) {
        var it = items[shown[n]];
        var row = el('div', 'call-row' + (it.snap ? ' snap' : '') + (it.i === sel ? ' sel' : ''));
        row.style.top = n * ROW + 'px';
        row.appendChild(el('span', 't', '+' + it.time.toFixed(6) + ' '));
        var txt = el('span', it.call && it.call.errno ? 'err' : '', rowText(it));
        row.appendChild(txt);
        row.title = rowText(it);
        row.setAttribute('data-item', String(it.i));
        frag.appendChild(row);
      }
      list.replaceChildren(frag);
    }
    list.addEventListener('scroll', renderRows);
    list.addEventListener('click', function (ev) {
      var row = ev.target.closest('.call-row');
      if (row) select(Number(row.getAttribute('data-item')));
    });

    // The canvas: one lane per process, a tick per event, coloured by what it did.
    var LANE = 16, t0 = 0, t1 = 1;
    if (items.length) {
      t0 = items[0].time;
      t1 = items[0].time;
      items.forEach(function (it) { t0 = Math.min(t0, it.time); t1 = Math.max(t1, it.time); });
    }
    if (t1 <= t0) t1 = t0 + 1e-6;
    // Ticks start right of the lane's label (its pid).
    var LEFT = 46;
    function xOf(t, w) { return LEFT + (w - LEFT - 4) * (t - t0) / (t1 - t0); }
    function drawCanvas() {
      var w = canvas.clientWidth || 420, h = LANE * pids.length + 4;
      var dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.height = h + 'px';
      var g = canvas.getContext('2d');
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, w, h);
      g.font = '10px sans-serif';
      pids.forEach(function (p, lane) {
        var y = 2 + lane * LANE;
        g.fillStyle = lane % 2 ? '#f4f4f4' : '#fbfbfb';
        g.fillRect(0, y, w, LANE);
        byPid[p].forEach(function (i) {
          var it = items[i], c = it.call;
          g.fillStyle = it.snap ? '#036' : c.errno ? '#8c564b' : (c.removed && c.removed.length) ? '#d62728' :
            (c.after && c.after.length) ? '#2ca02c' : '#999';
          g.fillRect(Math.round(xOf(it.time, w)), y + (it.snap ? 1 : 3), it.snap ? 2 : 1, it.snap ? LANE - 2 : LANE - 6);
        });
        g.fillStyle = '#555';
        g.fillText(String(p), 3, y + 11);
      });
      if (items[sel]) {
        g.fillStyle = '#000';
        g.fillRect(Math.round(xOf(items[sel].time, w)) - 1, 0, 2, h);
      }
    }
    canvas.addEventListener('click', function (ev) {
      var rect = canvas.getBoundingClientRect();
      var lane = Math.floor((ev.clientY - rect.top - 2) / LANE);
      if (lane < 0 || lane >= pids.length) return;
      var t = t0 + (ev.clientX - rect.left - LEFT) / (rect.width - LEFT - 4) * (t1 - t0);
      var best = -1, bd = Infinity;
      byPid[pids[lane]].forEach(function (i) {
        var d = Math.abs(items[i].time - t);
        if (d < bd) { bd = d; best = i; }
      });
      if (best >= 0) select(best);
    });

    function describe(it, st) {
      var mo = side.querySelector('.moment');
      mo.replaceChildren();
      if (it.snap) {
        mo.appendChild(el('h3', '', 'Snapshot (' + it.snap.why + ') of pid ' + it.pid));
        mo.appendChild(el('div', 'hint', 'The address space as /proc/' + it.pid + '/maps showed it at +' + it.time.toFixed(6) + 's.'));
        return;
      }
      var c = it.call;
      mo.appendChild(el('h3', '', c.syscall + ' #' + c.seq + ' in pid ' + c.pid + (c.tid !== c.pid ? ' (thread ' + c.tid + ')' : '')));
      mo.appendChild(el('div', 'decoded', c.syscall + '(' + c.decoded + ') = ' + c.return));
      var lines = [];
      (c.after || []).forEach(function (r) { lines.push('made/now ' + r.start.slice(2) + '-' + r.end.slice(2) + ' ' + r.perms + ' ' + size(r.size) + ' ' + r.kind + (r.name ? ' ' + regionName(r) : '')); });
      (c.removed || []).forEach(function (r) { lines.push('removed ' + r.start.slice(2) + '-' + r.end.slice(2) + ' ' + size(r.size) + ' ' + r.kind + (r.name ? ' ' + regionName(r) : '')); });
      if (!lines.length) lines.push('no change to the layout');
      lines.forEach(function (s) { mo.appendChild(el('div', 'mono', s)); });
      mo.appendChild(el('div', 'hint', 'Replayed from ' + st.from + '. ' + st.note));
    }

    function select(i, scroll) {
      if (i < 0 || i >= items.length) return;
      sel = i;
      var it = items[i];
      var st = state(i);
      var hl = [], ghosts = [];
      if (it.call) {
        (it.call.after || []).concat(it.call.before || []).forEach(function (r) { hl.push({ s: addr(r.start), e: addr(r.end) }); });
        (it.call.removed || []).forEach(function (r) { ghosts.push(piece(r)); });
      }
      var first = drawMap(m, st.pieces, hl, ghosts);
      pinned = null;
      var total = 0;
      st.pieces.forEach(function (p) { total += p.e - p.s; });
      title.textContent = 'pid ' + it.pid + (it.snap ? ' at its ' + it.snap.why + ' snapshot' : ' after ' + it.call.syscall + ' #' + it.call.seq) +
        ', +' + it.time.toFixed(6) + 's';
      sub.textContent = st.pieces.length + ' regions, ' + size(total) + ' mapped';
      describe(it, st);
      var pos = shown.indexOf(i);
      slider.value = String(pos < 0 ? 0 : pos);
      if (pos >= 0 && scroll !== false) {
        var y = pos * ROW;
        if (y < list.scrollTop || y > list.scrollTop + list.clientHeight - ROW) list.scrollTop = Math.max(0, y - list.clientHeight / 2);
      }
      renderRows();
      drawCanvas();
      if (first && first.scrollIntoView) first.scrollIntoView({ block: 'nearest' });
      statusEl.setAttribute('data-regions', String(st.pieces.length));
      statusEl.setAttribute('data-item', String(i));
    }

    slider.addEventListener('input', function () { select(shown[Number(slider.value)], true); });
    prev.addEventListener('click', function () { step(-1); });
    next.addEventListener('click', function () { step(1); });
    function step(d) {
      var pos = shown.indexOf(sel) + d;
      if (pos >= 0 && pos < shown.length) select(shown[pos]);
    }
    document.addEventListener('keydown', function (ev) {
      if (ev.target.tagName === 'INPUT' || ev.target.tagName === 'SELECT') return;
      if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') { step(-1); ev.preventDefault(); }
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') { step(1); ev.preventDefault(); }
    });
    pidSel.addEventListener('change', function () {
      var p = pidSel.value;
      shown = items.filter(function (it) { return p === '' || String(it.pid) === p; }).map(function (it) { return it.i; });
      slider.max = String(Math.max(0, shown.length - 1));
      if (shown.length && shown.indexOf(sel) < 0) select(shown[shown.length - 1]);
      else select(sel);
    });
    window.addEventListener('resize', drawCanvas);

    var params = hashParams();
    if (params.check !== undefined) check(Number(params.check) || 97);
    if (params.seq !== undefined) {
      var want = Number(params.seq);
      for (var n = 0; n < items.length; n++) if (items[n].call && items[n].call.seq === want) sel = n;
    }
    if (params.item !== undefined) sel = Number(params.item);
    if (!items.length) {
      title.textContent = 'nothing was recorded';
      statusEl.setAttribute('data-regions', '0');
      return 0;
    }
    select(sel);
    pinFromHash(params);
    return Number(statusEl.getAttribute('data-regions'));
  }

  var app = document.getElementById('app');
  var t = performance.now();
  var n = data.mode === 'trace' ? traceView(app) : mapsView(app);
  statusEl.textContent = n + ' regions drawn in ' + Math.round(performance.now() - t) + ' ms';
  // An error recorded on the way (see the catcher) stays the page's state.
  if (statusEl.getAttribute('data-state') === 'loading') statusEl.setAttribute('data-state', 'ready');
})();
