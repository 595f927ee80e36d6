// The phone pages (api/mobile.py): the site's floors, or one floor, live from the stream.
// Site-provided text only ever goes in as text. The last data stays on screen when the
// network drops, marked stale.
"use strict";

const ctx = JSON.parse(document.getElementById("context").textContent);
const siteUrl = `/api/v1/sites/${encodeURIComponent(ctx.site)}`;
const home = `/m/${encodeURIComponent(ctx.site)}`;
let zone;  // the site's time zone: times on the site's clock
let lastData = null;  // when the last data arrived (Date)

const clock = (iso, seconds) => new Date(iso).toLocaleTimeString("en-GB", {timeZone: zone,
  hour: "2-digit", minute: "2-digit", second: seconds ? "2-digit" : undefined, hourCycle: "h23"});
const day = iso => new Date(iso).toLocaleDateString("en-GB", {timeZone: zone, day: "numeric",
  month: "short"});
const when = iso => `${day(iso)} ${clock(iso, false)}`;
const num = (v, digits) => (v === undefined || v === null) ? "–" : Number(v).toFixed(digits);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function svgEl(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

// ---- live / stale ----------------------------------------------------------------------

function markLive() {
  lastData = new Date();
  document.body.classList.remove("stale");
  const conn = document.getElementById("conn");
  conn.className = "";
  conn.textContent = "live · " + clock(lastData.toISOString(), true);
  document.getElementById("updated").textContent = "Updated " + clock(lastData.toISOString(), true);
}

function markStale(why) {
  document.body.classList.add("stale");
  const conn = document.getElementById("conn");
  conn.className = "stale";
  const since = lastData ? clock(lastData.toISOString(), true) : "never";
  conn.textContent = "stale · " + since;
  document.getElementById("stale-banner").textContent =
    `${why}: showing the data of ${since}, not live.`;
}

function signedOut() {
  markStale("Signed out");
  const banner = document.getElementById("stale-banner");
  const link = el("a", "", "Sign in again");
  link.href = location.pathname;
  banner.replaceChildren(el("span", "", "The session has ended. "), link);
}

function connect(onSite) {
  const source = new EventSource(`${siteUrl}/stream`);
  source.addEventListener("site", e => {
    const data = JSON.parse(e.data);
    zone = data.timezone || zone;
    onSite(data);
    markLive();
  });
  source.onerror = () => {
    markStale(navigator.onLine ? "Connection lost, reconnecting" : "Offline");
    // EventSource gives up on a refusal (the session ended): ask why, once
    if (source.readyState === EventSource.CLOSED) {
      fetch(`${siteUrl}/progress`, {credentials: "same-origin"}).then(r => {
        if (r.status === 401) signedOut(); else setTimeout(() => connect(onSite), 5000);
      }).catch(() => setTimeout(() => connect(onSite), 5000));
    }
  };
}
window.addEventListener("offline", () => markStale("Offline"));

// ---- the site page ---------------------------------------------------------------------

function lateText(days) {
  return days ? `+${days} d late` : "";
}

function renderSummary(progress) {
  const box = document.getElementById("summary");
  if (!progress || !progress.summary) return;
  box.textContent = progress.summary;
  box.classList.toggle("behind", progress.floors_late > 0);
}

function renderFloors(floors, progress) {
  const byLevel = (progress && progress.floors) || {};
  document.getElementById("floors").replaceChildren(...floors.map(f => {
    const work = byLevel[String(f.level)] || {under_way_types: [], late_days: null};
    const row = el("a", "floor " + f.status);
    row.href = `${home}/floors/${f.level}`;
    row.dataset.level = f.level;
    const line1 = el("span", "line1");
    line1.append(el("span", "pill " + f.status, f.status));
    if (work.late_days) line1.append(el("span", "late", lateText(work.late_days)));
    if (f.active_alerts) line1.append(el("span", "", `${f.active_alerts} alert${f.active_alerts > 1 ? "s" : ""}`));
    const env = f.environment || {};
    const facts = el("span", "facts", `${f.workers_present} 人` +
      (env.temp_c !== undefined ? ` · ${num(env.temp_c, 1)} °C` : ""));
    const types = work.under_way_types.length ? work.under_way_types.join(" · ") : "no work under way";
    row.append(el("span", "name", f.name), line1, facts, el("span", "work", types));
    return row;
  }));
}

function renderCranes(cranes) {
  const box = document.getElementById("cranes");
  if (!cranes.length) { box.replaceChildren(el("p", "none", "No cranes")); return; }
  box.replaceChildren(...cranes.map(c => {
    const m = (c.latest || {}).moment_pct, w = (c.latest || {}).wind_mps;
    const card = el("div", "card crane");
    card.dataset.crane = c.id;
    card.append(el("b", "", c.name || c.id),
      el("span", m >= 90 ? "late" : "", `moment ${num(m, 0)} %`),
      el("span", w >= 9 ? "late" : "", `wind ${num(w, 1)} m/s`),
      el("span", "", c.online === false ? "offline" : c.last_ts ? clock(c.last_ts, false) : ""));
    return card;
  }));
}

function sitePage() {
  connect(data => {
    renderSummary(data.progress);
    renderFloors(data.floors, data.progress);
    renderCranes(data.cranes);
  });
}

// ---- the floor page --------------------------------------------------------------------

const BASIS = {actual: "from the dates entered", suggested: "from the crew's presence",
               planned: "not started"};

function varianceText(t) {
  const d = t.variance_days;
  if (d >= 0.1) return `+${d} d late`;
  if (d <= -0.1) return `${-d} d early`;
  return "on plan";
}

function taskCard(t, now) {
  const card = el("div", "card task");
  card.dataset.task = t.id;
  const title = el("div", "title");
  title.append(el("span", "type", t.type || "other"), document.createTextNode(t.name));
  card.append(title);
  const start = t.actual_start || t.suggested_start;
  if (t.state === "under_way" && start) {
    const planned = new Date(t.planned_finish) - new Date(t.planned_start);
    const share = planned > 0 ? Math.min(1, (now - new Date(start)) / planned) : 1;
    const bar = el("div", "bar" + (t.variance_days >= 1 ? " late" : ""));
    const fill = el("span");
    fill.style.width = `${Math.round(share * 100)}%`;
    bar.append(fill);
    bar.setAttribute("role", "img");
    bar.setAttribute("aria-label", `${Math.round(share * 100)} % of the planned time used`);
    card.append(bar);
  }
  const v = el("div", "facts-row");
  v.append(el("span", t.variance_days >= 1 ? "late" : "", varianceText(t)),
           el("span", "dates", BASIS[t.variance_basis] || ""));
  card.append(v);
  const dates = [`plan ${when(t.planned_start)} → ${when(t.planned_finish)}`];
  if (t.actual_start || t.actual_finish) {
    dates.push(`actual ${t.actual_start ? when(t.actual_start) : "–"} → ${t.actual_finish ? when(t.actual_finish) : "…"}`);
  } else if (t.suggested_start) {
    dates.push(`crew seen ${when(t.suggested_start)} → ${t.suggested_finish ? when(t.suggested_finish) : "…"}`);
  }
  for (const line of dates) card.append(el("div", "dates", line));
  return card;
}

function renderTasks(tasks, now) {
  const parts = [];
  const group = (title, list) => {
    if (!list.length) return;
    parts.push(el("h3", "", title), ...list.map(t => taskCard(t, now)));
  };
  group("Under way 进行中", tasks.under_way);
  group("Next planned 下一步", tasks.next_planned ? [tasks.next_planned] : []);
  group("Last finished 已完成", tasks.last_finished ? [tasks.last_finished] : []);
  document.getElementById("tasks").replaceChildren(
    ...(parts.length ? parts : [el("p", "none", "No tasks on this floor in the schedule")]));
}

function chart(series, limits, since) {
  const w = 300, h = 64, pad = 4;
  const svg = svgEl("svg", {class: "chart", viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: "none",
                            role: "img"});
  if (!series.length) return svg;
  const t1 = Date.now(), t0 = since ? since.getTime() : t1 - 24 * 3600e3;
  let lo = Math.min(...series.map(b => b.min)), hi = Math.max(...series.map(b => b.max));
  for (const l of limits) { lo = Math.min(lo, l.value); hi = Math.max(hi, l.value); }
  if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
  const x = ts => ((new Date(ts) - t0) / (t1 - t0)) * w;
  const y = v => h - pad - ((v - lo) / (hi - lo)) * (h - 2 * pad);
  const top = series.map(b => `${x(b.ts).toFixed(1)},${y(b.max).toFixed(1)}`);
  const bottom = series.slice().reverse().map(b => `${x(b.ts).toFixed(1)},${y(b.min).toFixed(1)}`);
  svg.append(svgEl("polygon", {class: "band", points: top.concat(bottom).join(" ")}));
  svg.append(svgEl("polyline", {class: "avg", "vector-effect": "non-scaling-stroke",
    points: series.map(b => `${x(b.ts).toFixed(1)},${y(b.avg).toFixed(1)}`).join(" ")}));
  for (const l of limits) {
    svg.append(svgEl("line", {class: "limit", x1: 0, x2: w, y1: y(l.value), y2: y(l.value),
                              "vector-effect": "non-scaling-stroke"}));
  }
  svg.setAttribute("aria-label", `last 24 hours, ${num(lo, 1)} to ${num(hi, 1)}`);
  return svg;
}

function over(value, limit) {
  return {">": value > limit.value, ">=": value >= limit.value, "<": value < limit.value,
          "<=": value <= limit.value}[limit.op] || false;
}

function metricCard(m) {
  const card = el("div", "card metric");
  card.dataset.metric = m.metric;
  const head = el("div", "head");
  const breached = m.value !== null && m.limits.some(l => !l.task_types.length && over(m.value, l));
  head.append(el("span", "label", m.label),
              el("span", "value" + (breached ? " over" : ""), `${num(m.value, 1)} ${m.unit}`));
  card.append(head);
  const limits = m.limits.map(l => `${l.task_types.length ? l.task_types.join("/") + ": " : ""}` +
                                   `alert ${l.op} ${l.value} ${m.unit}`);
  card.append(el("div", "meta", (limits.length ? "limit " + limits.join(", ") : "no limit set") +
                                (m.at ? ` · read ${clock(m.at, false)}` : "") +
                                ` · ${m.sensors} sensor${m.sensors > 1 ? "s" : ""}`));
  card.append(chart(m.series, m.limits.filter(l => !l.task_types.length)));
  const axis = el("div", "axis");
  axis.append(el("span", "", "−24 h"), el("span", "", "now"));
  card.append(axis);
  return card;
}

const CONCRETE = new Set(["core_temp_c", "surface_temp_c"]);

function milestoneText(name, m) {
  const target = `${name} ${num(m.target_mpa, 1)} MPa (${num(m.target_pct, 0)} %)`;
  if (m.status === "reached") return `${target}: reached ${when(m.at)}`;
  if (m.status === "forecast") return `${target}: forecast ${when(m.at)}`;
  return `${target}: not forecast within 28 days`;
}

// A pour's concrete (concrete/model.py TaskConcrete): strength from maturity, the stripping
// and frost-safe times, each probe.
function pourCard(c) {
  const card = el("div", "card metric pour");
  card.dataset.pour = c.task;
  const head = el("div", "head");
  head.append(el("span", "label", `Pour ${c.task} · ${c.grade}`),
              el("span", "value", `${num(c.strength_mpa, 1)} MPa`));
  card.append(head);
  card.append(el("div", "meta", `${num(c.strength_pct, 0)} % of ${c.grade} · maturity ` +
    `${num(c.maturity_degc_h, 0)} °C·h · ${num(c.equivalent_age_h, 0)} h at 20 °C · ` +
    (c.calibrated ? "site-calibrated curve" : "shipped curve, not calibrated")));
  const frost = c.frost_safe_at, strip = c.stripping_at;
  card.append(el("div", strip.status === "reached" ? "" : "warn", milestoneText("Stripping", strip)));
  card.append(el("div", frost.status === "reached" ? "" : "warn", milestoneText("Frost-safe", frost)));
  if (c.air_frost_at) card.append(el("div", "warn", `Air frost forecast ${when(c.air_frost_at)}`));
  if (c.stripping_late_days && c.next_task) {
    card.append(el("div", "warn", `Stripping ${c.stripping_late_days} d after ${c.next_task.name} is due`));
  }
  if (c.strength_history && c.strength_history.length) {
    const series = c.strength_history.map(p => ({ts: p.at, avg: p.strength_mpa,
                                                 min: p.strength_mpa, max: p.strength_mpa}));
    card.append(chart(series, [], new Date(c.since)));
    const axis = el("div", "axis");
    axis.append(el("span", "", `poured ${when(c.since)}`), el("span", "", "now"));
    card.append(axis);
  }
  for (const p of c.probes) {
    card.append(el("div", "meta", `${p.device}: ${num(p.last_temp_c, 1)} °C, ` +
      `${num(p.strength_mpa, 1)} MPa` + (p.gaps.length ? `, ${p.gaps.length} gap(s)` : "")));
  }
  return card;
}

function renderMetrics(metrics, pours) {
  const env = metrics.filter(m => !CONCRETE.has(m.metric));
  const probes = metrics.filter(m => CONCRETE.has(m.metric));
  document.getElementById("metrics").replaceChildren(
    ...(env.length ? env.map(metricCard) : [el("p", "none", "No sensor readings yet.")]));
  const concrete = [...pours.map(pourCard), ...probes.map(metricCard)];
  document.getElementById("concrete").replaceChildren(
    ...(concrete.length ? concrete : [el("p", "none", "No concrete probe on this floor.")]));
}

function renderWorkers(byTrade) {
  const entries = Object.entries(byTrade);
  document.getElementById("workers").replaceChildren(...(entries.length
    ? entries.map(([trade, n]) => el("span", "", `${trade} ${n}`))
    : [el("p", "none", "Nobody on this floor now")]));
}

function renderAlerts(alerts) {
  const box = document.getElementById("alerts");
  if (!alerts.length) { box.replaceChildren(el("p", "none", "No open alerts 无报警")); return; }
  box.replaceChildren(...alerts.map(a => {
    const card = el("div", `card alert ${a.severity} ${a.state}`);
    card.dataset.alert = a.id;
    card.append(el("div", "t", `${clock(a.raised_at, false)} ${a.severity.toUpperCase()} ${a.title}` +
                               (a.state === "acknowledged" ? " ✓ acknowledged" : "")),
                el("div", "m", a.message));
    if (a.state === "active" && ctx.role !== "viewer") {
      const button = el("button", "", "Acknowledge 确认");
      button.type = "button";
      button.addEventListener("click", () => acknowledge(a.id, card, button));
      card.append(button);
    } else if (a.state === "active") {
      card.append(el("div", "m", "A manager's key acknowledges it."));
    }
    return card;
  }));
}

async function acknowledge(id, card, button) {
  button.disabled = true;
  const response = await fetch(`/api/v1/alerts/${id}/ack`, {method: "POST",
    credentials: "same-origin"}).catch(() => null);
  if (response && response.ok) { await loadFloor(); return; }
  button.disabled = false;
  let why = "No network: try again";
  if (response) {
    const problem = await response.json().catch(() => ({}));
    why = problem.detail || `refused (${response.status})`;
  }
  card.append(el("div", "refused", why));
}

function renderStatus(f) {
  document.getElementById("title").textContent = f.name;
  document.title = `${f.name} · ${ctx.name}`;
  const box = document.getElementById("status");
  box.replaceChildren(el("span", "pill " + f.status, f.status),
    el("span", "", `${f.workers_present} 人 on the floor`),
    el("span", "", `sensors ${f.sensors_online} on / ${f.sensors_offline} off`),
    el("span", f.active_alerts ? "late" : "", `${f.active_alerts} open alert${f.active_alerts === 1 ? "" : "s"}`));
}

let loading = null, loadedAt = 0, pending = null;
const RELOAD_MS = 5000;  // the floor is read again on a change, at most this often

function loadSoon() {
  if (pending) return;
  pending = setTimeout(() => { pending = null; loadFloor(); },
                       Math.max(0, loadedAt + RELOAD_MS - Date.now()));
}

async function loadFloor() {
  if (loading) { loadSoon(); return; }
  loading = fetch(`${siteUrl}/floors/${ctx.level}`, {credentials: "same-origin", cache: "no-store"});
  try {
    const response = await loading;
    if (response.status === 401) { signedOut(); return; }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      document.getElementById("tasks").replaceChildren(el("p", "note", problem.detail || "Not found"));
      return;
    }
    const d = await response.json();
    zone = d.timezone;
    loadedAt = Date.now();
    renderStatus(d.floor);
    renderTasks(d.tasks, new Date(d.at));
    renderMetrics(d.metrics, d.concrete || []);
    renderWorkers(d.workers_by_trade);
    renderAlerts(d.alerts);
    renderCranes(d.cranes);
    refreshPlan();
    markLive();
  } catch (e) {
    markStale(navigator.onLine ? "Connection lost" : "Offline");
  } finally {
    loading = null;
  }
}

// The floor's plan (zones, workers, crane circles), drawn by the server where it can: shown
// once it loads, left out where the site has none.
function showPlan() {
  const box = document.getElementById("plan");
  const img = el("img");
  img.alt = "floor plan";
  img.addEventListener("load", () => { box.hidden = false; });
  img.addEventListener("error", () => img.remove());
  img.src = `${siteUrl}/floors/${ctx.level}/plan.svg?t=${Date.now()}`;
  box.replaceChildren(el("h2", "", "Plan 平面"), img);
}

// Drawn again with the floor, swapped in once loaded (no blank plan meanwhile).
function refreshPlan() {
  const shown = document.querySelector("#plan:not([hidden]) img");
  if (!shown) return;
  const next = el("img");
  next.alt = shown.alt;
  next.addEventListener("load", () => shown.replaceWith(next));
  next.src = `${siteUrl}/floors/${ctx.level}/plan.svg?t=${Date.now()}`;
}

function floorPage() {
  loadFloor();
  showPlan();
  connect(data => {
    const f = data.floors.find(x => x.level === ctx.level);
    if (f) renderStatus(f);
    renderCranes(data.cranes);
    loadSoon();
  });
}

if (document.body.dataset.page === "site") sitePage(); else floorPage();
