// A token's supply against its attested reserve over time, as an inline SVG step chart
// (GET /api/v1/assets/{asset}/supply: a point after each attestation and each change of the
// supply, oldest first). Both lines are steps: a supply stays what it is until the next
// change. Heights are reckoned on BigInt from the exact amounts; only the pixel positions
// are fractions. The figures are also a table under the chart, for a screen reader and for
// anyone who wants the numbers.
import { fromUnits, scaleOf, toUnits } from "./decimal.js";
import { el } from "./dom.js";
import { formatDate, formatDateTime, t } from "./i18n.js";
import { amountText, dataTable } from "./issuance.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 8, right: 8, top: 22, bottom: 26 };
// Steps of the heights' fractions (a 1/10000 of the plot's height is well below a pixel).
const FINE = 10000n;

function svg(tag, attributes = {}, children = []) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// The step line through `values` (BigInt units) at `xs`, ending at the right edge.
function stepPath(xs, values, y) {
  const parts = [];
  values.forEach((value, index) => {
    const atY = y(value);
    parts.push(index === 0 ? `M${xs[0].toFixed(1)},${atY}` : `H${xs[index].toFixed(1)}V${atY}`);
  });
  parts.push(`H${WIDTH - PAD.right}`);
  return parts.join("");
}

// What a point of the history is, in words; a kind this page has no words for, as named.
function changeText(kind) {
  const key = `rwa.change.${kind}`;
  const text = t(key);
  return text === key ? kind : text;
}

function figures(points, asset) {
  return el("details", { class: "supply-figures" }, [
    el("summary", { id: "asset-figures-title", text: t("rwa.chart.figures") }),
    dataTable(
      "asset-supply-table",
      [["rwa.time"], ["rwa.chart.change"], ["rwa.supply", true], ["rwa.reserve", true]],
      points.map((point) => el("tr", { dataset: { kind: point.kind } }, [
        el("td", { text: formatDateTime(point.time) }),
        el("td", { text: changeText(point.kind) }),
        el("td", { class: "num", text: amountText(point.supply, asset) }),
        el("td", { class: "num", text: amountText(point.reserve, asset) }),
      ])),
      "asset-figures-title",
    ),
  ]);
}

// The chart of `points` for `asset` (at least one point), with its legend and figures.
export function supplyChart(points, asset) {
  const scale = scaleOf(points[0].supply);
  const supply = points.map((p) => toUnits(p.supply, scale) ?? 0n);
  const reserve = points.map((p) => toUnits(p.reserve, scale) ?? 0n);
  const top = [...supply, ...reserve].reduce((a, b) => (b > a ? b : a), 1n);
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const y = (units) => (PAD.top + plotHeight - (Number((units * FINE) / top) / Number(FINE)) * plotHeight).toFixed(1);
  const first = points[0].time;
  const last = Math.max(points[points.length - 1].time, Date.now());
  const span = Math.max(1, last - first);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const xs = points.map((p) => PAD.left + ((p.time - first) / span) * plotWidth);
  const latest = points[points.length - 1];
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "supply-chart", role: "img", "aria-labelledby": "asset-chart-title" }, [
    svg("title", { id: "asset-chart-title", text: t("rwa.chart.title", { asset }) }),
    svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: PAD.top + plotHeight, y2: PAD.top + plotHeight, class: "chart-axis" }),
    svg("path", { d: stepPath(xs, reserve, y), class: "chart-reserve", id: "asset-chart-reserve" }),
    svg("path", { d: stepPath(xs, supply, y), class: "chart-supply", id: "asset-chart-supply" }),
    svg("text", { x: PAD.left, y: PAD.top - 8, class: "chart-label", text: amountText(fromUnits(top, scale), asset) }),
    svg("text", { x: PAD.left, y: HEIGHT - 8, class: "chart-label", text: formatDate(first) }),
    svg("text", { x: WIDTH - PAD.right, y: HEIGHT - 8, class: "chart-label", "text-anchor": "end", text: formatDate(last) }),
  ]);
  return el("div", { class: "supply-block" }, [
    chart,
    el("p", { class: "chart-legend" }, [
      el("span", { class: "legend-supply", id: "asset-chart-latest-supply", text: `${t("rwa.supply")}: ${amountText(latest.supply, asset)}` }),
      el("span", { class: "legend-reserve", id: "asset-chart-latest-reserve", text: `${t("rwa.reserve")}: ${amountText(latest.reserve, asset)}` }),
    ]),
    figures(points, asset),
  ]);
}
