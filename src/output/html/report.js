// pprof-trend HTML report: renders everything from the embedded JSON data.
// No network access of any kind; no dependencies. Errors are recorded in
// #selftest so a headless browser test can assert there were none.
(function () {
  'use strict';
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  var consoleError = console.error;
  console.error = function () {
    errors.push(Array.prototype.join.call(arguments, ' '));
    consoleError.apply(console, arguments);
  };

  var D = JSON.parse(document.getElementById('pprof-trend-data').textContent);
  document.getElementById('rate-heading').textContent = 'per ' + D.rate_unit;
  var NS = 'http://www.w3.org/2000/svg'; // the SVG namespace name, not a URL that is fetched
  var COLORS = ['#c9372c', '#e07b39', '#d9a82e', '#8a4baf', '#2f9e8f', '#8895a1'];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // Sizes as the text output prints them: IEC units, two decimals, ".00" dropped.
  function fmtBytes(v) {
    if (D.unit !== 'bytes') return fmtNumber(v);
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], a = Math.abs(v), u = 0;
    while (u < 5 && a >= 1024) { a /= 1024; u++; }
    var s = (v / Math.pow(1024, u)).toFixed(2).replace(/\.00$/, '');
    return s === '0' || s === '-0' ? '0' : s + units[u];
  }
  function fmtNumber(v) {
    return Math.round(v).toLocaleString('en-US');
  }
  function fmtTime(p, i) { return p.time ? p.time.replace('T', ' ').replace('Z', ' UTC') : '#' + (i + 1); }
  function shortTime(p, i) { return p.time ? p.time.slice(5, 16).replace('T', ' ') : '#' + (i + 1); }

  // x positions: capture times when known, else capture numbers.
  var xs = D.profiles.map(function (p, i) { return D.seconds ? D.seconds[i] : i; });

  // A chart with axes. series: [{name, values, color}]; stacked: area stack.
  function chart(container, series, opts) {
    var W = opts.width || 860, H = opts.height || 260, L = 76, R = opts.right || 16, T = 12, B = 34;
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, 'class': 'chart', role: 'img', 'aria-label': opts.label });
    var n = xs.length, x0 = xs[0], x1 = xs[n - 1] === x0 ? x0 + 1 : xs[n - 1];
    var tops = [], maxY = 0;
    for (var i = 0; i < n; i++) {
      var acc = 0;
      series.forEach(function (se) { acc = opts.stacked ? acc + Math.max(0, se.values[i]) : Math.max(acc, se.values[i]); });
      maxY = Math.max(maxY, acc);
    }
    if (maxY <= 0) maxY = 1;
    var X = function (v) { return L + (v - x0) / (x1 - x0) * (W - L - R); };
    var Y = function (v) { return T + (1 - v / maxY) * (H - T - B); };
    var ticks = 4;
    for (var t = 0; t <= ticks; t++) {
      var v = maxY * t / ticks, y = Y(v);
      s.appendChild(svg('line', { x1: L, x2: W - R, y1: y, y2: y, 'class': 'grid' }));
      s.appendChild(svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, opts.format(v)));
    }
    D.profiles.forEach(function (p, i) {
      var x = X(xs[i]);
      s.appendChild(svg('line', { x1: x, x2: x, y1: H - B, y2: H - B + 4, stroke: 'currentColor' }));
      s.appendChild(svg('text', { x: x, y: H - B + 16, 'text-anchor': i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle' }, shortTime(p, i)));
    });
    s.appendChild(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: 'currentColor' }));
    var base = new Array(n).fill(0);
    series.forEach(function (se) {
      var pts = [];
      for (var i = 0; i < n; i++) pts.push([X(xs[i]), Y(base[i] + Math.max(0, se.values[i]))]);
      if (opts.stacked) {
        var back = [];
        for (var j = n - 1; j >= 0; j--) back.push([X(xs[j]), Y(base[j])]);
        var d = 'M' + pts.concat(back).map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join('L') + 'Z';
        var area = svg('path', { d: d, fill: se.color, 'fill-opacity': 0.8 });
        area.appendChild(svg('title', {}, se.name));
        s.appendChild(area);
        for (var k = 0; k < n; k++) base[k] += Math.max(0, se.values[k]);
      } else {
        s.appendChild(svg('polyline', { points: pts.map(function (p) { return p.join(','); }).join(' '), fill: 'none', stroke: se.color, 'stroke-width': 2 }));
        pts.forEach(function (p, i) {
          var c = svg('circle', { cx: p[0], cy: p[1], r: 3.5, fill: se.color });
          c.appendChild(svg('title', {}, se.name + ' at ' + fmtTime(D.profiles[i], i) + ': ' + opts.format(se.values[i])));
          s.appendChild(c);
        });
      }
    });
    container.appendChild(s);
    if (opts.legend) {
      var lg = el('div', { 'class': 'legend' });
      series.forEach(function (se) { var sp = el('span', { style: '--c:' + se.color }, se.name); lg.appendChild(sp); });
      container.appendChild(lg);
    }
    return s;
  }

  function sparkline(values) {
    var W = 64, H = 18, max = Math.max.apply(null, values.concat([1]));
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, 'aria-hidden': 'true' });
    var n = values.length;
    var pts = values.map(function (v, i) {
      return ((n === 1 ? 0 : i / (n - 1)) * (W - 4) + 2).toFixed(1) + ',' + (H - 2 - Math.max(0, v) / max * (H - 4)).toFixed(1);
    });
    s.appendChild(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5 }));
    return s;
  }

  // Header.
  document.getElementById('command').textContent = D.command;
  var inputs = document.getElementById('inputs');
  D.profiles.forEach(function (p, i) {
    var tr = el('tr');
    tr.appendChild(el('td', { 'class': 'num' }, String(i + 1)));
    tr.appendChild(el('td', { 'class': 'mono' }, p.path));
    tr.appendChild(el('td', {}, fmtTime(p, i)));
    tr.appendChild(el('td', { 'class': 'num' }, fmtBytes(p.total_bytes)));
    tr.appendChild(el('td', { 'class': 'num' }, D.objects_index ? fmtNumber(p.total_objects) : '-'));
    inputs.appendChild(tr);
  });

  // Memory over time: the top growing sites stacked under the total.
  var top = D.sites.filter(function (s) { return s.grew; }).slice(0, 5);
  var series = top.map(function (s, i) { return { name: '#' + s.rank + ' ' + s.short, values: s.bytes, color: COLORS[i] }; });
  var rest = D.profiles.map(function (p, i) {
    return p.total_bytes - top.reduce(function (a, s) { return a + s.bytes[i]; }, 0);
  });
  series.push({ name: 'everything else', values: rest, color: COLORS[5] });
  chart(document.getElementById('overview'), series, { stacked: true, legend: true, format: fmtBytes, label: 'in-use memory over the captures' });

  // The ranked table.
  var tbody = document.getElementById('sites-body');
  var search = document.getElementById('search');
  var shown = 100, sortKey = 'rank', sortDir = 1;
  var columns = {
    rank: function (s) { return s.rank; },
    growth: function (s) { return s.delta_bytes; },
    per_day: function (s) { return s.bytes_per_day === null ? -Infinity : s.bytes_per_day; },
    bpo: function (s) { return s.bytes_per_object === null ? -Infinity : s.bytes_per_object; },
    objects: function (s) { return s.delta_objects; },
    'class': function (s) { return s['class']; },
    name: function (s) { return s.short; }
  };
  function visibleSites() {
    var q = search.value.trim().toLowerCase();
    var list = D.sites.filter(function (s) {
      if (!q) return true;
      if (s.name.toLowerCase().indexOf(q) >= 0 || s['class'].indexOf(q) === 0) return true;
      return s.stack.some(function (f) { return D.frames[f].function.toLowerCase().indexOf(q) >= 0 || D.frames[f].file.toLowerCase().indexOf(q) >= 0; });
    });
    var key = columns[sortKey];
    list.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x < y) return -sortDir;
      if (x > y) return sortDir;
      return a.rank - b.rank;
    });
    return list;
  }
  function renderTable() {
    var list = visibleSites();
    tbody.textContent = '';
    list.slice(0, shown).forEach(function (s) {
      var tr = el('tr', { tabindex: '0', 'data-rank': s.rank });
      tr.appendChild(el('td', { 'class': 'num' }, String(s.rank)));
      tr.appendChild(el('td', { 'class': 'num' }, s.display.growth));
      tr.appendChild(el('td', { 'class': 'num' }, s.display.per_day));
      tr.appendChild(el('td', { 'class': 'num' }, s.display.bytes_per_object));
      tr.appendChild(el('td', { 'class': 'num' }, s.display.objects));
      var spark = el('td');
      spark.appendChild(sparkline(s.bytes));
      if (D.objects_index) spark.appendChild(sparkline(s.objects));
      tr.appendChild(spark);
      tr.appendChild(el('td', { 'class': 'class-' + s['class'] }, s['class']));
      tr.appendChild(el('td', { 'class': 'mono', title: s.name }, s.short));
      tr.addEventListener('click', function () { showDetail(s); });
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); showDetail(s); } });
      tbody.appendChild(tr);
    });
    var more = document.getElementById('show-more');
    more.hidden = list.length <= shown;
    more.textContent = 'show more (' + (list.length - shown) + ' more)';
    document.getElementById('count').textContent = list.length + ' of ' + D.sites.length + ' sites' +
      (D.sites_omitted ? ' (' + D.sites_omitted + ' stable sites not included)' : '');
  }
  document.querySelectorAll('th button[data-key]').forEach(function (b) {
    b.addEventListener('click', function () {
      var key = b.getAttribute('data-key');
      if (sortKey === key) sortDir = -sortDir; else { sortKey = key; sortDir = key === 'rank' || key === 'name' || key === 'class' ? 1 : -1; }
      document.querySelectorAll('th button[data-key]').forEach(function (o) { o.removeAttribute('aria-sort'); });
      b.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      renderTable();
    });
  });
  search.addEventListener('input', function () { shown = 100; renderTable(); });
  document.getElementById('show-more').addEventListener('click', function () { shown += 100; renderTable(); });

  // Detail view of one site.
  function shellQuote(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }
  function regexQuote(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
  function showDetail(s) {
    document.querySelectorAll('tbody tr.selected').forEach(function (r) { r.classList.remove('selected'); });
    var row = tbody.querySelector('tr[data-rank="' + s.rank + '"]');
    if (row) row.classList.add('selected');
    var d = document.getElementById('detail');
    d.hidden = false;
    d.textContent = '';
    d.appendChild(el('h3', { 'class': 'mono' }, '#' + s.rank + ' ' + s.name));
    d.appendChild(el('p', {}, s['class'] + ': ' + s.display.growth + ' from first to last capture' +
      (s.bytes_per_day !== null ? ', ' + s.display.per_day + ' per ' + D.rate_unit : '') + (s.phrase ? ' (' + s.phrase + ')' : '') + '.'));
    var charts = el('div', { 'class': 'detail-chart' });
    var series = [{ name: D.sample_index, values: s.bytes, color: COLORS[0] }];
    chart(charts, series, { format: fmtBytes, legend: true, height: 220, label: D.sample_index + ' of the site' });
    if (D.objects_index) chart(charts, [{ name: D.objects_index, values: s.objects, color: COLORS[3] }], { format: fmtNumber, legend: true, height: 160, label: D.objects_index + ' of the site' });
    d.appendChild(charts);
    var ev = el('p');
    var evidence = 'Bytes per object: ' + s.display.bytes_per_object;
    if (s.bytes_per_object_exact) evidence += ', exact: every sample of this site carries the bytes label ' + s.object_sizes[0] + '.';
    else if (s.bytes_per_object !== null) evidence += ', an estimate from a least-squares fit of bytes on objects' + (s.object_sizes.length ? ' (object sizes seen: ' + s.object_sizes.join(', ') + ' bytes).' : '.');
    else evidence += '.';
    if (s.bytes_per_object_regression !== null) evidence += ' Fit of bytes on objects: ' + s.bytes_per_object_regression.toFixed(1) + ' bytes per object.';
    if (s.objects_estimated) evidence += ' Object counts are estimates: the profiler samples small allocations and scales them up.';
    ev.textContent = evidence;
    d.appendChild(ev);
    d.appendChild(el('h4', {}, 'Call path (root to leaf)'));
    var ol = el('ol', { 'class': 'path' });
    s.stack.forEach(function (f, i) {
      var li = el('li', {}, D.frames[f].function);
      var where = D.frames[f].file + (s.lines[i] ? ':' + s.lines[i] : '');
      li.appendChild(el('span', { 'class': 'where' }, where));
      ol.appendChild(li);
    });
    d.appendChild(ol);
    d.appendChild(el('h4', {}, 'Reproduce with go tool pprof'));
    var first = D.profiles[0].path, last = D.profiles[D.profiles.length - 1].path;
    var focus = shellQuote('^' + regexQuote(s.name.replace(/:\d+$/, '')) + '$');
    [
      'go tool pprof -top -diff_base=' + shellQuote(first) + ' -focus=' + focus + ' ' + shellQuote(last),
      'go tool pprof -traces -focus=' + focus + ' ' + shellQuote(last),
      'go tool pprof -http=: -diff_base=' + shellQuote(first) + ' ' + shellQuote(last)
    ].forEach(function (cmd) {
      var div = el('div', { 'class': 'cmd' });
      div.appendChild(el('code', {}, cmd));
      var b = el('button', { 'class': 'action', type: 'button' }, 'copy');
      b.addEventListener('click', function () {
        if (navigator.clipboard) navigator.clipboard.writeText(cmd).then(function () { b.textContent = 'copied'; }, function () { b.textContent = 'select and copy'; });
      });
      div.appendChild(b);
      d.appendChild(div);
    });
  }

  // Growth flame graph (icicle): width = growth + |shrinkage| beneath a path.
  var nodes = D.flame.map(function (f) { return { n: f.n, g: f.g, s: f.s, p: f.p, c: [] }; });
  nodes.forEach(function (node, i) { if (i > 0) nodes[node.p].c.push(node); });
  var flameFocus = nodes[0];
  var tip = document.getElementById('flame-tip');
  function nodeName(node) { return node.n < 0 ? 'all growth' : D.frames[node.n].function; }
  function renderFlame() {
    var host = document.getElementById('flame');
    host.textContent = '';
    var W = 1180, ROW = 18;
    var ancestors = [];
    for (var a = flameFocus; a; a = a.p >= 0 && a !== nodes[0] ? nodes[a.p] : null) ancestors.unshift(a);
    var rects = [];
    ancestors.forEach(function (a, depth) { rects.push({ node: a, x: 0, w: W, depth: depth }); });
    var base = ancestors.length - 1, total = flameFocus.g - flameFocus.s, maxDepth = base;
    // Children laid out left to right, biggest first; iterative, so deep stacks cannot overflow.
    var stack = [{ node: flameFocus, x: 0, w: W, depth: base }];
    while (stack.length) {
      var it = stack.pop();
      var x = it.x;
      it.node.c.slice().sort(function (p, q) { return (q.g - q.s) - (p.g - p.s) || nodeName(p).localeCompare(nodeName(q)); }).forEach(function (c) {
        var w = total > 0 ? (c.g - c.s) / total * W : 0;
        if (w >= 0.5) {
          rects.push({ node: c, x: x, w: w, depth: it.depth + 1 });
          maxDepth = Math.max(maxDepth, it.depth + 1);
          stack.push({ node: c, x: x, w: w, depth: it.depth + 1 });
        }
        x += w;
      });
    }
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + ((maxDepth + 1) * ROW), width: W, height: (maxDepth + 1) * ROW, 'class': 'chart', role: 'img', 'aria-label': 'growth flame graph' });
    rects.forEach(function (r) {
      var net = r.node.g + r.node.s, share = Math.min(1, Math.abs(net) / Math.max(1, r.node.g - r.node.s));
      var color = net >= 0 ? 'hsl(5,' + (45 + 40 * share) + '%,' + (58 - 14 * share) + '%)' : 'hsl(212,' + (45 + 40 * share) + '%,' + (58 - 14 * share) + '%)';
      var g = svg('g', { tabindex: '0' });
      var rect = svg('rect', { x: r.x.toFixed(2), y: r.depth * ROW, width: Math.max(0.5, r.w).toFixed(2), height: ROW - 1, fill: color });
      g.appendChild(rect);
      var label = nodeName(r.node);
      var chars = Math.floor((r.w - 6) / 6.5);
      if (chars >= 3) g.appendChild(svg('text', { x: r.x + 3, y: r.depth * ROW + 13 }, label.length > chars ? label.slice(0, chars - 1) + '\u2026' : label));
      var info = label + '\ngrowth ' + (net >= 0 ? '+' : '') + fmtBytes(net) + ' (grew +' + fmtBytes(r.node.g) + ', shrank ' + fmtBytes(r.node.s) + ')';
      g.addEventListener('mousemove', function (e) { tip.style.display = 'block'; tip.style.left = (e.clientX + 12) + 'px'; tip.style.top = (e.clientY + 12) + 'px'; tip.textContent = info; });
      g.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
      g.addEventListener('click', function () { flameFocus = r.node; renderFlame(); });
      g.addEventListener('keydown', function (e) { if (e.key === 'Enter') { flameFocus = r.node; renderFlame(); } });
      g.appendChild(svg('title', {}, info));
      s.appendChild(g);
    });
    host.appendChild(s);
  }
  document.getElementById('flame-reset').addEventListener('click', function () { flameFocus = nodes[0]; renderFlame(); });

  renderTable();
  renderFlame();
  var firstGrowing = D.sites.filter(function (s) { return s.grew; })[0];
  if (firstGrowing) showDetail(firstGrowing);

  // For tests: what rendered, at what size, and any error.
  function size(id) { var s = document.querySelector(id + ' svg'); if (!s) return '0x0'; var b = s.getBoundingClientRect(); return Math.round(b.width) + 'x' + Math.round(b.height); }
  var row = tbody.querySelector('tr');
  var st = document.getElementById('selftest');
  st.setAttribute('data-overview', size('#overview'));
  st.setAttribute('data-flame', size('#flame'));
  st.setAttribute('data-detail', size('#detail'));
  st.setAttribute('data-top-row', row ? row.textContent : '');
  st.setAttribute('data-errors', String(errors.length));
  st.textContent = errors.join('\n');
})();
