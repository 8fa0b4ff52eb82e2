//! The page's constant parts: SVG patterns, CSS and the script (constants, so no run text can
//! inject markup).

pub(super) const DEFS: &str = "<defs>\
<pattern id=\"hatch-down\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e6e8eb\"/><rect width=\"2.5\" height=\"6\" fill=\"#8c959f\"/></pattern>\
<pattern id=\"hatch-pause\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\"><rect width=\"2.5\" height=\"6\" fill=\"#9a6700\" fill-opacity=\"0.75\"/></pattern>\
<pattern id=\"stripe-p0\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fb8f44\" fill-opacity=\"0.10\"/><rect width=\"3\" height=\"8\" fill=\"#fb8f44\" fill-opacity=\"0.35\"/></pattern>\
<pattern id=\"stripe-p1\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\"><rect width=\"8\" height=\"8\" fill=\"#8250df\" fill-opacity=\"0.08\"/><rect width=\"3\" height=\"8\" fill=\"#8250df\" fill-opacity=\"0.30\"/></pattern>\
<pattern id=\"stripe-p2\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(90)\"><rect width=\"8\" height=\"8\" fill=\"#1a7f37\" fill-opacity=\"0.08\"/><rect width=\"3\" height=\"8\" fill=\"#1a7f37\" fill-opacity=\"0.30\"/></pattern>\
<pattern id=\"stripe-iso\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#cf222e\" fill-opacity=\"0.08\"/><rect width=\"3\" height=\"8\" fill=\"#cf222e\" fill-opacity=\"0.30\"/></pattern>\
</defs>";

pub(super) const CSS: &str = r#"
:root{--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--bg:#fff;--ok:#1a7f37;--bad:#cf222e}
*{box-sizing:border-box}
body{margin:0;padding:0 18px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
code,.x,.t,#tip{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
header{padding:10px 0 4px;border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:6px 0}
h1 .seed{color:var(--mute);font-weight:400}
h2{font-size:16px;margin:16px 0 6px}
h2 .sub{font-size:12px;font-weight:400;color:var(--mute)}
.badge{display:inline-block;padding:1px 10px;border-radius:12px;color:#fff;font-size:15px;vertical-align:middle}
.badge.ok{background:var(--ok)}.badge.failed{background:var(--bad)}
.meta{color:var(--mute);margin:2px 0}
.describe{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;margin:4px 0}
table{border-collapse:collapse}
.kv th{text-align:left;font-weight:500;color:var(--mute);padding:1px 14px 1px 0}
.kv td{padding:1px 10px 1px 0}
.checks td{padding:2px 10px 2px 0;vertical-align:top}
.checks .tag{font-weight:700}
.checks .pass .tag{color:var(--ok)}
.checks .fail .tag{color:var(--bad)}
.checks .fail{background:#ffebe9}
.checks .name{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;white-space:nowrap}
.checks .grp{color:var(--mute);font-size:12px}
.checks .detail{color:#31373d}
.bad{color:var(--bad)}.good{color:var(--ok)}
.finals{display:flex;gap:24px;flex-wrap:wrap}
.grid th,.grid td{border:1px solid var(--line);padding:2px 8px;text-align:left;font-size:13px}
.grid th{background:#f6f8fa}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--mute);margin:4px 0 8px}
.legend span{display:inline-flex;align-items:center;gap:4px}
.sw{display:inline-block;width:18px;height:11px;border:1px solid #0002}
.sw.master{background:#1f6feb}.sw.replica{background:#2da44e}.sw.replica-nolink{background:#aee0bb}
.sw.down{background:repeating-linear-gradient(45deg,#8c959f 0 2px,#e6e8eb 2px 5px)}
.sw.starting{background:#d0d7de}.sw.paused{background:repeating-linear-gradient(-45deg,#9a6700 0 2px,#fff0 2px 5px)}
.sw.s-ok{background:#cfe6f7}.sw.s-sdown{background:#f2a93b}.sw.s-odown{background:#d1242f}
.sw.failover{background:#0969da}.sw.tilt{background:#8250df}.sw.clock{background:#bf8700}
.sw.partition{background:repeating-linear-gradient(45deg,#fb8f4460 0 3px,#fb8f4418 3px 8px)}
.sw.partition2{background:repeating-linear-gradient(-45deg,#8250df50 0 3px,#8250df14 3px 8px)}
.sw.isolated{background:repeating-linear-gradient(45deg,#cf222e50 0 3px,#cf222e14 3px 8px)}
.chart{display:flex;border:1px solid var(--line);border-radius:4px;overflow:hidden}
.chart svg{display:block;font-size:10px}
.names{flex:none;border-right:1px solid var(--line);background:#fff}
.names .ln{font-size:12px;font-weight:600;fill:var(--fg)}
.names .sub{font-size:10px;fill:var(--mute)}
.names .axis-t{font-size:10px;fill:var(--mute)}
.scroll{overflow-x:auto;flex:1 1 auto;min-width:0}
.lanebg0{fill:#fff}.lanebg1{fill:#f6f8fa}
.grid{stroke:#d8dee4;stroke-width:1}
.axis text{fill:var(--mute);text-anchor:middle}
.guide{stroke:#24292f;stroke-opacity:.16;stroke-dasharray:2 3}
.cursor{stroke:#cf222e;stroke-width:1.5}
.seg rect{stroke:#fff;stroke-width:.5}
.seg text{fill:#fff;pointer-events:none}
.seg.master rect{fill:#1f6feb}.seg.replica rect{fill:#2da44e}.seg.replica-nolink rect{fill:#aee0bb}
.seg.replica-nolink text,.seg.starting text,.seg.s-ok text,.seg.s-sdown text,.seg.down text{fill:#1f2328}
.seg.down rect{fill:url(#hatch-down)}.seg.starting rect{fill:#d0d7de}
.seg.s-ok rect{fill:#cfe6f7}.seg.s-sdown rect{fill:#f2a93b}.seg.s-odown rect{fill:#d1242f}
.win.paused rect{fill:url(#hatch-pause)}
.win.paused text{fill:#3d2c00;font-weight:600}
.win.p0 rect{fill:url(#stripe-p0)}.win.p1 rect{fill:url(#stripe-p1)}.win.p2 rect{fill:url(#stripe-p2)}
.win.isolated rect,.win.oneway-out rect,.win.oneway-in rect{fill:url(#stripe-iso)}
.win .wl{fill:#6e4000;font-size:9px;font-weight:600}
.win.netpart rect{fill:#fb8f44;fill-opacity:.55}
.win.latency rect,.win.loss rect{fill:#bf8700;fill-opacity:.45}
.win .wt{fill:#1f2328;font-size:9px}
.win.tilt rect{fill:#8250df}.win.failover rect{fill:#0969da}.win.clock rect{fill:#bf8700}
.mark text{fill:#1f2328}
.mark.switch line{stroke:#8250df;stroke-width:2}.mark.switch path{fill:#8250df}.mark.switch text{fill:#5a32a3;font-weight:600}
.mark.leader circle{fill:#f2c744;stroke:#7d4e00}.mark.leader text{font-weight:600;fill:#7d4e00}
.mark.epoch path{stroke:#57606a;stroke-width:1.5}.mark.epoch text{fill:#57606a}
.mark.action path{fill:#24292f}
.mark.command path{fill:#0969da}
.mark.clockmark circle{fill:#bf8700}
.mark.w-ok rect{fill:#2da44e}.mark.w-err rect{fill:#fb8f44}.mark.w-unknown rect{fill:#8c959f}
.mark.w-lost rect,.mark.w-lost path{fill:#cf222e}.mark.w-lost text{fill:#a40e26;font-weight:700}
.wseg rect{stroke:none}
.wseg.wo-ok rect,.sw.wo-ok{background:#2da44e;fill:#2da44e}
.wseg.wo-lost rect,.sw.wo-lost{background:#cf222e;fill:#cf222e}
.wseg.wo-lost rect{stroke:#82071e;stroke-width:1}
.wseg.wo-readonly rect,.sw.wo-readonly{background:#fb8f44;fill:#fb8f44}
.wseg.wo-noreplicas rect,.sw.wo-noreplicas{background:#d4a72c;fill:#d4a72c}
.wseg.wo-connection rect,.sw.wo-connection{background:#8c959f;fill:#8c959f}
.wseg.wo-other rect,.sw.wo-other{background:#a475f9;fill:#a475f9}
.wseg.wo-unknown rect{fill:url(#hatch-down)}
.sw.wo-unknown{background:repeating-linear-gradient(45deg,#8c959f 0 2px,#e6e8eb 2px 5px)}
.wnode rect{stroke:#fff;stroke-width:.5}
.wnode text{fill:#fff;font-size:9px;pointer-events:none}
.wnode.n0 rect{fill:#0550ae}.wnode.n1 rect{fill:#8250df}.wnode.n2 rect{fill:#bf3989}.wnode.n3 rect{fill:#1b7c83}.wnode.n4 rect{fill:#953800}
.wnode.n-none rect{fill:#d0d7de}.wnode.n-none text{fill:#1f2328}
.win.unavail rect,.sw.unavail{background:#cf222e;fill:#cf222e;fill-opacity:.7}
.tk{stroke-width:1}
.tk.k-a{stroke:#24292f}.tk.k-s{stroke:#0969da}.tk.k-l{stroke:#8c959f}.tk.k-d{stroke:#57ab5a}
#tip{position:fixed;z-index:10;pointer-events:none;white-space:pre;max-width:80vw;overflow:hidden;background:#fffbe6;border:1px solid #d4a72c;border-radius:4px;padding:4px 8px;font-size:12px;box-shadow:0 2px 8px #0003}
.filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:4px 0 8px;font-size:13px}
.tablewrap{max-height:60vh;overflow:auto;border:1px solid var(--line);border-radius:4px}
#events{width:100%;font-size:12.5px}
#events th{position:sticky;top:0;background:#f6f8fa;text-align:left;padding:3px 8px;border-bottom:1px solid var(--line)}
#events td{padding:1px 8px;vertical-align:top;white-space:nowrap}
#events td.x{white-space:pre-wrap;word-break:break-all}
#events td.t{text-align:right;color:var(--mute)}
#events tr{cursor:pointer}
#events tr.k-a{background:#fff8c5;font-weight:600}
#events tr.k-l,#events tr.k-d{color:#59636e}
#events tr.sel{outline:2px solid #cf222e;outline-offset:-2px;background:#ffebe9}
#events tr:hover{background:#eef4ff}
"#;

pub(super) const SCRIPT: &str = r#"
(function () {
  'use strict';
  var svg = document.getElementById('chart');
  if (!svg) return;
  var scroll = document.getElementById('scroll');
  var wrap = document.getElementById('tablewrap');
  var tip = document.getElementById('tip');
  var cursor = document.getElementById('cursor');
  var pxms = parseFloat(svg.getAttribute('data-px-per-ms'));
  var x0 = parseFloat(svg.getAttribute('data-x0'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('#events tbody tr'));
  var lanes = Array.prototype.slice.call(svg.querySelectorAll('g.lane'));
  var byLane = {};
  rows.forEach(function (r) {
    r._t = parseInt(r.getAttribute('data-t'), 10);
    var l = r.getAttribute('data-l');
    (byLane[l] = byLane[l] || []).push(r);
  });
  // One tooltip (ours): the SVG titles become data-tip attributes.
  Array.prototype.slice.call(svg.querySelectorAll('title')).forEach(function (t) {
    t.parentNode.setAttribute('data-tip', t.textContent);
    t.parentNode.removeChild(t);
  });
  function laneAt(y) {
    for (var i = 0; i < lanes.length; i++) {
      var y0 = parseFloat(lanes[i].getAttribute('data-y'));
      var h = parseFloat(lanes[i].getAttribute('data-h'));
      if (y >= y0 && y < y0 + h) return lanes[i];
    }
    return null;
  }
  function point(ev) {
    var b = svg.getBoundingClientRect();
    return { x: ev.clientX - b.left, y: ev.clientY - b.top };
  }
  function near(lane, t, tol) {
    var list = byLane[lane.getAttribute('data-l')] || [];
    var lo = 0, hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid]._t < t - tol) lo = mid + 1; else hi = mid;
    }
    var out = [];
    for (var i = lo; i < list.length && list[i]._t <= t + tol; i++) out.push(list[i]);
    return out;
  }
  function text(r) {
    return r.cells[0].textContent + 's  ' + r.cells[1].textContent + '  ' + r.cells[3].textContent;
  }
  svg.addEventListener('mousemove', function (ev) {
    var p = point(ev);
    var lines = [];
    var el = ev.target.closest ? ev.target.closest('[data-tip]') : null;
    if (el) lines.push(el.getAttribute('data-tip'));
    var lane = laneAt(p.y);
    if (lane) {
      var hits = near(lane, (p.x - x0) / pxms, 5 / pxms);
      if (hits.length && lines.length) lines.push('');
      hits.slice(0, 14).forEach(function (r) { lines.push(text(r)); });
      if (hits.length > 14) lines.push('... ' + (hits.length - 14) + ' more (click to see them in the list)');
    }
    if (!lines.length) { tip.hidden = true; return; }
    tip.textContent = lines.join('\n');
    tip.hidden = false;
    var x = ev.clientX + 14, y = ev.clientY + 16;
    if (x + tip.offsetWidth > window.innerWidth - 8) x = Math.max(8, ev.clientX - tip.offsetWidth - 14);
    if (y + tip.offsetHeight > window.innerHeight - 8) y = Math.max(8, ev.clientY - tip.offsetHeight - 16);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });
  svg.addEventListener('mouseleave', function () { tip.hidden = true; });
  function moveCursor(t) {
    var x = x0 + t * pxms;
    cursor.setAttribute('x1', x);
    cursor.setAttribute('x2', x);
    cursor.setAttribute('visibility', 'visible');
    return x;
  }
  var selected = null;
  function select(r) {
    if (selected) selected.classList.remove('sel');
    selected = r;
    r.classList.add('sel');
  }
  svg.addEventListener('click', function (ev) {
    var p = point(ev);
    var lane = laneAt(p.y);
    var t = (p.x - x0) / pxms;
    moveCursor(t);
    if (!lane) return;
    var hits = near(lane, t, 12 / pxms);
    if (!hits.length) return;
    var best = hits[0];
    hits.forEach(function (r) { if (Math.abs(r._t - t) < Math.abs(best._t - t)) best = r; });
    if (best.style.display === 'none') { resetFilters(); }
    select(best);
    wrap.scrollTop = best.offsetTop - wrap.clientHeight / 2;
  });
  rows.forEach(function (r) {
    r.addEventListener('click', function () {
      select(r);
      var x = moveCursor(r._t);
      scroll.scrollLeft = x - scroll.clientWidth / 2;
      svg.scrollIntoView({ block: 'nearest' });
    });
  });
  var q = document.getElementById('q');
  var nf = document.getElementById('nf');
  var kfs = Array.prototype.slice.call(document.querySelectorAll('.kf'));
  var count = document.getElementById('count');
  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var kinds = {};
    kfs.forEach(function (k) { kinds[k.value] = k.checked; });
    var node = nf.value;
    var shown = 0;
    rows.forEach(function (r) {
      var ok = kinds[r.className.split(' ')[0]] !== false && (!node || r.getAttribute('data-l') === node);
      if (ok && words.length) {
        var s = r.textContent.toLowerCase();
        for (var i = 0; i < words.length; i++) if (s.indexOf(words[i]) < 0) { ok = false; break; }
      }
      r.style.display = ok ? '' : 'none';
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' lines';
  }
  function resetFilters() {
    q.value = '';
    nf.value = '';
    kfs.forEach(function (k) { k.checked = true; });
    apply();
  }
  q.addEventListener('input', apply);
  nf.addEventListener('change', apply);
  kfs.forEach(function (k) { k.addEventListener('change', apply); });
  apply();
})();
"#;
