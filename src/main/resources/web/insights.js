// Insights: how decisions go, per room or all rooms, over 24 h / 7 d / 30 d (GET /v1/stats):
// time to decision (p50, p90), outcomes over time (stacked), and each agent's trust over time.
// Charts by Chart.js, served from this server (/vendor/chart/, a WebJar); every chart has a table
// toggle with the same numbers, so nothing needs the picture.

import { get } from "./api.js";
import { h, fill, field, select, errorLine, duration } from "./dom.js";
import { roomList, roomName } from "./store.js";

const RANGES = { "24h": ["Last 24 hours", 24 * 3600e3, "hour"], "7d": ["Last 7 days", 7 * 86400e3, "day"], "30d": ["Last 30 days", 30 * 86400e3, "day"] };
const OUTCOMES = [
  ["approved", "Approved", "--ok"],
  ["modified", "Modified", "--warn"],
  ["rejected", "Rejected", "--bad"],
  ["expired", "Expired", "--muted"],
  ["auto_approved", "Auto-approved by policy", "--accent"],
];
const state = { room: "", range: "7d" };
let chartJs = null;
const charts = [];
let renderSeq = 0; // a newer choice wins over an older answer still on its way

/** Chart.js from the jar, loaded once (a classic script: it defines window.Chart). */
function loadChartJs() {
  if (!chartJs) {
    chartJs = new Promise((resolve, reject) => {
      if (window.Chart) return resolve(window.Chart);
      const s = document.createElement("script");
      s.src = "/vendor/chart/chart.umd.min.js";
      s.onload = () => resolve(window.Chart);
      s.onerror = () => {
        chartJs = null;
        reject(new Error("the chart library did not load"));
      };
      document.head.append(s);
    });
  }
  return chartJs;
}

function color(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

function label(start, bucket) {
  const d = new Date(start);
  return bucket === "hour"
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleDateString([], { month: "short", day: "numeric" });
}

/**
 * A chart with its table: <figure> holding the canvas (role=img, labelled) and a button that
 * swaps in the table (aria-expanded), the numbers the chart draws.
 */
function figure(id, title, summary, table) {
  const canvas = h("canvas", { role: "img", "aria-label": `${title}: ${summary}` });
  const wrap = h("div", { class: "chart-wrap" }, canvas);
  const tableBox = h("div", { class: "table-wrap", id: `${id}-table`, hidden: true }, table);
  const toggle = h("button", { type: "button", class: "linkish", "aria-expanded": "false", "aria-controls": `${id}-table` }, "Show table");
  toggle.addEventListener("click", () => {
    const open = tableBox.hidden;
    tableBox.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide table" : "Show table";
  });
  const fig = h("figure", { class: "chart", id }, h("figcaption", {}, h("h2", { text: title }), h("p", { class: "meta", text: summary }), toggle), wrap, tableBox);
  fig.canvas = canvas;
  return fig;
}

function table(caption, head, rows) {
  return h("table", {},
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, rows.length ? rows.map((r) => h("tr", {}, r.map((c, i) => (i === 0 ? h("th", { scope: "row", text: c }) : h("td", { text: c }))))) : h("tr", {}, h("td", { colspan: head.length, text: "No data in this range." }))));
}

function baseOptions(extra = {}) {
  const fg = color("--fg");
  const line = color("--line");
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { labels: { color: fg } } },
    scales: {
      x: { ticks: { color: fg }, grid: { color: line }, ...(extra.x || {}) },
      y: { ticks: { color: fg }, grid: { color: line }, beginAtZero: true, ...(extra.y || {}) },
    },
  };
}

function draw(Chart, fig, config) {
  charts.push(new Chart(fig.canvas, config));
}

function destroyCharts() {
  while (charts.length) charts.pop().destroy();
}

export async function show(main) {
  destroyCharts();
  const room = select([["", "All rooms"], ...roomList().map((r) => [r.id, r.name])], state.room);
  const range = select(Object.entries(RANGES).map(([k, v]) => [k, v[0]]), state.range);
  const out = h("div", { class: "insights" });
  const error = errorLine();
  const form = h("form", { class: "filters insights-filters", "aria-label": "Insights range" }, field("Room", room), field("Range", range));
  const refresh = () => {
    state.room = room.value;
    state.range = range.value;
    return render(out, error);
  };
  room.addEventListener("change", refresh);
  range.addEventListener("change", refresh);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    refresh();
  });
  fill(main, h("h1", { text: "Insights" }), form, error, out);
  await refresh();
}

async function render(out, error) {
  const seq = ++renderSeq;
  error.show(null);
  const [, span, bucket] = RANGES[state.range];
  const to = new Date();
  const from = new Date(to.getTime() - span);
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), bucket });
  if (state.room) q.set("room", state.room);
  let stats;
  let Chart;
  try {
    [stats, Chart] = await Promise.all([get(`/v1/stats?${q}`), loadChartJs()]);
  } catch (e) {
    if (seq === renderSeq) error.show(e);
    return;
  }
  if (seq !== renderSeq || !out.isConnected) return;
  destroyCharts();
  const s = stats.series;
  const labels = s.map((b) => label(b.start, bucket));
  const t = stats.totals || { decided: 0, outcomes: {}, p50_seconds: null, p90_seconds: null, human_decided: 0 };

  const summary = h("p", { class: "totals", role: "status" },
    `${t.decided} decided (${t.human_decided} by people) · median time to decision ${duration(t.p50_seconds)} · 90th percentile ${duration(t.p90_seconds)}`);

  // Time to decision: p50 and p90 per bucket, in minutes on the chart, as durations in the table.
  const ttd = figure("ttd", "Time to decision", `p50 and p90 per ${bucket}, decisions by people`,
    table("Time to decision", [bucket === "hour" ? "Hour" : "Day", "Decided by people", "p50", "p90"],
      s.filter((b) => b.human_decided > 0).map((b) => [label(b.start, bucket), String(b.human_decided), duration(b.p50_seconds), duration(b.p90_seconds)])));
  // Outcomes: stacked bars.
  const outcomes = figure("outcomes", "Outcomes over time", `per ${bucket}, stacked`,
    table("Outcomes", [bucket === "hour" ? "Hour" : "Day", ...OUTCOMES.map((o) => o[1])],
      s.filter((b) => b.decided > 0).map((b) => [label(b.start, bucket), ...OUTCOMES.map(([k]) => String(b.outcomes[k] || 0))])));
  // Trust: one line per agent (and room, on "All rooms").
  const lines = stats.trust || [];
  const lineName = (l) => `${l.agent_name || l.agent_id}${state.room ? "" : ` in ${roomName(l.room_id)}`}`;
  const trustRows = [];
  for (const l of lines) {
    if (l.start_score != null) trustRows.push([lineName(l), "before the range", String(l.start_score), ""]);
    for (const p of l.points) trustRows.push([lineName(l), new Date(p.at).toLocaleString(), String(p.score), p.outcome]);
  }
  const trust = figure("trust", "Trust over time", state.room ? `each agent's trust score in ${roomName(state.room)}` : "each agent's trust score per room",
    table("Trust", ["Agent", "When", "Score", "After"], trustRows));
  fill(out, summary, ttd, outcomes, trust);

  draw(Chart, ttd, {
    type: "line",
    data: {
      labels,
      datasets: [
        { label: "p50 (minutes)", data: s.map((b) => (b.p50_seconds == null ? null : b.p50_seconds / 60)), borderColor: color("--accent"), backgroundColor: color("--accent"), spanGaps: true },
        { label: "p90 (minutes)", data: s.map((b) => (b.p90_seconds == null ? null : b.p90_seconds / 60)), borderColor: color("--warn"), backgroundColor: color("--warn"), spanGaps: true },
      ],
    },
    options: baseOptions(),
  });
  draw(Chart, outcomes, {
    type: "bar",
    data: { labels, datasets: OUTCOMES.map(([k, name, c]) => ({ label: name, data: s.map((b) => b.outcomes[k] || 0), backgroundColor: color(c), stack: "o" })) },
    options: baseOptions({ x: { stacked: true }, y: { stacked: true, ticks: { precision: 0, color: color("--fg") } } }),
  });
  const palette = ["--accent", "--ok", "--warn", "--bad", "--muted"];
  draw(Chart, trust, {
    type: "line",
    data: {
      datasets: lines.map((l, i) => ({
        label: lineName(l),
        data: [...(l.start_score != null ? [{ x: from.getTime(), y: l.start_score }] : []), ...l.points.map((p) => ({ x: Date.parse(p.at), y: p.score }))],
        borderColor: color(palette[i % palette.length]),
        backgroundColor: color(palette[i % palette.length]),
        stepped: true,
      })),
    },
    options: baseOptions({
      x: { type: "linear", min: from.getTime(), max: to.getTime(), ticks: { color: color("--fg"), maxTicksLimit: 6, callback: (v) => label(new Date(v).toISOString(), bucket) } },
      y: { min: 0, max: 100 },
    }),
  });
}

export function hide() {
  destroyCharts();
}
