// pprof-trend HTML report: renders everything from the embedded JSON data.
// No network access of any kind; no dependencies. Charts are laid out for
// the width they are given (and again when it changes), never scaled. Errors
// are recorded in #selftest so a headless browser test can assert there
// were none; with #selftest in the address the page also checks its own
// layout and selection (see selfTest below).
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
  var FONT = 11; // px: chart text is drawn at this size and never scaled

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
    var s = (v / Math.pow(1024, u)).toFixed(2).replace(/\.00$/, '').replace(/(\.\d)0$/, '$1');
    return s === '0' || s === '-0' ? '0' : s + units[u];
  }
  function fmtNumber(v) {
    return Math.round(v).toLocaleString('en-US');
  }
  // The text output's cells, for reading: "~" (an estimate) as "≈", and a
  // real minus sign, so "~-14.89MiB" does not read like a typo.
  function pretty(s) {
    return String(s).replace(/(^|[\s(])~/g, '$1\u2248').replace(/(^|[\s(\u2248])-(?=\d)/g, '$1\u2212');
  }
  function fmtTime(p, i) { return p.time ? p.time.replace('T', ' ').replace('Z', ' UTC') : '#' + (i + 1); }

  // x positions: capture times when known, else capture numbers.
  var xs = D.profiles.map(function (p, i) { return D.seconds ? D.seconds[i] : i; });
  var restarts = D.restarts || [];

  // Round ticks: 1-2-5 steps, within a binary unit for bytes (0, 20MiB,
  // 40MiB ...), whole numbers for counts.
  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function axisTicks(maxY, count, bytes) {
    if (!(maxY > 0)) maxY = 1;
    var unit = 1;
    if (bytes) { var u = 0; while (u < 5 && maxY / Math.pow(1024, u + 1) >= 1) u++; unit = Math.pow(1024, u); }
    var step = Math.max(niceStep(maxY / unit / Math.max(1, count)) * unit, 1);
    var top = Math.ceil(maxY / step - 1e-9) * step, out = [];
    for (var k = 0; k * step <= top + step / 2; k++) out.push(k * step);
    return out;
  }

  // Time labels that show what differs between the captures: seconds for a
  // soak test, minutes within a day, dates across days, the year across years.
  var timeLabel = (function () {
    var times = D.profiles.map(function (p) { return p.time ? p.time : null; });
    if (times.some(function (t) { return !t; })) return function (i) { return '#' + (i + 1); };
    var minGap = Infinity;
    for (var i = 1; i < xs.length; i++) minGap = Math.min(minGap, Math.abs(xs[i] - xs[i - 1]));
    var years = {}, days = {}, clocks = {};
    times.forEach(function (t) { years[t.slice(0, 4)] = 1; days[t.slice(0, 10)] = 1; clocks[t.slice(11, 16)] = 1; });
    var count = function (o) { return Object.keys(o).length; };
    var withYear = count(years) > 1, withDate = count(days) > 1;
    var withClock = !withDate || count(clocks) > 1, withSeconds = minGap < 60;
    return function (i) {
      var t = times[i], parts = [];
      if (withDate) parts.push(withYear ? t.slice(0, 10) : t.slice(5, 10));
      if (withClock) parts.push(t.slice(11, withSeconds ? 19 : 16));
      return parts.join(' ');
    };
  })();

  function textWidth(s) { return String(s).length * FONT * 0.62; }

  // A chart with axes, laid out for the width of `container`.
  // series: [{name, values, color, errors?}]; opts.stacked: an area stack.
  function chart(container, series, opts) {
    var W = Math.max(240, Math.floor(container.clientWidth || 600));
    var narrow = W < 560;
    var H = opts.height || (narrow ? 200 : 260), R = 12, T = 14, B = 30;
    var n = xs.length, x0 = xs[0], x1 = xs[n - 1] === x0 ? x0 + 1 : xs[n - 1];
    var maxY = 0;
    for (var i = 0; i < n; i++) {
      var acc = 0;
      series.forEach(function (se) {
        var v = Math.max(0, se.values[i]) + (se.errors ? se.errors[i] || 0 : 0);
        acc = opts.stacked ? acc + v : Math.max(acc, v);
      });
      maxY = Math.max(maxY, acc);
    }
    // Lines over the series (the process's memory): in the scale too.
    (opts.lines || []).forEach(function (ln) {
      ln.values.forEach(function (v) { if (v != null) maxY = Math.max(maxY, v); });
    });
    // A limit (--limit) within twice the data's height widens the scale to show it.
    var limit = opts.limit && opts.limit.bytes <= 2 * maxY ? opts.limit : null;
    if (limit) maxY = Math.max(maxY, limit.bytes);
    var ticks = axisTicks(maxY, narrow ? 3 : 4, opts.format === fmtBytes && D.unit === 'bytes');
    maxY = ticks[ticks.length - 1];
    var L = 10 + Math.max.apply(null, ticks.map(function (v) { return textWidth(opts.format(v)); }));
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, 'class': 'chart', role: 'img', 'aria-label': opts.label });
    var X = function (v) { return L + (v - x0) / (x1 - x0) * (W - L - R); };
    var Y = function (v) { return T + (1 - v / maxY) * (H - T - B); };
    ticks.forEach(function (v) {
      var y = Y(v);
      s.appendChild(svg('line', { x1: L, x2: W - R, y1: y, y2: y, 'class': 'grid' }));
      s.appendChild(svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, opts.format(v)));
    });
    // x labels where they fit: the first, the last, and evenly between.
    var lastRight = -Infinity, labels = [];
    for (var k = 0; k < n; k++) {
      var x = X(xs[k]);
      s.appendChild(svg('line', { x1: x, x2: x, y1: H - B, y2: H - B + 4, stroke: 'currentColor' }));
      labels.push({ i: k, x: x, text: timeLabel(k), w: textWidth(timeLabel(k)) });
    }
    var placed = [];
    labels.forEach(function (lb, idx) {
      var left = Math.min(Math.max(lb.x - lb.w / 2, 0), W - lb.w);
      var isLast = idx === labels.length - 1;
      if (left < lastRight + 8) {
        if (!isLast || !placed.length) return;
        placed.pop(); // the last capture's time matters more than the one before it
        lastRight = placed.length ? placed[placed.length - 1].right : -Infinity;
        if (left < lastRight + 8) return;
      }
      placed.push({ lb: lb, left: left, right: left + lb.w });
      lastRight = left + lb.w;
    });
    placed.forEach(function (p) {
      s.appendChild(svg('text', { x: p.left + p.lb.w / 2, y: H - B + 17, 'text-anchor': 'middle' }, p.lb.text));
    });
    s.appendChild(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: 'currentColor' }));
    // Restarts: a dashed line between the last capture of a process and the first of the next.
    var lastRestartLabel = -Infinity;
    restarts.forEach(function (r) {
      if (r <= 0 || r >= n) return;
      var x = (X(xs[r - 1]) + X(xs[r])) / 2;
      s.appendChild(svg('line', { x1: x, x2: x, y1: T, y2: H - B, 'class': 'restart' }));
        var line = s.lastChild;
      line.appendChild(svg('title', {}, 'the process restarted before ' + fmtTime(D.profiles[r], r)));
      if (x - lastRestartLabel < textWidth('restart') + 10 || x + textWidth('restart') > W) return;  // marks stay, labels where they fit
      lastRestartLabel = x;
      s.appendChild(svg('text', { x: x + 3, y: T + 8, 'class': 'restart-label' }, 'restart'));
    });
    if (opts.limit) {
      // The limit: a dashed line where it fits the scale, else a note at the top.
      var said = 'limit ' + opts.limit.text + (opts.limit.when ? ': ' + opts.limit.when : '');
      if (limit) {
        var ly = Y(limit.bytes);
        s.appendChild(svg('line', { x1: L, x2: W - R, y1: ly, y2: ly, 'class': 'limit' }));
        s.lastChild.appendChild(svg('title', {}, opts.limit.line));
      }
      var lt = svg('text', { x: W - R, y: limit ? Math.max(T + 8, Y(limit.bytes) - 4) : T + 8, 'text-anchor': 'end', 'class': 'limit-label' },
        limit ? said : said + ' (above the scale)');
      lt.appendChild(svg('title', {}, opts.limit.line));
      s.appendChild(lt);
    }
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
        s.appendChild(svg('polyline', { points: pts.map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' '), fill: 'none', stroke: se.color, 'stroke-width': 2 }));
        pts.forEach(function (p, i) {
          var e = se.errors ? se.errors[i] : null;
          var tip = se.name + ' at ' + fmtTime(D.profiles[i], i) + ': ' + opts.format(se.values[i]);
          if (e) {
            // The 95% interval of an estimated value: a bar with caps.
            var lo = Y(Math.max(0, se.values[i] - e)), hi = Y(se.values[i] + e);
            var bar = svg('path', { d: 'M' + p[0] + ',' + lo + 'V' + hi + 'M' + (p[0] - 4) + ',' + lo + 'h8M' + (p[0] - 4) + ',' + hi + 'h8', stroke: se.color, 'class': 'errorbar' });
            s.appendChild(bar);
            tip += ' \u00b1' + opts.format(e) + ' (95%)';
          }
          var c = svg('circle', { cx: p[0], cy: p[1], r: 3.5, fill: se.color });
          c.appendChild(svg('title', {}, tip));
          s.appendChild(c);
        });
      }
    });
    // The process's memory (Go's MemStats, watch --pid): a line through the
    // captures that know it, a dot and a tip at each.
    (opts.lines || []).forEach(function (ln) {
      var pts = [];
      ln.values.forEach(function (v, i) { if (v != null) pts.push([X(xs[i]), Y(v), i, v]); });
      var pl = svg('polyline', { points: pts.map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' '), 'class': 'process ' + ln.cls });
      pl.appendChild(svg('title', {}, ln.name));
      s.appendChild(pl);
      pts.forEach(function (p) {
        var c = svg('circle', { cx: p[0], cy: p[1], r: 2.5, 'class': 'process ' + ln.cls });
        c.appendChild(svg('title', {}, ln.name + ' at ' + fmtTime(D.profiles[p[2]], p[2]) + ': ' + opts.format(p[3])));
        s.appendChild(c);
      });
    });
    container.appendChild(s);
    if (opts.legend) {
      var lg = el('div', { 'class': 'legend' });
      series.forEach(function (se) { var sp = el('span', { style: '--c:' + se.color }, se.name); lg.appendChild(sp); });
      (opts.lines || []).forEach(function (ln) { lg.appendChild(el('span', { 'class': 'line ' + ln.cls }, ln.name)); });
      if (series.some(function (se) { return se.errors; })) lg.appendChild(el('span', { 'class': 'plain' }, 'bars: 95% interval of the estimate'));
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
  // The command line: a long one (a glob of many captures) shows its first
  // lines and a control for the rest, so the sites stay on the first screen.
  var command = document.getElementById('command');
  command.textContent = D.command;
  var commandMore = document.getElementById('command-more');
  if (command.scrollHeight > command.clientHeight + 1) {
    commandMore.hidden = false;
    commandMore.addEventListener('click', function () {
      command.classList.remove('clamped');
      commandMore.hidden = true;
    });
  } else {
    command.classList.remove('clamped');
  }
  document.querySelectorAll('#summary b').forEach(function (b) { b.textContent = pretty(b.textContent); });
  var inputs = document.getElementById('inputs');
  var captureHeadings = Array.prototype.map.call(document.querySelectorAll('#captures thead th'), function (th) { return th.textContent; });
  // A long series shows its first and last captures, the middle folded
  // behind a control, as the text output does: the sites stay near the top.
  var FOLD_KEEP = 3, foldable = D.profiles.length > 2 * FOLD_KEEP + 2, foldRow = null;
  D.profiles.forEach(function (p, i) {
    var tr = el('tr');
    if (foldable && i >= FOLD_KEEP && i < D.profiles.length - FOLD_KEEP) tr.className = 'folded';
    [[String(i + 1), 'num number'], [p.path, 'mono path-cell'],
     [fmtTime(p, i) + (restarts.indexOf(i) >= 0 ? ' (restarted)' : '') +
      (p.partial ? ' (partial table: ' + (100 * p.coverage).toFixed(1) + '% of its objects)' : ''), 'time'],
     [fmtBytes(p.total_bytes), 'num'], [D.objects_index ? fmtNumber(p.total_objects) : '-', 'num']
    ].forEach(function (c, k) { tr.appendChild(el('td', { 'class': c[1], 'data-label': captureHeadings[k] }, c[0])); });
    inputs.appendChild(tr);
  });
  function foldCaptures(fold) {
    if (!foldable) return;
    inputs.querySelectorAll('tr.folded').forEach(function (r) { r.hidden = fold; });
    if (fold && !foldRow) {
      var hidden = D.profiles.length - 2 * FOLD_KEEP;
      var button = el('button', { type: 'button', 'class': 'action', id: 'show-captures' },
                      'show the ' + hidden + ' captures between #' + FOLD_KEEP + ' and #' + (D.profiles.length - FOLD_KEEP + 1));
      button.addEventListener('click', function () { foldCaptures(false); });
      foldRow = el('tr', { id: 'captures-fold' });
      var cell = el('td', { colspan: '5' });
      cell.appendChild(button);
      foldRow.appendChild(cell);
      inputs.insertBefore(foldRow, inputs.children[FOLD_KEEP]);
    } else if (!fold && foldRow) {
      inputs.removeChild(foldRow);
      foldRow = null;
    }
  }
  foldCaptures(true);

  // Memory over time: the top growing sites stacked under the total.
  var top = D.sites.filter(function (s) { return s.grew; }).slice(0, 5);
  var overviewSeries = top.map(function (s, i) { return { name: '#' + s.rank + ' ' + s.short, values: s.bytes, color: COLORS[i] }; });
  var rest = D.profiles.map(function (p, i) {
    return p.total_bytes - top.reduce(function (a, s) { return a + s.bytes[i]; }, 0);
  });
  overviewSeries.push({ name: 'everything else', values: rest, color: COLORS[5] });
  // --limit: the line on the memory chart and what the projection says.
  function limitOpts() {
    var p = D.projection;
    if (!p) return null;
    var m = /^limit ([^:]+): (.*)$/.exec(p.text) || [null, fmtBytes(p.limit_bytes), p.text];
    var when = p.outcome === 'reaches' && p.reaches_limit_at ? 'reached ~' + p.reaches_limit_at.replace('T', ' ').replace('Z', ' UTC') :
      p.outcome === 'over' ? 'already reached' : (p.outcome === 'not_growing' || p.outcome === 'plateau') ? 'not at the current trend' : '';
    return { bytes: p.limit_bytes, text: m[1], when: when, line: p.text };
  }
  // The process's memory where the captures carry it (Go's MemStats from
  // ?debug=1 heap text, watch --pid): what Go holds from the OS, the RSS, the
  // memory cgroup's usage; a line each that two or more captures know.
  function processLines() {
    var defs = [
      ['held from the OS (Sys - HeapReleased)', 'held', function (m) { return m.sys != null && m.heap_released != null ? m.sys - m.heap_released : null; }],
      ['RSS', 'rss', function (m) { return m.rss != null ? m.rss : null; }],
      ['cgroup memory', 'cgroup', function (m) { return m.cgroup_current != null ? m.cgroup_current : null; }]];
    var lines = [];
    defs.forEach(function (d) {
      var values = D.profiles.map(function (p) { return p.process_memory ? d[2](p.process_memory) : null; });
      if (values.filter(function (v) { return v != null; }).length >= 2) lines.push({ name: d[0], cls: d[1], values: values });
    });
    return lines;
  }
  function renderOverview() {
    var host = document.getElementById('overview');
    host.textContent = '';
    chart(host, overviewSeries, { stacked: true, legend: true, format: fmtBytes, label: 'in-use memory over the captures', limit: limitOpts(), lines: processLines() });
  }

  // The ranked table.
  // A goroutine series: its nodes are stacks of goroutines, not allocation sites.
  if (D.goroutines) {
    var relabel = { bpo: 'stack \u2265', objects: 'waiting in', name: 'goroutine stack' };
    Object.keys(relabel).forEach(function (k) { document.querySelector('#sites th button[data-key="' + k + '"]').textContent = relabel[k]; });
    document.getElementById('sites-heading').textContent = 'Goroutine stacks';
    document.getElementById('overview-heading').textContent = 'Goroutines over time';
    document.getElementById('overview-text').textContent = 'Goroutines alive at each capture: the top growing stacks stacked under everything else.';
    document.getElementById('no-sites').textContent = 'No goroutine stack changed: there is nothing to list.';
  }
  var tbody = document.getElementById('sites-body');
  var search = document.getElementById('search');
  var shown = 100, sortKey = 'rank', sortDir = 1;
  var selected = null; // the site shown in the detail panel, while the filter keeps it
  var columns = {
    rank: function (s) { return s.rank; },
    growth: function (s) { return s.delta_bytes; },
    per_day: function (s) { return s.bytes_per_day === null ? -Infinity : s.bytes_per_day; },
    bpo: function (s) {
      if (D.goroutines) return s.stack_bytes_at_least == null ? -Infinity : s.stack_bytes_at_least;
      return s.bytes_per_object === null ? -Infinity : s.bytes_per_object;
    },
    objects: function (s) { return s.delta_objects; },
    'class': function (s) { return s['class']; },
    name: function (s) { return s.short; }
  };
  var headings = Array.prototype.map.call(document.querySelectorAll('#sites thead th'), function (th) { return th.textContent; });
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
  function cell(text, cls, column) {
    var td = el('td', { 'data-label': headings[column] || '' }, text);
    if (cls) td.className = cls;
    return td;
  }
  function renderTable() {
    var list = visibleSites();
    tbody.textContent = '';
    list.slice(0, shown).forEach(function (s) {
      var tr = el('tr', { tabindex: '0', 'data-rank': s.rank });
      if (s === selected) { tr.classList.add('selected'); tr.setAttribute('aria-selected', 'true'); }
      tr.appendChild(cell(String(s.rank), 'num rank', 0));
      tr.appendChild(cell(pretty(s.display.growth), 'num', 1));
      tr.appendChild(cell(pretty(s.display.per_day), 'num', 2));
      tr.appendChild(cell(s.display.bytes_per_object, 'num', 3));
      tr.appendChild(cell(pretty(s.display.objects), 'num', 4));
      var spark = cell(undefined, 'spark', 5);
      spark.appendChild(sparkline(s.bytes));
      if (D.objects_index) spark.appendChild(sparkline(s.objects));
      tr.appendChild(spark);
      tr.appendChild(cell(s['class'], 'class-' + s['class'], 6));
      var site = cell(s.short, 'mono site', 7);
      site.title = s.name;
      tr.appendChild(site);
      tr.addEventListener('click', function () { select(s); });
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(s); } });
      tbody.appendChild(tr);
    });
    var more = document.getElementById('show-more');
    more.hidden = list.length <= shown;
    more.textContent = 'show more (' + (list.length - shown) + ' more)';
    document.getElementById('count').textContent = list.length + ' of ' + D.sites.length + ' sites' +
      (D.sites_omitted ? ' (' + D.sites_omitted + ' stable sites not included)' : '');
    document.getElementById('no-sites').hidden = D.sites.length > 0;
    // The detail panel shows the selected site only while the table does.
    var visible = selected !== null && list.indexOf(selected) >= 0;
    var d = document.getElementById('detail');
    var hiddenNote = document.getElementById('detail-filtered');
    d.hidden = !visible;
    hiddenNote.hidden = visible || selected === null;
    if (!visible && selected !== null) hiddenNote.textContent = 'The selected site, #' + selected.rank + ' ' + selected.short + ', is hidden by the filter.';
    if (visible && d.getAttribute('data-rank') !== String(selected.rank)) renderDetail();
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

  function select(s) {
    selected = s;
    document.getElementById('detail').removeAttribute('data-rank');
    renderTable();
  }

  // Detail view of the selected site.
  function shellQuote(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }
  function regexQuote(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
  function renderDetail() {
    var s = selected;
    var d = document.getElementById('detail');
    if (!s || d.hidden) return;
    d.setAttribute('data-rank', String(s.rank));
    d.textContent = '';
    d.appendChild(el('h3', { 'class': 'mono' }, '#' + s.rank + ' ' + s.name));
    d.appendChild(el('p', {}, s['class'] + ': ' + pretty(s.display.growth) + ' from first to last capture' +
      (s.bytes_per_day !== null ? ', ' + pretty(s.display.per_day) + ' per ' + D.rate_unit : '') + (s.phrase ? ' (' + pretty(s.phrase) + ')' : '') + '.'));
    if (s.residence) d.appendChild(el('p', {}, pretty(s.residence.charAt(0).toUpperCase() + s.residence.slice(1)) + '.'));
    var charts = el('div', { 'class': 'detail-chart' });
    d.appendChild(charts);
    // Error bars on bytes only where each object has one known size.
    var byteErrors = s.objects_error95 && s.bytes_per_object_exact && s.object_sizes.length === 1
      ? s.objects_error95.map(function (e) { return e * s.bytes_per_object; }) : null;
    chart(charts, [{ name: D.sample_index, values: s.bytes, color: COLORS[0], errors: byteErrors }],
      { format: fmtBytes, legend: true, height: 220, label: D.sample_index + ' of the site' });
    if (D.objects_index) {
      chart(charts, [{ name: D.objects_index, values: s.objects, color: COLORS[3], errors: s.objects_error95 }],
        { format: fmtNumber, legend: true, height: 170, label: D.objects_index + ' of the site' });
    }
    if (s.growth_by_size && s.growth_by_size.length > 1) d.appendChild(sizeSplit(s));
    var ev = el('p');
    if (D.goroutines) {
      // A goroutine stack: exact counts, the wait, the stack memory held.
      ev.textContent = 'Goroutines counted exactly (not sampled)' + (s.goroutine_wait ? ', waiting in ' + s.goroutine_wait : '') +
        '; their stacks hold ' + s.display.bytes_per_object + ' at least at the last capture.';
      d.appendChild(ev);
    }
    var evidence = 'Bytes per object: ' + s.display.bytes_per_object;
    if (s.bytes_per_object_exact && s.object_sizes.length > 1) evidence += ', exact: the size of most of the growth; the samples carry the bytes labels ' + s.object_sizes.join(', ') + ' (see the growth by object size).';
    else if (s.bytes_per_object_exact) evidence += ', exact: every sample of this site carries the bytes label ' + s.object_sizes[0] + '.';
    else if (s.bytes_per_object !== null) evidence += ', an estimate from a least-squares fit of bytes on objects' + (s.object_sizes.length ? ' (object sizes seen: ' + s.object_sizes.join(', ') + ' bytes).' : '.');
    else evidence += '.';
    if (s.bytes_per_object_regression !== null) evidence += ' Fit of bytes on objects: ' + s.bytes_per_object_regression.toFixed(1) + ' bytes per object.';
    if (s.objects_estimated) evidence += ' Object counts are estimates: the profiler samples small allocations and scales them up.';
    if (!D.goroutines) {
      ev.textContent = evidence;
      d.appendChild(ev);
    }
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

  // The site's growth split by object size: one bar per size, as wide as its
  // share of the largest change.
  function sizeSplit(s) {
    var box = el('div', { 'class': 'sizes' });
    box.appendChild(el('h4', {}, 'Growth by object size'));
    var max = Math.max.apply(null, s.growth_by_size.map(function (g) { return Math.abs(g.delta_bytes); }).concat([1]));
    s.growth_by_size.forEach(function (g) {
      var row = el('div', { 'class': 'size-row' });
      var label = g.size > 0 ? fmtBytes(g.size) + ' objects' : g.size === 0 ? 'size unknown' : 'other sizes';
      row.appendChild(el('span', { 'class': 'size-label' }, label));
      var track = el('span', { 'class': 'size-track' });
      var bar = el('span', { 'class': 'size-bar ' + (g.delta_bytes >= 0 ? 'up' : 'down') });
      bar.style.width = (Math.abs(g.delta_bytes) / max * 100).toFixed(1) + '%';
      track.appendChild(bar);
      row.appendChild(track);
      row.appendChild(el('span', { 'class': 'size-value' }, pretty((g.delta_bytes >= 0 ? '+' : '-') + fmtBytes(Math.abs(g.delta_bytes))) + ' (' + (g.delta_objects >= 0 ? '+' : '\u2212') + fmtNumber(Math.abs(g.delta_objects)) + ' objects)'));
      box.appendChild(row);
    });
    return box;
  }

  // Growth flame graph (icicle): width = growth + |shrinkage| beneath a path.
  var nodes = D.flame.map(function (f) { return { n: f.n, g: f.g, s: f.s, p: f.p, c: [] }; });
  nodes.forEach(function (node, i) { if (i > 0) nodes[node.p].c.push(node); });
  var flameFocus = nodes[0];
  var tip = document.getElementById('flame-tip');
  function nodeName(node) { return node.n < 0 ? 'all growth' : D.frames[node.n].function; }
  var MIN_BOX = 3; // px: narrower children of one parent are drawn as one box
  function renderFlame() {
    var host = document.getElementById('flame');
    host.textContent = '';
    var W = Math.max(240, Math.floor(host.clientWidth || 600)), ROW = 18;
    var ancestors = [];
    for (var a = flameFocus; a; a = a.p >= 0 && a !== nodes[0] ? nodes[a.p] : null) ancestors.unshift(a);
    var rects = [];
    ancestors.forEach(function (a, depth) { rects.push({ node: a, x: 0, w: W, depth: depth }); });
    var base = ancestors.length - 1, total = flameFocus.g - flameFocus.s, maxDepth = base;
    // Children laid out left to right, biggest first; iterative, so deep stacks cannot overflow.
    var stack = [{ node: flameFocus, x: 0, w: W, depth: base }];
    while (stack.length) {
      var it = stack.pop();
      var x = it.x, small = null;
      it.node.c.slice().sort(function (p, q) { return (q.g - q.s) - (p.g - p.s) || nodeName(p).localeCompare(nodeName(q)); }).forEach(function (c) {
        var w = total > 0 ? (c.g - c.s) / total * W : 0;
        if (w >= MIN_BOX) {
          rects.push({ node: c, x: x, w: w, depth: it.depth + 1 });
          maxDepth = Math.max(maxDepth, it.depth + 1);
          stack.push({ node: c, x: x, w: w, depth: it.depth + 1 });
        } else if (w > 0) {
          if (!small) small = { x: x, w: 0, depth: it.depth + 1, count: 0, g: 0, s: 0 };
          small.w += w; small.count++; small.g += c.g; small.s += c.s;
        }
        x += w;
      });
      if (small && small.w >= 1) { rects.push({ small: small, x: small.x, w: small.w, depth: small.depth }); maxDepth = Math.max(maxDepth, small.depth); }
    }
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + ((maxDepth + 1) * ROW), width: W, height: (maxDepth + 1) * ROW, 'class': 'chart', role: 'img', 'aria-label': 'growth flame graph' });
    host.appendChild(s);
    rects.forEach(function (r) {
      var g = svg('g', { tabindex: '0' });
      var grew = r.small ? r.small.g : r.node.g, shrank = r.small ? r.small.s : r.node.s;
      var net = grew + shrank, share = Math.min(1, Math.abs(net) / Math.max(1, grew - shrank));
      var color = r.small ? 'var(--muted)' : net >= 0 ? 'hsl(5,' + (45 + 40 * share) + '%,' + (58 - 14 * share) + '%)' : 'hsl(212,' + (45 + 40 * share) + '%,' + (58 - 14 * share) + '%)';
      var rect = svg('rect', { x: r.x.toFixed(2), y: r.depth * ROW, width: Math.max(1, r.w).toFixed(2), height: ROW - 1 });
      rect.style.fill = color;
      g.appendChild(rect);
      var label = r.small ? r.small.count + ' small call paths' : nodeName(r.node);
      var info = label + '\ngrowth ' + (net >= 0 ? '+' : '\u2212') + fmtBytes(Math.abs(net)) + ' (grew +' + fmtBytes(grew) + ', shrank ' + fmtBytes(shrank) + ')';
      s.appendChild(g);
      if (r.w - 6 >= FONT) {
        // The longest prefix of the name that fits, measured, with an ellipsis.
        var t = svg('text', { x: r.x + 3, y: r.depth * ROW + 13 }, label);
        g.appendChild(t);
        var room = r.w - 6;
        if (t.getComputedTextLength() > room) {
          var lo = 0, hi = label.length;
          while (lo < hi) {
            var mid = Math.ceil((lo + hi) / 2);
            t.textContent = label.slice(0, mid) + '\u2026';
            if (t.getComputedTextLength() <= room) lo = mid; else hi = mid - 1;
          }
          if (lo < 2) g.removeChild(t); else t.textContent = label.slice(0, lo) + '\u2026';
        }
      }
      g.addEventListener('mousemove', function (e) { tip.style.display = 'block'; tip.style.left = Math.min(e.clientX + 12, window.innerWidth - tip.offsetWidth - 4) + 'px'; tip.style.top = (e.clientY + 12) + 'px'; tip.textContent = info; });
      g.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
      if (!r.small) {
        g.addEventListener('click', function () { flameFocus = r.node; renderFlame(); });
        g.addEventListener('keydown', function (e) { if (e.key === 'Enter') { flameFocus = r.node; renderFlame(); } });
      }
      g.appendChild(svg('title', {}, info));
    });
  }
  document.getElementById('flame-reset').addEventListener('click', function () { flameFocus = nodes[0]; renderFlame(); });

  function renderCharts() {
    renderOverview();
    renderFlame();
    var d = document.getElementById('detail');
    if (!d.hidden) { d.removeAttribute('data-rank'); renderDetail(); }
  }
  // Re-laid out when the width changes (a rotated phone, a resized window).
  var laidOutWidth = 0, pending = false;
  function relayout() {
    var w = document.getElementById('overview').clientWidth;
    if (w !== laidOutWidth) { laidOutWidth = w; renderCharts(); }
  }
  function scheduleRelayout() {
    if (pending) return;
    pending = true;
    window.setTimeout(function () { pending = false; relayout(); }, 100);  // once for a burst of events
  }
  // The container's width, not the window's: a vertical scrollbar that
  // appears once the page is drawn narrows it too.
  if (window.ResizeObserver) new ResizeObserver(scheduleRelayout).observe(document.getElementById('overview'));
  window.addEventListener('resize', scheduleRelayout);

  var firstGrowing = D.sites.filter(function (s) { return s.grew; })[0];
  selected = firstGrowing || null;
  renderTable();
  laidOutWidth = document.getElementById('overview').clientWidth;
  renderOverview();
  renderFlame();
  relayout();  // the charts below the first may have brought a vertical scrollbar, narrowing the page

  // For tests: what rendered, at what size, and any error.
  function size(id) { var s = document.querySelector(id + ' svg'); if (!s) return '0x0'; var b = s.getBoundingClientRect(); return Math.round(b.width) + 'x' + Math.round(b.height); }
  var st = document.getElementById('selftest');
  var row = tbody.querySelector('tr');
  st.setAttribute('data-overview', size('#overview'));
  st.setAttribute('data-flame', size('#flame'));
  st.setAttribute('data-detail', size('#detail'));
  st.setAttribute('data-top-row', row ? row.textContent : '');
  if (location.hash === '#selftest') selfTest(st);
  st.setAttribute('data-errors', String(errors.length));
  st.textContent = errors.join('\n');
  if (location.hash === '#selftest' && window.parent !== window) {
    // In a frame of the test's size (a headless browser's window is at least
    // 500 px wide): the results go to the page around it.
    var results = {};
    Array.prototype.forEach.call(st.attributes, function (a) { if (a.name.indexOf('data-') === 0) results[a.name] = a.value; });
    window.parent.postMessage(results, '*');
    // The test then narrows the frame: the charts must follow. (A headless
    // browser may not run its resize steps without frames to draw, so the
    // self-test watches the width itself.)
    var startWidth = window.innerWidth, polls = 0;
    var poll = function () {
      if (window.innerWidth !== startWidth) {
        relayout();
        window.parent.postMessage({ 'data-relaid-viewport': String(window.innerWidth), 'data-relaid-overview': size('#overview'),
          'data-relaid-flame': size('#flame') }, '*');
      } else if (++polls < 100) {
        window.setTimeout(poll, 50);
      }
    };
    window.setTimeout(poll, 50);
  }

  // With #selftest in the address: the checks of the browser test, made by
  // the page on itself and written as attributes of #selftest.
  function selfTest(st) {
    var vw = window.innerWidth;
    st.setAttribute('data-viewport', vw + 'x' + window.innerHeight);
    st.setAttribute('data-dark', String(window.matchMedia('(prefers-color-scheme: dark)').matches));
    st.setAttribute('data-scroll-width', String(document.documentElement.scrollWidth));
    st.setAttribute('data-client-width', String(document.documentElement.clientWidth));
    var site = tbody.querySelector('tr td.site');
    var r = site ? site.getBoundingClientRect() : null;
    st.setAttribute('data-site-cell', r ? Math.round(r.left) + '..' + Math.round(r.right) : 'none');
    st.setAttribute('data-sites', String(D.sites.length));
    st.setAttribute('data-no-sites-note', String(!document.getElementById('no-sites').hidden));
    st.setAttribute('data-site-visible', String(!!r && r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth));
    // The first screen: where the top site's row (or the note that there is
    // none) begins, unscrolled; the captures' rows shown, then all of them.
    var first = tbody.querySelector('tr') || document.getElementById('no-sites');
    st.setAttribute('data-first-site-top', String(Math.round(first.getBoundingClientRect().top + window.scrollY)));
    var shownRows = function () {
      return Array.prototype.filter.call(inputs.querySelectorAll('tr'), function (x) { return !x.hidden && x.id !== 'captures-fold'; }).length;
    };
    st.setAttribute('data-capture-rows', String(shownRows()));
    var unfold = document.getElementById('show-captures');
    if (unfold) unfold.click();
    st.setAttribute('data-capture-rows-all', String(shownRows()));
    foldCaptures(true);  // as a reader finds the page (the screenshot)
    // The smallest chart text as rendered: font size times the SVG's scale.
    var smallest = Infinity;
    document.querySelectorAll('svg.chart text').forEach(function (t) {
      var ctm = t.getScreenCTM();
      if (!ctm || !t.getComputedTextLength()) return;
      smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * Math.abs(ctm.a));
    });
    st.setAttribute('data-min-chart-font', String(Math.round(smallest * 10) / 10));
    // What the charts show: the overview's time labels, restart marks, error
    // bars and the size split of the detail panel.
    var labels = [];
    document.querySelectorAll('#overview svg text[text-anchor="middle"]').forEach(function (t) { labels.push(t.textContent); });
    st.setAttribute('data-x-labels', labels.join('|'));
    var ticks = [];
    document.querySelectorAll('#overview svg text[text-anchor="end"]').forEach(function (t) { ticks.push(t.textContent); });
    st.setAttribute('data-y-ticks', ticks.join('|'));
    st.setAttribute('data-restart-marks', String(document.querySelectorAll('#overview svg line.restart').length));
    st.setAttribute('data-limit-lines', String(document.querySelectorAll('#overview svg line.limit').length));
    st.setAttribute('data-process-lines', Array.prototype.map.call(document.querySelectorAll('#overview svg polyline.process'),
      function (p) { return p.getAttribute('class').replace('process ', '') + ':' + p.getAttribute('points').split(' ').length; }).join(','));
    var limitLabel = document.querySelector('#overview svg text.limit-label');
    st.setAttribute('data-limit-label', limitLabel ? limitLabel.firstChild.nodeValue : '');  // its text, not its title
    st.setAttribute('data-error-bars', String(document.querySelectorAll('#detail svg .errorbar').length));
    st.setAttribute('data-size-rows', String(document.querySelectorAll('#detail .size-row').length));
    // Selection, filter, detail: click the top row, filter it away, clear.
    var steps = [], detail = document.getElementById('detail');
    var topRow = tbody.querySelector('tr');
    if (topRow) {
      var rank = topRow.getAttribute('data-rank');
      topRow.click();
      var consistent = function () {
        var sel = tbody.querySelector('tr.selected');
        return !detail.hidden && detail.getAttribute('data-rank') === rank && !!sel && sel.getAttribute('data-rank') === rank;
      };
      steps.push('clicked:' + consistent());
      search.value = 'no-site-has-this-name-\u2603';
      search.dispatchEvent(new Event('input'));
      steps.push('filtered:' + (detail.hidden && !document.getElementById('detail-filtered').hidden && !tbody.querySelector('tr')));
      search.value = '';
      search.dispatchEvent(new Event('input'));
      steps.push('cleared:' + consistent());
    }
    st.setAttribute('data-selection', steps.join(' '));
  }
})();
