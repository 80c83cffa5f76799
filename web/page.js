// The classroom page: presets (scenarios/classroom/*.toml, listed in
// presets.js at build time), sliders for the essays' levers, and the
// figure of docs/figures/classroom_summary.png redrawn after every change.
// The simulations run in a Web Worker (worker.js with the WebAssembly
// engine, bundled into engine_bundle.js as text and started from a Blob URL,
// which works from file:// where a worker file would not).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const CHOICES = [
  { key: "stayed", label: "Stayed with the firm (got a new rep)", colour: "#0072B2", text: "#fff" },
  { key: "followed", label: "Followed the star to the competitor", colour: "#D55E00", text: "#fff" },
  { key: "defected", label: "Stopped buying altogether", colour: "#BBBBBB", text: "#000" },
];
const FIRM_COLOURS = ["#000000", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"];
const FIRM_DASHES = ["", "12 7", "4 6 12 6", "3 5"];

// The levers. `path` gives the --set path for the scenario described by `d`
// (the engine's describe answer); `get` its value there.
const starFirm = (d) => (d.departures.length ? d.departures[0].firm : d.firms[0].name);
const firmOf = (d) => d.firms.find((f) => f.name === starFirm(d)) || d.firms[0];
const firmLever = (key, label) => ({
  group: "firm", key, label, min: 0, max: 1, step: 0.05,
  path: (d) => `firms.${starFirm(d)}.${key}`, get: (d) => firmOf(d)[key],
});
const SLIDERS = [
  { group: "market", key: "substitutability", label: "How alike the two firms' products are", min: 0, max: 1, step: 0.05,
    path: () => "market.substitutability", get: (d) => d.substitutability },
  firmLever("brand_strength", "Brand strength"),
  firmLever("service_touchpoints", "Service, support, billing deal with the customer"),
  firmLever("relationship_transfer", "CRM, team selling: firm takes over the relationship"),
  firmLever("handoff_quality", "Quality of the handover to the new rep"),
  firmLever("non_solicit", "Non-solicit agreement (chance it holds)"),
  { group: "segment", key: "rep_weight", label: "Weight of the bond with the rep", min: 0, max: 5, step: 0.1,
    path: () => "segments.*.rep_weight", get: (d) => d.segments[0].rep_weight },
  { group: "segment", key: "brand_weight", label: "Weight of the brand", min: 0, max: 5, step: 0.1,
    path: () => "segments.*.brand_weight", get: (d) => d.segments[0].brand_weight },
  { group: "both", key: "rep_turnover_annual", label: "Reps who leave each year", min: 0, max: 0.5, step: 0.01,
    path: () => "firms.*.rep_turnover_annual", get: (d) => d.firms[0].rep_turnover_annual, percent: true },
];
const GROUPS = {
  market: () => "The market",
  firm: (d) => `The star's firm (${starFirm(d)})`,
  segment: (d) => (d.segments.length > 1 ? "The customers (every segment)" : "The customers"),
  both: () => "Both firms (pay, careers)",
};

const page = {  // read by the browser test (tests/web/test_page.mjs)
  ready: false, busy: false, completed: 0, errors: [],
  preset: null, described: null, overrides: "", seeds: [], runs: null, toml: null, seconds: null, result: null,
};
window.loyalsimPage = page;

const $ = (id) => document.getElementById(id);
const presets = window.LOYALSIM_PRESETS || [];
let worker = null;
let requestId = 0;
const pending = new Map();  // describe requests: id -> resolve
let values = {};            // slider key -> value
let moved = new Set();      // keys of sliders moved away from the case
let baseline = null;        // the case as written: its result, for comparison
let debounce = null;

// ------------------------------------------------------------ the worker

function startWorker() {
  const url = URL.createObjectURL(new Blob([window.LOYALSIM_WORKER_SOURCE], { type: "text/javascript" }));
  worker = new Worker(url);
  worker.onmessage = (event) => {
    const m = event.data;
    if (m.kind === "describe") {
      pending.get(m.id)(m);
      pending.delete(m.id);
    } else if (m.kind === "progress") {
      if (m.id === requestId) setStatus(`running: ${m.done} of ${m.of} markets…`);
    } else if (m.kind === "run" && m.id === requestId) {
      finished(m);
    }
  };
  worker.onerror = (event) => showError(`the simulation worker failed: ${event.message}`);
}

function describe(toml) {
  const id = ++requestId;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, kind: "describe", toml, overrides: "" });
  });
}

function currentOverrides() {
  const lines = [];
  for (const s of SLIDERS) if (moved.has(s.key)) lines.push(`${s.path(page.described)}=${values[s.key]}`);
  const customers = Number($("customers").value);
  if (customers !== page.described.customers) lines.push(`market.customers=${customers}`);
  return lines.join("\n");
}

function currentSeeds() {
  // Seeds stay small whole numbers: exact in JavaScript and in the engine.
  const first = Math.min(1e9, Math.max(0, Math.floor(Number($("first-seed").value) || 0)));
  $("first-seed").value = String(first);
  const n = Number($("markets").value);
  return Array.from({ length: n }, (_, i) => first + i);
}

// Re-runs now (the newest request cancels any older one in the worker).
function rerun() {
  clearTimeout(debounce);
  if (!page.described) return;
  page.overrides = currentOverrides();
  page.seeds = currentSeeds();
  page.busy = true;
  const id = ++requestId;
  page.requested = performance.now();
  setStatus(`running ${page.seeds.length} markets…`);
  worker.postMessage({ id, kind: "run", toml: page.preset.toml, overrides: page.overrides, seeds: page.seeds });
}

function rerunSoon() {
  clearTimeout(debounce);
  debounce = setTimeout(rerun, 120);
}

function finished(m) {
  page.busy = false;
  if (m.error) {
    showError(m.error);
    return;
  }
  page.runs = m.runs;
  page.toml = m.toml;
  page.seconds = m.seconds;
  page.result = aggregate(m.runs);
  if (moved.size === 0 && page.overrides.indexOf("market.customers") < 0 && !baseline) baseline = page.result;
  draw();
  // From the last slider move (or the request) to the figure redrawn.
  page.roundTrip = (performance.now() - (page.lastInput || page.requested)) / 1000;
  page.lastInput = null;
  setStatus(`${m.runs.length} markets × ${Number($("customers").value).toLocaleString("en")} customers ` +
            `simulated in ${m.seconds.toFixed(2)} s`);
  page.completed += 1;
}

// ------------------------------------------------------------ statistics

// Two-sided 95% Student t quantile for df degrees of freedom.
function tQuantile(df) {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
    2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (df <= 30) return table[Math.max(1, df) - 1];
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.000;
  return 1.98;
}

function meanInterval(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (!n) return { mean: NaN, half: NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, half: NaN, n };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, half: tQuantile(n - 1) * sd / Math.sqrt(n), n };
}

function aggregate(runs) {
  const first = runs[0];
  const stars = first.stars.map((star, k) => {
    const share = (key) => meanInterval(runs.map((r) => (r.stars[k].book ? r.stars[k][key] / r.stars[k].book : NaN)));
    return {
      firm: star.firm, to: star.to, month: star.month,
      book: meanInterval(runs.map((r) => r.stars[k].book)),
      stayed: share("stayed"), followed: share("followed"), defected: share("defected"),
    };
  });
  // Each firm's customers relative to the month before the first departure.
  const month = stars.length ? stars[0].month : 1;
  const before = month - 2;  // index of the month before it
  const lines = first.firms.map((name, f) => {
    const points = [];
    for (let m = 0; m < first.months; ++m) {
      const xs = runs.map((r) => (before >= 0 && r.customers[before][f] > 0
        ? r.customers[m][f] / r.customers[before][f] * 100 : NaN));
      points.push({ x: m + 1 - month, ...meanInterval(xs) });
    }
    return { name, points };
  });
  return { stars, lines, markets: runs.length, month };
}

// ------------------------------------------------------------ drawing

function el(name, attrs, parent, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

const pct = (x) => `${Math.round(x * 100)}%`;
const fixed1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "–");

function starLabel(s) {
  const to = s.to === "industry" ? "leaves the industry" : `→ ${s.to}`;
  return [`${s.firm}'s star ${to}`, `book: ${Math.round(s.book.mean)} customers`];
}

function drawBars(result) {
  const svg = $("bars");
  svg.replaceChildren();
  const W = 1100, left = 330, right = 1085, barH = 58, gap = 30, ghostH = 12;
  const showGhost = baseline && baseline !== result && baseline.stars.length === result.stars.length;
  const rowH = barH + gap + (showGhost ? ghostH + 4 : 0);
  const top = 8;
  const height = top + result.stars.length * rowH + 66;
  svg.setAttribute("viewBox", `0 0 ${W} ${height}`);
  const scale = (x) => left + (right - left) * x;
  result.stars.forEach((s, k) => {
    let y = top + k * rowH;
    const [line1, line2] = starLabel(s);
    if (showGhost) {
      let x0 = 0;
      for (const c of CHOICES) {
        const w = baseline.stars[k][c.key].mean || 0;
        el("rect", { x: scale(x0), y, width: Math.max(0, scale(x0 + w) - scale(x0)), height: ghostH, fill: c.colour,
          opacity: 0.45 }, svg);
        x0 += w;
      }
      el("text", { x: left - 10, y: y + ghostH - 1, "text-anchor": "end", "font-size": 14, fill: "#555" }, svg,
        "the case as written");
      y += ghostH + 4;
    }
    el("text", { x: left - 10, y: y + 25, "text-anchor": "end", "font-size": 18, "font-weight": "bold" }, svg, line1);
    el("text", { x: left - 10, y: y + 49, "text-anchor": "end", "font-size": 16, fill: "#444" }, svg, line2);
    let x0 = 0;
    for (const c of CHOICES) {
      const share = s[c.key];
      const w = Number.isFinite(share.mean) ? share.mean : 0;
      const x = scale(x0), width = Math.max(0, scale(x0 + w) - scale(x0));
      el("rect", { x, y, width, height: barH, fill: c.colour, stroke: "#fff", "stroke-width": 1.5 }, svg);
      const label = pct(w), interval = Number.isFinite(share.half) ? `±${Math.round(share.half * 100)}` : "";
      if (width >= 70) {
        el("text", { x: x + width / 2, y: y + 30, "text-anchor": "middle", "font-size": 24, "font-weight": "bold",
          fill: c.text }, svg, label);
        el("text", { x: x + width / 2, y: y + 50, "text-anchor": "middle", "font-size": 15, fill: c.text }, svg,
          interval);
      } else if (width >= 38) {
        el("text", { x: x + width / 2, y: y + 36, "text-anchor": "middle", "font-size": 18, "font-weight": "bold",
          fill: c.text }, svg, label);
      }
      x0 += w;
    }
  });
  // Axis and legend.
  const axisY = top + result.stars.length * rowH - gap + 6;
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    el("line", { x1: scale(t), x2: scale(t), y1: axisY - 4, y2: axisY + 2, stroke: "#333" }, svg);
    el("text", { x: scale(t), y: axisY + 20, "text-anchor": t === 1 ? "end" : t === 0 ? "start" : "middle",
      "font-size": 15, fill: "#333" }, svg, `${t * 100}%`);
  }
  let lx = 20;
  const ly = axisY + 48;
  for (const c of CHOICES) {
    el("rect", { x: lx, y: ly - 15, width: 22, height: 18, fill: c.colour }, svg);
    const t = el("text", { x: lx + 30, y: ly, "font-size": 18 }, svg, c.label);
    lx += 30 + t.getComputedTextLength() + 36;
  }
}

function drawLines(result) {
  const svg = $("lines");
  svg.replaceChildren();
  // Shorter when (a) has two stars, so the page stays within a 16:9 screen.
  const W = 1100, H = result.stars.length > 1 ? 350 : 430, left = 70, right = 930, top = 14, bottom = H - 52;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const xs = result.lines[0].points.map((p) => p.x);
  const xMin = Math.min(...xs), xMax = Math.max(...xs);
  let yMin = 100, yMax = 100;
  for (const line of result.lines) {
    for (const p of line.points) {
      if (!Number.isFinite(p.mean)) continue;
      const h = Number.isFinite(p.half) ? p.half : 0;
      yMin = Math.min(yMin, p.mean - h);
      yMax = Math.max(yMax, p.mean + h);
    }
  }
  const stepY = yMax - yMin > 30 ? 10 : yMax - yMin > 12 ? 5 : 2;
  yMin = Math.floor((yMin - 0.5) / stepY) * stepY;
  yMax = Math.ceil((yMax + 0.5) / stepY) * stepY;
  const X = (x) => left + (right - left) * (x - xMin) / Math.max(1, xMax - xMin);
  const Y = (y) => bottom - (bottom - top) * (y - yMin) / (yMax - yMin);
  for (let y = yMin; y <= yMax + 1e-9; y += stepY) {
    el("line", { x1: left, x2: right, y1: Y(y), y2: Y(y), stroke: y === 100 ? "#999" : "#e4e4e4",
      "stroke-width": y === 100 ? 1.5 : 1 }, svg);
    el("text", { x: left - 8, y: Y(y) + 5, "text-anchor": "end", "font-size": 16, fill: "#333" }, svg, String(y));
  }
  for (let x = Math.ceil(xMin / 6) * 6; x <= xMax; x += 6) {
    el("text", { x: X(x), y: bottom + 22, "text-anchor": "middle", "font-size": 16, fill: "#333" }, svg,
      x > 0 ? `+${x}` : String(x));
  }
  el("text", { x: (left + right) / 2, y: bottom + 46, "text-anchor": "middle", "font-size": 17 }, svg,
    "months since the star left");
  el("line", { x1: X(0), x2: X(0), y1: top, y2: bottom, stroke: "#444", "stroke-width": 2, "stroke-dasharray": "3 4" }, svg);
  el("text", { x: X(0) + 6, y: top + 16, "font-size": 16, fill: "#444" }, svg, "star leaves");
  const ends = [];
  result.lines.forEach((line, f) => {
    const colour = FIRM_COLOURS[f % FIRM_COLOURS.length];
    const pts = line.points.filter((p) => Number.isFinite(p.mean));
    const band = pts.filter((p) => Number.isFinite(p.half));
    if (band.length) {
      const upper = band.map((p) => `${X(p.x)},${Y(p.mean + p.half)}`);
      const lower = band.slice().reverse().map((p) => `${X(p.x)},${Y(p.mean - p.half)}`);
      el("polygon", { points: upper.concat(lower).join(" "), fill: colour, opacity: 0.16 }, svg);
    }
    el("polyline", { points: pts.map((p) => `${X(p.x)},${Y(p.mean)}`).join(" "), fill: "none", stroke: colour,
      "stroke-width": 4, "stroke-dasharray": FIRM_DASHES[f % FIRM_DASHES.length], "stroke-linejoin": "round" }, svg);
    if (pts.length) ends.push({ y: Y(pts[pts.length - 1].mean), name: line.name, colour,
      value: pts[pts.length - 1].mean });
  });
  // Direct labels at the lines' ends, pushed apart so they never overlap.
  ends.sort((a, b) => a.y - b.y);
  for (let i = 1; i < ends.length; ++i) ends[i].y = Math.max(ends[i].y, ends[i - 1].y + 44);
  for (const e of ends) {
    el("text", { x: right + 12, y: e.y, "font-size": 19, "font-weight": "bold", fill: e.colour }, svg, e.name);
    el("text", { x: right + 12, y: e.y + 21, "font-size": 16, fill: "#333" }, svg, `${e.value.toFixed(1)} at +${xMax}`);
  }
}

function draw() {
  const r = page.result;
  if (!r) return;
  $("markets-note").textContent = `(mean of ${r.markets} simulated markets; ± half-width of the 95% interval)`;
  const changed = SLIDERS.filter((s) => moved.has(s.key))
    .map((s) => `${s.key} ${formatValue(s, s.get(page.described))} → ${formatValue(s, values[s.key])}`);
  $("changes").textContent = changed.length ? `What if… ${changed.join("; ")}` : "";
  drawBars(r);
  drawLines(r);
  fillNumbers();
}

// ------------------------------------------------------------ the numbers

function table(head, rows) {
  const t = document.createElement("table");
  const tr = t.insertRow();
  for (const h of head) {
    const th = document.createElement("th");
    th.textContent = h;
    tr.appendChild(th);
  }
  for (const row of rows) {
    const r = t.insertRow();
    for (const cell of row) r.insertCell().textContent = cell;
  }
  return t;
}

function fillNumbers() {
  const box = $("numbers-tables");
  box.replaceChildren();
  const r = page.result, runs = page.runs;
  const share = (s) => `${fixed1(s.mean * 100)} ±${fixed1(s.half * 100)}`;
  const h = (text) => {
    const node = document.createElement("h3");
    node.textContent = text;
    box.appendChild(node);
  };
  h(`What the star's customers did: percent, mean over ${r.markets} markets ± half-width of the 95% interval`);
  box.appendChild(table(["star", "book (customers)", "stayed", "followed", "stopped buying"],
    r.stars.map((s) => [starLabel(s)[0], fixed1(s.book.mean), share(s.stayed), share(s.followed), share(s.defected)])));
  h("Each market (seed): the star's customers, counted (events/ of `loyalsim run --events`)");
  const starHead = r.stars.flatMap((s) => [`${s.firm}: book`, "stayed", "followed", "stopped"]);
  box.appendChild(table(["seed", ...starHead],
    runs.map((run) => [String(run.seed), ...run.stars.flatMap((s) => [s.book, s.stayed, s.followed, s.defected].map(String))])));
  h(`Every rep who left in the recorded months, seed ${runs[0].seed} (summary/ of its results file)`);
  const rows = [];
  const run = runs[0];
  run.firms.forEach((firm, f) => run.segments.forEach((segment, g) => {
    rows.push([`${firm} / ${segment}`, ...["orphaned", "stayed", "followed", "defected"].map((k) => String(run.summary[k][f][g]))]);
  }));
  box.appendChild(table(["firm / segment", "orphaned", "stayed", "followed", "defected"], rows));
  h("Each firm's customers (100 = the month before the departure)");
  const at = (line, x) => line.points.find((p) => p.x === x);
  box.appendChild(table(["firm", "month before", "departure month", "+6 months", "+12 months"],
    r.lines.map((line) => [line.name, ...[-1, 0, 6, 12].map((x) => {
      const p = at(line, x);
      return p ? `${fixed1(p.mean)} ±${fixed1(p.half)}` : "–";
    })])));

  const name = `${page.preset.id}_web.toml`;
  $("toml-name").textContent = name;
  const seeds = page.seeds;
  $("toml-command").textContent = seeds.length > 1
    ? `for s in $(seq ${seeds[0]} ${seeds[seeds.length - 1]}); do loyalsim run ${name} --seed $s --events -o market$s.h5; done`
    : `loyalsim run ${name} --seed ${seeds[0]} --events`;
  $("toml").textContent = `# ${page.preset.title}\n# From the loyalsim classroom page: case ${page.preset.id}` +
    (page.overrides ? `, changed: ${page.overrides.split("\n").join(", ")}` : ", as written") +
    `.\n# Markets: seeds ${seeds[0]} to ${seeds[seeds.length - 1]} (loyalsim run ${name} --seed N).\n` + page.toml;
}

// ------------------------------------------------------------ controls

function setStatus(text) {
  const s = $("status");
  s.classList.remove("error");
  s.textContent = text;
}

function showError(message) {
  page.busy = false;
  page.errors.push(message);
  const s = $("status");
  s.classList.add("error");
  s.textContent = message;
}

function formatValue(s, v) {
  return s.percent ? `${Math.round(v * 100)}%` : s.step < 0.1 ? v.toFixed(2) : v.toFixed(1);
}

function buildSliders(d) {
  const box = $("sliders");
  box.replaceChildren();
  let fieldset = null, group = null;
  for (const s of SLIDERS) {
    if (s.group !== group) {
      group = s.group;
      fieldset = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = GROUPS[group](d);
      fieldset.appendChild(legend);
      box.appendChild(fieldset);
    }
    const row = document.createElement("div");
    row.className = "slider";
    const id = `slider-${s.key}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = s.label;
    label.title = s.path(d);
    const output = document.createElement("output");
    output.id = `${id}-value`;
    const input = document.createElement("input");
    Object.assign(input, { type: "range", id, min: s.min, max: s.max, step: s.step });
    input.dataset.path = s.path(d);
    const start = s.get(d);
    input.value = values[s.key];
    output.textContent = formatValue(s, values[s.key]);
    output.classList.toggle("changed", moved.has(s.key));
    input.title = `${s.path(d)} (the case: ${formatValue(s, start)})`;
    input.addEventListener("input", () => {
      page.lastInput = performance.now();
      values[s.key] = Number(input.value);
      // Back at the case's value: the lever is as written again.
      if (Math.abs(values[s.key] - start) < s.step / 2) moved.delete(s.key);
      else moved.add(s.key);
      output.textContent = formatValue(s, values[s.key]);
      output.classList.toggle("changed", moved.has(s.key));
      rerunSoon();
    });
    row.append(label, output, input);
    fieldset.appendChild(row);
  }
}

async function choosePreset(preset) {
  page.preset = preset;
  $("case-title").textContent = preset.title.replace(/^./, (c) => c.toUpperCase());
  for (const b of $("presets").children) b.setAttribute("aria-pressed", String(b.dataset.id === preset.id));
  const answer = await describe(preset.toml);
  if (answer.answer.error) {
    showError(answer.answer.error);
    return;
  }
  page.described = answer.answer;
  values = {};
  moved = new Set();
  baseline = null;
  for (const s of SLIDERS) values[s.key] = s.get(page.described);
  buildSliders(page.described);
  rerun();
}

function setup() {
  if (!presets.length || !window.LOYALSIM_WORKER_SOURCE) {
    showError("presets.js or engine_bundle.js is missing: build the page with scripts/web.sh");
    return;
  }
  startWorker();
  for (const p of presets) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = p.label;
    b.title = p.title;
    b.dataset.id = p.id;
    b.addEventListener("click", () => choosePreset(p));
    $("presets").appendChild(b);
  }
  $("reset").addEventListener("click", () => choosePreset(page.preset));
  for (const id of ["markets", "customers", "first-seed"]) {
    $(id).addEventListener("change", () => {
      if (id === "customers") baseline = null;
      rerun();
    });
  }
  const numbers = $("numbers");
  $("show-numbers").addEventListener("click", () => {
    numbers.hidden = false;
    $("show-numbers").setAttribute("aria-expanded", "true");
  });
  $("hide-numbers").addEventListener("click", () => {
    numbers.hidden = true;
    $("show-numbers").setAttribute("aria-expanded", "false");
  });
  $("copy-toml").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("toml").textContent);
      setStatus("the scenario is on the clipboard");
    } catch {
      const range = document.createRange();
      range.selectNodeContents($("toml"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      setStatus("the scenario is selected: press Ctrl+C");
    }
  });
  $("save-toml").addEventListener("click", () => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([$("toml").textContent], { type: "application/toml" }));
    a.download = $("toml-name").textContent;
    a.click();
  });
  const wanted = new URLSearchParams(location.search).get("case");
  page.ready = true;
  choosePreset(presets.find((p) => p.id === wanted) || presets[0]);
}

setup();
