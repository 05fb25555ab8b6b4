// An item's price history: each sale's price per unit over time, drawn with the chart
// library the trading page uses (TradingView's lightweight-charts), with the same figures
// in a table beside it for a screen reader and for anyone who wants the exact numbers.
// Prices become Numbers here only to be drawn; the table shows the API's exact decimals.
import { ColorType, LineSeries, LineType, createChart } from "lightweight-charts";
import { grouped } from "./decimal.js";
import { el } from "./dom.js";
import { formatDateTime, t } from "./i18n.js";
import { dataTable } from "./issuance.js";
import { accountText, countText, priceText } from "./nft.js";

// The chart's time axis shows the viewer's local time (the library draws UTC).
const OFFSET_SECONDS = -new Date().getTimezoneOffset() * 60;
const LINE_COLOUR = "#f0b90b";

// The points the library takes: one per second at most (its times are whole seconds and
// strictly rising), the last sale of a second standing for it.
function points(sales) {
  const bySecond = new Map();
  for (const sale of [...sales].sort((a, b) => a.time - b.time)) {
    bySecond.set(Math.floor(sale.time / 1000) + OFFSET_SECONDS, Number(sale.price));
  }
  return [...bySecond].map(([time, value]) => ({ time, value }));
}

// The chart and its table in `container`; `sales` are [{time, price, quantity, seller,
// buyer}], `decimals` the currency's. Returns a function that removes the chart.
export function priceHistory(container, sales, { currency, decimals, session }) {
  container.replaceChildren();
  if (!sales.length) {
    container.append(el("p", { id: "nft-history-none", class: "muted", text: t("nft.history.none") }));
    return () => {};
  }
  const box = el("div", { id: "nft-price-chart", class: "nft-chart", "aria-hidden": "true" });
  container.append(
    el("p", { class: "sr-only", text: t("nft.history.chartNote") }),
    box,
    el("details", { class: "nft-history-figures" }, [
      el("summary", { text: t("nft.history.figures") }),
      dataTable(
        "nft-sales",
        [["nft.time"], ["nft.price", true], ["nft.quantity", true], ["nft.from"], ["nft.to"]],
        [...sales].reverse().map((sale) =>
          el("tr", {}, [
            el("td", { class: "nowrap", text: formatDateTime(sale.time) }),
            el("td", { class: "num", text: priceText(sale.price, currency) }),
            el("td", { class: "num", text: countText(sale.quantity || 1) }),
            el("td", { text: accountText(sale.seller, session) }),
            el("td", { text: accountText(sale.buyer, session) }),
          ]),
        ),
        "nft-history-title",
      ),
    ]),
  );
  const chart = createChart(box, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: "#161a21" }, textColor: "#8b93a1", fontSize: 11 },
    grid: { vertLines: { color: "#1f242d" }, horzLines: { color: "#1f242d" } },
    rightPriceScale: { borderColor: "#2a303b" },
    timeScale: { borderColor: "#2a303b", timeVisible: true, secondsVisible: false },
    handleScroll: false,
    handleScale: false,
  });
  const line = chart.addSeries(LineSeries, {
    color: LINE_COLOUR,
    lineWidth: 2,
    lineType: LineType.Simple,
    pointMarkersVisible: true,
    priceFormat: { type: "custom", formatter: (price) => grouped(price.toFixed(decimals)), minMove: 1 / 10 ** decimals },
  });
  line.setData(points(sales));
  chart.timeScale().fitContent();
  return () => chart.remove();
}
