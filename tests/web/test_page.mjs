// The classroom page in a real browser (SPEC section 9): headless Debian
// chromium driven by puppeteer-core (web/package-lock.json), the page opened
// from a file:// URL as a teacher would open it.
//
//   node test_page.mjs --page PAGE_DIR/index.html --web WEB_DIR --loyalsim LOYALSIM
//        --python PYTHON [--chromium /usr/bin/chromium] [--screenshot OUT.png]
//
// Checks: the page runs a preset; moving a slider re-runs and moves the
// numbers in the direction the model promises (non_solicit up: fewer
// follow; relationship_transfer or service_touchpoints up: more stay); a
// burst of slider moves ends on the last one (stale runs are cancelled);
// the page's counts for each seed equal `loyalsim run`'s on the TOML the
// page shows (compare_page_runs.py); no console errors. Prints the
// in-browser re-run time (20 markets x 10,000 customers). Exit 77 (skipped)
// when puppeteer-core is not installed (npm ci in WEB_DIR).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
for (const key of ["page", "web", "loyalsim", "python"]) {
  if (!args[key]) {
    console.error(`test_page.mjs: --${key} is required`);
    process.exit(2);
  }
}
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(resolve(args.web), "package.json"));
let puppeteer;
try {
  puppeteer = require("puppeteer-core");
} catch {
  console.log(`SKIPPED: puppeteer-core is not installed: run 'npm ci' in ${args.web}`);
  process.exit(77);
}
if (!existsSync(args.page)) {
  console.error(`test_page.mjs: ${args.page} does not exist: build the page with scripts/web.sh`);
  process.exit(1);
}

let failures = 0;
function check(ok, message) {
  console.log(`${ok ? "ok  " : "FAIL"} ${message}`);
  if (!ok) failures += 1;
}

const profile = mkdtempSync(join(tmpdir(), "loyalsim-chromium-"));
const work = mkdtempSync(join(tmpdir(), "loyalsim-page-"));
const browser = await puppeteer.launch({
  executablePath: args.chromium || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", `--user-data-dir=${profile}`],
  defaultViewport: { width: 1600, height: 900 },
});
const problems = [];
try {
  const page = await browser.newPage();
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url().slice(0, 120)}`));

  const completed = () => page.evaluate(() => window.loyalsimPage.completed);
  // Waits for the page to finish the run started after `before` completions.
  async function settled(before) {
    await page.waitForFunction((n) => window.loyalsimPage.completed > n && !window.loyalsimPage.busy,
      { timeout: 30000, polling: 20 }, before);
    return page.evaluate(() => {
      const p = window.loyalsimPage;
      return { result: p.result, runs: p.runs, overrides: p.overrides, seconds: p.seconds, roundTrip: p.roundTrip,
        seeds: p.seeds, errors: p.errors, shown: document.getElementById("toml").textContent };
    });
  }
  // Moves a slider as a user does (input events), then waits for the re-run.
  async function slide(key, value) {
    const before = await completed();
    await page.evaluate((k, v) => {
      const input = document.getElementById(`slider-${k}`);
      input.value = String(v);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, key, value);
    return settled(before);
  }
  async function preset(id) {
    const before = await completed();
    await page.click(`nav button[data-id="${id}"]`);
    return settled(before);
  }
  const star = (state, key) => state.result.stars[0][key];
  const below = (a, b) => a.mean + (a.half || 0) < b.mean - (b.half || 0);  // intervals apart

  await page.goto(`${pathToFileURL(resolve(args.page))}?case=complex_solution`);
  const base = await settled(0);
  check(base.runs.length === 20 && base.errors.length === 0,
    `complex_solution: 20 markets from file:// (stayed ${(star(base, "stayed").mean * 100).toFixed(1)}%, ` +
    `followed ${(star(base, "followed").mean * 100).toFixed(1)}%)`);
  const presetCount = await page.evaluate(() => document.querySelectorAll("nav button").length);
  check(presetCount >= 6, `${presetCount} presets (scenarios/classroom/*.toml without [sweep])`);

  // The page's counts are the engine's: the TOML the page shows, the CLI, the same seeds.
  async function sameAsCli(state, label, count) {
    const toml = join(work, `${label}.toml`), runs = join(work, `${label}.json`);
    writeFileSync(toml, state.shown);
    writeFileSync(runs, JSON.stringify(state.runs.slice(0, count)));
    try {
      const out = execFileSync(args.python, [join(here, "compare_page_runs.py"), args.loyalsim, toml, runs],
        { encoding: "utf8" });
      process.stdout.write(out.trimEnd().replace(/^/gm, "       ") + "\n");
      check(true, `${label}: the page's counts equal loyalsim run's for seeds ${state.seeds.slice(0, count).join(", ")}`);
    } catch (e) {
      process.stdout.write(String(e.stdout || e.message));
      check(false, `${label}: the page's counts differ from loyalsim run's`);
    }
  }
  await sameAsCli(base, "complex_solution", 3);

  // Levers, each in its promised direction (from the case as written).
  const barred = await slide("non_solicit", 1);
  check(barred.overrides.includes("firms.Firm.non_solicit=1") && below(star(barred, "followed"), star(base, "followed")),
    `non_solicit 0 -> 1: followed ${(star(base, "followed").mean * 100).toFixed(1)}% -> ` +
    `${(star(barred, "followed").mean * 100).toFixed(1)}%`);
  const timing = { seconds: barred.seconds, roundTrip: barred.roundTrip };
  await sameAsCli(barred, "complex_solution_non_solicit", 2);
  await slide("non_solicit", 0);
  const transfer = await slide("relationship_transfer", 0.8);
  check(below(star(base, "stayed"), star(transfer, "stayed")),
    `relationship_transfer 0.1 -> 0.8: stayed ${(star(base, "stayed").mean * 100).toFixed(1)}% -> ` +
    `${(star(transfer, "stayed").mean * 100).toFixed(1)}%`);
  await slide("relationship_transfer", 0.1);
  const service = await slide("service_touchpoints", 1);
  check(below(star(base, "stayed"), star(service, "stayed")),
    `service_touchpoints 0.5 -> 1: stayed ${(star(base, "stayed").mean * 100).toFixed(1)}% -> ` +
    `${(star(service, "stayed").mean * 100).toFixed(1)}%`);

  // A burst of moves without waiting: the page ends on the last one.
  const before = await completed();
  await page.evaluate(() => {
    const input = document.getElementById("slider-rep_weight");
    for (const v of [1, 2, 0.5, 4, 1.5]) {
      input.value = String(v);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  const burst = await settled(before);
  await new Promise((r) => setTimeout(r, 400));  // a stale run, if any, would land here
  const last = await page.evaluate(() => window.loyalsimPage.overrides);
  check(burst.overrides.includes("segments.*.rep_weight=1.5") && last === burst.overrides,
    "a burst of slider moves ends on the last value (stale runs cancelled)");

  // A case with two stars, and its counts.
  const trade = await preset("small_vs_big");
  check(trade.result.stars.length === 2 && trade.overrides === "", "small_vs_big: both stars, the case as written");
  await sameAsCli(trade, "small_vs_big", 2);

  console.log(`in-browser re-run, ${barred.runs.length} markets x 10,000 customers (145 months each): ` +
    `${timing.seconds.toFixed(2)} s in the worker, ${timing.roundTrip.toFixed(2)} s from the slider's input ` +
    "event to the redrawn figure (120 ms debounce included)");

  if (args.screenshot) {
    // The figure for docs/CLASSROOM.md: the class's question "what if the
    // company owned the relationship?" (company_owns.toml's two values) on
    // the complex solution, beside the case as written.
    await preset("complex_solution");
    await slide("service_touchpoints", 0.9);
    await slide("relationship_transfer", 0.3);
    await page.screenshot({ path: args.screenshot });
    console.log(`screenshot: ${args.screenshot}`);
  }
  check(problems.length === 0, `no console errors${problems.length ? ": " + problems.join("; ") : ""}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
