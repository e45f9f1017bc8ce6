#include "reports/html_assets.h"

namespace mikeyconf::reports {

namespace {

constexpr std::string_view kCss = R"css(
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;color:#1f2328}
body{margin:0 auto;max-width:1400px;padding:16px}
h1{font-size:22px;margin:4px 0 8px}h2{border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:32px}
h3{margin:2px 0 6px;font-size:16px}h4{margin:12px 0 4px}h5{margin:8px 0 2px;font-size:13px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.kv th{width:11em}
code,pre,.mono,.tree td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:6px;font-size:12px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
pre.hex{white-space:pre;word-break:normal;overflow-x:auto}
.v{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
.v-pass,.m-pass{background:#1a7f37}.v-fail,.m-fail{background:#cf222e}.v-xpass,.m-xpass{background:#82071e}
.v-error,.m-error{background:#bc4c00}.v-inconclusive,.m-inconclusive{background:#9a6700}
.v-xfail,.m-xfail{background:#0969da}.v-skipped,.m-skipped{background:#6e7781}
.bar{display:flex;height:14px;border-radius:4px;overflow:hidden;max-width:900px;margin:6px 0}
#summary{border:1px solid #d0d7de;border-radius:8px;padding:8px 16px;background:#fbfcfd}
#summary table{margin:4px 0}#summary td,#summary th{padding:2px 6px}
.outcome{font-size:17px;font-weight:700;margin:4px 0}.ok{color:#1a7f37}.bad{color:#cf222e;font-weight:600}
td.bad{background:#ffebe9}.counts .v{margin-left:6px}code.digest{word-break:break-all}
.seq-wrap{overflow-x:auto}
article.case{border:1px solid #d0d7de;border-left:6px solid #6e7781;border-radius:6px;padding:8px 12px;margin:14px 0}
article.c-pass{border-left-color:#1a7f37}article.c-fail{border-left-color:#cf222e}article.c-xpass{border-left-color:#82071e}
article.c-error{border-left-color:#bc4c00}article.c-inconclusive{border-left-color:#9a6700}article.c-xfail{border-left-color:#0969da}
tr.bad td{background:#ffebe9}.tree td{padding:1px 6px;font-size:12px}.tree tr.g td{color:#57606a}
.d1{padding-left:20px!important}.d2{padding-left:36px!important}.d3{padding-left:52px!important}
.d4{padding-left:68px!important}.d5{padding-left:84px!important}.d6{padding-left:100px!important}
.d7{padding-left:116px!important}.d8{padding-left:132px!important}
.nb{color:#cf222e;background:#ffebe9}.cut{color:#9a6700;font-style:italic}.muted{color:#57606a}
details.entry{border-top:1px dashed #d0d7de;padding:4px 0}summary{cursor:pointer}
.setup-error{border:2px solid #cf222e;background:#ffebe9;border-radius:6px;padding:4px 12px}
.reason{font-weight:600}.nw{white-space:nowrap}.filter label{margin-right:12px}.print-only{display:none}
@media print{
body{max-width:none;padding:0;font-size:11px}
#filter,button.copy,nav,#case-details,details.entry,.seq-wrap,details.unclaimed{display:none!important}
#requirements tr[data-verdict=pass],#case-table tr[data-verdict=pass],#case-table tr[data-verdict=skipped]{display:none}
.print-only{display:block}h2{break-after:avoid;margin-top:16px}tr{break-inside:avoid}
.v,.bar span,.setup-error{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)css";

// Renders nothing as markup: every text of the data goes into the page with textContent.
constexpr std::string_view kScript = R"js(
(function () {
  "use strict";
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var filter = document.getElementById("filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#case-table tr[data-verdict]"));
  function apply() {
    var on = {};
    filter.querySelectorAll("input[type=checkbox]").forEach(function (b) { on[b.value] = b.checked; });
    var level = document.getElementById("f-level").value;
    var group = document.getElementById("f-group").value;
    var text = document.getElementById("f-text").value.toLowerCase();
    var shown = 0;
    rows.forEach(function (r) {
      var ok = on[r.getAttribute("data-verdict")] &&
        (!level || r.getAttribute("data-level") === level) &&
        (!group || (" " + r.getAttribute("data-groups") + " ").indexOf(" " + group + " ") >= 0) &&
        (!text || r.textContent.toLowerCase().indexOf(text) >= 0);
      r.hidden = !ok;
      var article = document.getElementById(r.getAttribute("data-case"));
      if (article) article.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById("f-count").textContent = shown + " of " + rows.length + " cases shown";
  }
  if (filter) {
    filter.addEventListener("input", apply);
    filter.addEventListener("change", apply);
    filter.hidden = false;
    apply();
  }
  var cache = {};
  function caseData(id) {
    if (!(id in cache)) {
      var s = document.getElementById(id);
      cache[id] = s ? JSON.parse(s.textContent) : { e: [] };
    }
    return cache[id];
  }
  function hex2(n, width) { var s = n.toString(16); while (s.length < width) s = "0" + s; return s; }
  var tables = null;
  function row(i) {
    if (tables === null) {
      var t = document.getElementById("tables");
      tables = t ? JSON.parse(t.textContent) : { p: [], r: [] };
    }
    var r = tables.r[i] || [0, 0, 0];
    return [tables.p[r[0]] || "?"].concat(r.slice(1));
  }
  // A text of the data ([shown, size]) as html_bytes shows it: "\r" and "\xHH" marked, "\\" one
  // backslash, and a note when it was cut.
  function marked(tag, cls, t) {
    var e = el(tag, cls), s = t[0], plain = "", shown = 0;
    function flush() { if (plain) { e.appendChild(document.createTextNode(plain)); plain = ""; } }
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      if (c !== "\\") { plain += c; shown++; continue; }
      var n = s.charAt(i + 1);
      if (n === "\\") { plain += "\\"; i++; shown++; continue; }
      var esc = n === "r" ? "\\r" : "\\x" + s.substr(i + 2, 2);
      i += n === "r" ? 1 : 3;
      shown++;
      flush();
      e.appendChild(el("span", "nb", esc));
    }
    flush();
    if (t[1] > shown) e.appendChild(el("span", "cut", "\n\u2026 " + (t[1] - shown) + " more bytes not shown (results.json has every byte)"));
    return e;
  }
  function toHex(b64) {
    var raw = atob(b64), out = "";
    for (var i = 0; i < raw.length; i++) out += hex2(raw.charCodeAt(i), 2);
    return out;
  }
  // A byte-aligned field's value when the data leaves it out: the integer of its bytes.
  function valueOf(hex) { return hex ? parseInt(hex, 16).toString() : ""; }
  function hexDump(hex) {
    var out = "", n = hex.length / 2, width = n > 0x10000 ? 8 : 4;
    for (var row = 0; row < n; row += 16) {
      var bytes = "", text = "";
      for (var i = 0; i < 16; i++) {
        if (row + i < n) {
          var b = parseInt(hex.substr((row + i) * 2, 2), 16);
          bytes += hex.substr((row + i) * 2, 2) + " ";
          text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
        } else {
          bytes += "   ";
        }
        if (i === 7) bytes += " ";
      }
      out += hex2(row, width) + "  " + bytes + " |" + text + "|\n";
    }
    return out;
  }
  function depth(path) {
    var d = 0, bracket = 0;
    for (var i = 0; i < path.length; i++) {
      var c = path.charAt(i);
      bracket += c === "[" ? 1 : c === "]" ? -1 : 0;
      if (c === "." && bracket === 0) d++;
    }
    return Math.min(d, 8);
  }
  // A bit field's value under its mask, one digit per mask bit (most significant first).
  function bits(mask, value) {
    var width = 0, out = "";
    for (var b = 0; b < 8; b++) if (mask & (1 << b)) width++;
    for (var k = width - 1; k >= 0; k--) out += (value >> k) & 1;
    return out + "b";
  }
  function tree(m, x) {
    var t = el("table", "tree"), head = el("tr"), seen = "";
    ["field", "offset", "len", "bytes", "value"].forEach(function (h) { head.appendChild(el("th", null, h)); });
    t.appendChild(head);
    m.f.forEach(function (index) {
      var f = row(index), path = f[0], dot = path.lastIndexOf("."), parent = dot < 0 ? "" : path.slice(0, dot);
      if (parent && parent !== seen) {
        var g = el("tr", "g"), td = el("td", "d" + depth(parent), parent);
        td.colSpan = 5;
        g.appendChild(td);
        t.appendChild(g);
      }
      seen = parent;
      var mask = f.length > 4 ? f[4] : 255, masked = mask !== 255;
      var hex = x.slice(f[1] * 2, (f[1] + f[2]) * 2);
      var text = f.length > 3 ? f[3] : valueOf(hex);
      var tr = el("tr");
      tr.appendChild(el("td", "d" + depth(path), dot < 0 ? path : path.slice(dot + 1)));
      tr.appendChild(el("td", null, String(f[1])));
      tr.appendChild(el("td", null, masked ? "mask 0x" + hex2(mask, 2) : String(f[2])));
      tr.appendChild(el("td", null, masked ? bits(mask, parseInt(text, 10)) : hex.length > 64 ? hex.slice(0, 64) + "\u2026" : hex));
      tr.appendChild(el("td", null, text));
      t.appendChild(tr);
    });
    return t;
  }
  var TITLES = ["MIKEY message as built", "MIKEY message sent", "MIKEY message as sent (mutated)", "MIKEY message received"];
  // Every flag bit by name and value, grouped by container: "hdr: V=1 PRF_FUNC=0 (MIKEY-1)".
  function flags(m) {
    var out = "", seen = null;
    m.f.forEach(function (index) {
      var f = row(index);
      if (f.length < 5 || /\.res$/.test(f[0])) return;
      var dot = f[0].lastIndexOf("."), parent = f[0].slice(0, dot), text = String(f[3]);
      var space = text.indexOf(" ");
      if (parent !== seen) { out += (seen === null ? "" : " \u00b7 ") + parent + ":"; seen = parent; }
      out += " " + f[0].slice(dot + 1).toUpperCase() + "=" + (space < 0 ? text : text.slice(0, space) + " (" + text.slice(space + 1) + ")");
    });
    return out;
  }
  function message(m) {
    var d = el("div", "msg"), bits = flags(m);
    d.appendChild(el("h5", null, TITLES[m.t] + ": " + m.d + " (" + m.n + " bytes)"));
    d.appendChild(el("p", null, m.s + (m.p.length ? " \u00b7 payloads: HDR \u2192 " + m.p.join(" \u2192 ") : "")));
    if (m.r.length || bits) {
      var ul = el("ul");
      m.r.forEach(function (r) { ul.appendChild(el("li", null, r)); });
      if (bits) ul.appendChild(el("li", "flags", "flags: " + bits));
      d.appendChild(ul);
    }
    var x = toHex(m.b), cut = m.n - x.length / 2;
    d.appendChild(el("pre", "hex", hexDump(x) + (cut > 0 ? "\u2026 " + cut + " more bytes not shown (results.json has every byte)" : "")));
    d.appendChild(tree(m, x));
    if (m.c) d.appendChild(el("p", "cut", m.c + " more fields not shown"));
    return d;
  }
  function http(h, e, box) {
    if (h.qm !== undefined) h.q = [h.q[0] + e.m[h.qm].b, h.q[1]];
    if (h.bm !== undefined) h.b = [e.rm.b, h.b[1]];
    box.appendChild(el("h5", null, "HTTP request as sent (" + h.q[1] + " bytes)"));
    box.appendChild(marked("pre", null, h.q));
    if (h.te !== undefined) {
      var p = el("p", "reason", "No HTTP response: ");
      p.appendChild(marked("span", null, h.te));
      box.appendChild(p);
      return;
    }
    box.appendChild(el("h5", null, "HTTP response"));
    box.appendChild(marked("pre", null, h.hd));
    box.appendChild(el("h5", null, "response body (" + h.b[1] + " bytes)"));
    box.appendChild(marked("pre", null, h.b));
    if (h.mp !== undefined) {
      var q = el("p", null, "Not a valid Annex A answer: ");
      q.appendChild(marked("span", null, h.mp));
      box.appendChild(q);
    }
  }
  function render(d) {
    if (d.getAttribute("data-done")) return;
    d.setAttribute("data-done", "1");
    var e = caseData(d.getAttribute("data-case")).e[parseInt(d.getAttribute("data-i"), 10)];
    var box = d.querySelector(".lazy");
    box.textContent = "";
    if (!e) return;
    e.m.forEach(function (m) { box.appendChild(message(m)); });
    if (e.h) http(e.h, e, box);
    if (e.rm) box.appendChild(message(e.rm));
  }
  // The sequence diagram of a case (sequence_diagram.h: the same drawing as sequence_svg).
  var SVG = "http://www.w3.org/2000/svg";
  var KINDS = [["#24292f", ""], ["#24292f", "6 3"], ["#cf222e", "6 3"], ["#8250df", "2 3"]];
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function label(s) { return s.length <= 34 ? s : s.slice(0, 33) + "\u2026"; }
  function head(x, y, dir, colour) {
    return svg("polygon", { points: x + "," + y + " " + (x - dir * 9) + "," + (y - 4) + " " + (x - dir * 9) + "," + (y + 4), fill: colour });
  }
  function lifeline(l, x, bottom) {
    var g = svg("g", { "class": "lifeline" });
    g.appendChild(svg("rect", { x: x - 80, y: 8, width: 160, height: 40, rx: 4, fill: "#f6f8fa", stroke: "#57606a" }));
    g.appendChild(svg("text", { x: x, y: l[1] ? 25 : 32, "text-anchor": "middle", "font-weight": "bold" }, label(l[0])));
    if (l[1]) g.appendChild(svg("text", { x: x, y: 41, "text-anchor": "middle", fill: "#57606a" }, label(l[1])));
    g.appendChild(svg("line", { x1: x, y1: 48, x2: x, y2: bottom, stroke: "#8c959f", "stroke-dasharray": "4 4" }));
    return g;
  }
  function arrow(a, y) {
    var x1 = 110 + a[1] * 200, x2 = 110 + a[2] * 200, kind = KINDS[a[5]] || KINDS[0], colour = kind[0];
    var g = svg("g", { "class": "arrow " + (a[5] === 3 ? "local" : "http") });
    var style = { stroke: colour };
    if (kind[1]) style["stroke-dasharray"] = kind[1];
    g.appendChild(svg("title", {}, a[4]));
    g.appendChild(svg("text", { x: 8, y: y + 4, "class": "stepno" }, String(a[0] + 1)));
    if (x1 === x2) {
      style.d = "M" + x1 + "," + (y - 8) + " h40 v16 h-36";
      style.fill = "none";
      g.appendChild(svg("path", style));
      g.appendChild(head(x1 + 2, y + 8, -1, colour));
      g.appendChild(svg("text", { x: x1 + 46, y: y + 4, fill: colour }, label(a[3])));
    } else {
      var dir = x2 > x1 ? 1 : -1;
      style.x1 = x1; style.y1 = y; style.x2 = x2 - dir * 2; style.y2 = y;
      g.appendChild(svg("line", style));
      g.appendChild(head(x2, y, dir, colour));
      g.appendChild(svg("text", { x: (x1 + x2) / 2, y: y - 6, "text-anchor": "middle", fill: colour }, label(a[3])));
    }
    return g;
  }
  function sequence(q) {
    var width = 220 + Math.max(0, q.l.length - 1) * 200, bottom = 80 + q.a.length * 34;
    var s = svg("svg", { "class": "seq", width: width, height: bottom + 10, viewBox: "0 0 " + width + " " + (bottom + 10), role: "img", "aria-label": "sequence diagram", "font-family": "sans-serif", "font-size": "12" });
    q.l.forEach(function (l, i) { s.appendChild(lifeline(l, 110 + i * 200, bottom)); });
    q.a.forEach(function (a, i) { s.appendChild(arrow(a, 80 + i * 34)); });
    return s;
  }
  document.querySelectorAll(".seq-wrap[data-case]").forEach(function (w) {
    var q = caseData(w.getAttribute("data-case")).q;
    if (q) w.appendChild(sequence(q));
  });
  document.querySelectorAll("details.entry[data-case]").forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) render(d); });
    if (d.open) render(d);
  });
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var text = document.getElementById(b.getAttribute("data-target")).textContent;
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () { b.textContent = "copied"; },
                                                  function () { b.textContent = "select and copy"; });
      }
    });
  });
  var summary = document.getElementById("summary");
  if (summary) {
    var bottom = summary.getBoundingClientRect().bottom;
    document.body.setAttribute("data-summary-bottom", String(Math.round(bottom)));
    document.body.setAttribute("data-summary-visible", bottom <= window.innerHeight ? "1" : "0");
  }
  document.body.dataset.ready = "1";
})();
)js";

}  // namespace

std::string_view report_css() { return kCss; }
std::string_view report_script() { return kScript; }

}  // namespace mikeyconf::reports
