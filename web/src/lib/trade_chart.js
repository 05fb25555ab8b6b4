// The candlestick chart (TradingView's lightweight-charts, bundled from npm): klines from
// GET /api/v3/klines, kept live by the `<sym>@kline_<interval>` stream, with a volume
// histogram below. Prices become Numbers here only to be drawn; every figure the page shows
// as text stays an exact decimal string.
//
// The candles take the user's up and down colours (lib/colours.js: red up and blue down in
// Korean, green and red in English): a canvas cannot read CSS variables, so the colours are
// read when the chart is made and again whenever the convention changes.
//
// Over the candles: an OHLC legend for the candle under the pointer (the last one otherwise),
// moving averages of the close (MA 7, 25 and 99, each switchable) and horizontal price lines
// placed with a click, listed below the chart to be removed.
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  LineStyle,
  createChart,
} from "lightweight-charts";
import { rest } from "./api.js";
import { onColourSchemeChange, upDownColours } from "./colours.js";
import { grouped } from "./decimal.js";
import { byId, clear, el } from "./dom.js";
import { t } from "./i18n.js";
import { openStreams } from "./streams.js";
import { changePercent, signed } from "./tickers.js";
import { dec, decText, floorToStep, formatPrice, formatQty } from "./trade_market.js";

export const INTERVALS = ["1m", "5m", "15m", "1h", "4h", "1d", "1w"];
const STORAGE_KEY = "assetport.chartInterval";
// The volume bars are the candles' colours, see-through so the candles stand out above them.
const VOLUME_ALPHA = 0.45;
// Moving averages of the close over 7, 25 and 99 candles, as Binance shows them; colours
// away from every convention's up and down so a line is never read as a candle.
export const AVERAGES = [
  { period: 7, colour: "#f0b90b" },
  { period: 25, colour: "#c77dff" },
  { period: 99, colour: "#38bdf8" },
];
const AVERAGES_KEY = "assetport.chartAverages";
const LINES_KEY = "assetport.chartLines.";
const LINE_COLOUR = "#e6e8ea";

function stored(key, fallback) {
  try {
    const value = JSON.parse(localStorage.getItem(key));
    return value ?? fallback;
  } catch (error) {
    return fallback;
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch (error) {
    // private mode: the choice lasts for this page only
  }
}

// The chart's time axis shows the viewer's local time (the library draws UTC).
const OFFSET_SECONDS = -new Date().getTimezoneOffset() * 60;

function storedInterval() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (INTERVALS.includes(stored)) return stored;
  } catch (error) {
    // no storage: the default
  }
  return "1m";
}

// `colour` (any CSS colour) at the given opacity, as rgba(): a canvas context normalises
// whatever the style sheet wrote ("#f75467", "rgb(...)", a name) to #rrggbb.
const colourProbe = document.createElement("canvas").getContext("2d");
function translucent(colour, alpha) {
  colourProbe.fillStyle = "#000";
  colourProbe.fillStyle = colour;
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colourProbe.fillStyle);
  if (!hex) return colourProbe.fillStyle;
  const [red, green, blue] = hex.slice(1).map((pair) => parseInt(pair, 16));
  return `rgba(${red}, ${green}, ${blue}, ${alpha})`;
}

// One candle: what the chart draws (Numbers) and the exact texts the legend shows.
function bar(openTime, open, high, low, close, volume) {
  const time = Math.floor(openTime / 1000) + OFFSET_SECONDS;
  const o = Number(open);
  const c = Number(close);
  return {
    candle: { time, open: o, high: Number(high), low: Number(low), close: c },
    volume: { time, value: Number(volume) },
    rose: c >= o,
    text: { openTime, open, high, low, close, volume },
  };
}

// The simple moving average of the closes over `period` candles, from the period-th on.
function movingAverage(bars, period) {
  const points = [];
  let sum = 0;
  for (let i = 0; i < bars.length; i++) {
    sum += bars[i].candle.close;
    if (i >= period) sum -= bars[i - period].candle.close;
    if (i >= period - 1) points.push({ time: bars[i].candle.time, value: sum / period });
  }
  return points;
}

export function createPriceChart(market, { container, tools, toolbar, legend, lines }) {
  let interval = storedInterval();
  let lastTime = 0;
  let loadToken = 0;
  let stream = null;

  const chart = createChart(container, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: "#161a21" },
      textColor: "#8b93a1",
      fontSize: 11,
    },
    grid: { vertLines: { color: "#1f242d" }, horzLines: { color: "#1f242d" } },
    crosshair: { mode: CrosshairMode.Normal },
    rightPriceScale: { borderColor: "#2a303b" },
    timeScale: { borderColor: "#2a303b", timeVisible: true, secondsVisible: false, rightOffset: 6 },
  });
  // The axis labels grouped like every other price on the page.
  const priceFormat = {
    type: "custom",
    formatter: (price) => grouped(price.toFixed(market.priceDecimals)),
    minMove: market.tick && market.tick.units > 0n ? Number(market.tick.units) / 10 ** market.tick.scale : 0.01,
  };
  const candles = chart.addSeries(CandlestickSeries, { priceFormat });
  const volumes = chart.addSeries(HistogramSeries, {
    priceScaleId: "volume",
    priceFormat: { type: "volume" },
    lastValueVisible: false,
    priceLineVisible: false,
  });
  chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.24 } });

  const shownAverages = new Set(
    [].concat(stored(AVERAGES_KEY, [7, 25])).filter((period) => AVERAGES.some((a) => a.period === period)),
  );
  const averageSeries = new Map(
    AVERAGES.map(({ period, colour }) => [
      period,
      chart.addSeries(LineSeries, {
        color: colour,
        lineWidth: 1,
        priceFormat,
        lastValueVisible: false,
        priceLineVisible: false,
        crosshairMarkerVisible: false,
        visible: shownAverages.has(period),
      }),
    ]),
  );

  // The bars drawn now, kept to recolour their volumes when the convention changes.
  let bars = [];
  let volumeColours = { up: "", down: "" };
  const volumeOf = (b) => ({ ...b.volume, color: b.rose ? volumeColours.up : volumeColours.down });

  function applyColours() {
    const { up, down } = upDownColours();
    candles.applyOptions({
      upColor: up,
      downColor: down,
      borderUpColor: up,
      borderDownColor: down,
      wickUpColor: up,
      wickDownColor: down,
    });
    volumeColours = { up: translucent(up, VOLUME_ALPHA), down: translucent(down, VOLUME_ALPHA) };
    if (bars.length) volumes.setData(bars.map(volumeOf));
    // What the series now draws with, for the page's tests and tools to read.
    const drawn = candles.options();
    container.dataset.upColour = drawn.upColor;
    container.dataset.downColour = drawn.downColor;
  }
  applyColours();
  onColourSchemeChange(applyColours);

  // The interval buttons, labelled in the page's language ("1h" / "1시간").
  function drawTools() {
    clear(tools);
    tools.setAttribute("aria-label", t("trade.chart.intervals"));
    for (const name of INTERVALS) {
      tools.append(
        el("button", {
          class: name === interval ? "interval-button active" : "interval-button",
          type: "button",
          dataset: { interval: name },
          "aria-pressed": name === interval ? "true" : "false",
          text: t(`trade.interval.${name}`),
          onclick: () => selectInterval(name),
        }),
      );
    }
  }

  async function load() {
    const token = ++loadToken;
    const asked = interval;
    container.dataset.loading = "1";
    try {
      const klines = await rest("GET", "/api/v3/klines", { symbol: market.symbol, interval: asked, limit: 500 });
      if (token !== loadToken) return;
      bars = klines.map((k) => bar(k[0], k[1], k[2], k[3], k[4], k[5]));
      candles.setData(bars.map((b) => b.candle));
      volumes.setData(bars.map(volumeOf));
      drawAverages();
      pointed = null;
      drawLegend(null);
      lastTime = bars.length ? bars[bars.length - 1].candle.time : 0;
      chart.timeScale().scrollToRealTime();
      container.dataset.interval = asked;
      container.dataset.bars = String(bars.length);
      delete container.dataset.loading;
      const empty = byId("chart-empty");
      if (empty) empty.hidden = bars.length > 0;
    } catch (error) {
      if (token === loadToken) container.dataset.error = error.message;
    }
  }

  function onKline(streamName, data) {
    const k = data && data.k;
    if (!k || k.i !== interval || container.dataset.interval !== interval) return;
    const next = bar(k.t, k.o, k.h, k.l, k.c, k.v);
    if (next.candle.time < lastTime) return;
    candles.update(next.candle);
    volumes.update(volumeOf(next));
    if (bars.length && bars[bars.length - 1].candle.time === next.candle.time) bars[bars.length - 1] = next;
    else bars.push(next);
    lastTime = next.candle.time;
    updateAverages();
    if (pointed === null) drawLegend(null);
    const empty = byId("chart-empty");
    if (empty) empty.hidden = true;
  }

  // The bars load at once; after a reconnect they load again (the stream missed updates).
  function subscribe() {
    if (stream) stream.close();
    let opened = false;
    load();
    stream = openStreams([`${market.symbol.toLowerCase()}@kline_${interval}`], onKline, () => {
      if (opened) load();
      opened = true;
    });
  }

  function selectInterval(name) {
    if (!INTERVALS.includes(name) || name === interval) return;
    interval = name;
    try {
      localStorage.setItem(STORAGE_KEY, name);
    } catch (error) {
      // private mode: the choice lasts for this page only
    }
    drawTools();
    subscribe();
  }

  // --- moving averages ---

  function drawAverages() {
    for (const [period, series] of averageSeries) series.setData(movingAverage(bars, period));
    container.dataset.averages = [...shownAverages].sort((a, b) => a - b).join(",");
  }

  // The live candle moves only the averages' last point.
  function updateAverages() {
    for (const [period, series] of averageSeries) {
      if (bars.length < period) continue;
      const last = bars.slice(-period);
      const value = last.reduce((sum, b) => sum + b.candle.close, 0) / period;
      series.update({ time: bars[bars.length - 1].candle.time, value });
    }
  }

  function averageAt(period, index) {
    if (index < period - 1) return null;
    let sum = 0;
    for (let i = index - period + 1; i <= index; i++) sum += bars[i].candle.close;
    return sum / period;
  }

  function toggleAverage(period) {
    if (shownAverages.has(period)) shownAverages.delete(period);
    else shownAverages.add(period);
    averageSeries.get(period).applyOptions({ visible: shownAverages.has(period) });
    store(AVERAGES_KEY, [...shownAverages]);
    container.dataset.averages = [...shownAverages].sort((a, b) => a - b).join(",");
    drawToolbar();
    drawLegend(pointed);
  }

  // --- the legend ---

  // The index of the bar under the pointer, or null for the last one.
  let pointed = null;
  function drawLegend(index) {
    if (!legend) return;
    clear(legend);
    const at = index === null ? bars.length - 1 : index;
    const shown = bars[at];
    if (!shown) {
      delete legend.dataset.time;
      return;
    }
    const { text } = shown;
    const direction = shown.rose ? "up" : "down";
    const item = (key, value, className = "", extra = false) =>
      el("span", { class: extra ? "legend-item extra" : "legend-item" }, [
        el("span", { class: "muted", text: t(key) }),
        " ",
        el("span", { class: `legend-value num ${className}`, text: value }),
      ]);
    legend.append(
      item("trade.chart.open", formatPrice(market, text.open), direction),
      item("trade.chart.high", formatPrice(market, text.high), direction),
      item("trade.chart.low", formatPrice(market, text.low), direction),
      item("trade.chart.close", formatPrice(market, text.close), direction),
      item("trade.chart.change", signed(changePercent(text.open, text.close)), direction, true),
      item("trade.chart.volume", formatQty(market, text.volume)),
    );
    // The averages are an indicator drawn from the candles' Numbers, not money: a float
    // rounded to the price's decimals is what they are.
    for (const { period, colour } of AVERAGES) {
      if (!shownAverages.has(period)) continue;
      const value = averageAt(period, at);
      const shownValue = value === null ? "–" : grouped(value.toFixed(market.priceDecimals));
      legend.append(
        el("span", { class: "legend-item extra", style: `color: ${colour}` }, [
          el("span", { text: `MA${period}` }),
          " ",
          el("span", { class: "legend-value num", text: shownValue }),
        ]),
      );
    }
    // The exact figures, for tools and tests: what the API sent, untouched.
    Object.assign(legend.dataset, {
      time: String(text.openTime),
      open: text.open,
      high: text.high,
      low: text.low,
      close: text.close,
      volume: text.volume,
    });
  }

  chart.subscribeCrosshairMove((param) => {
    const index = param && param.point && param.time !== undefined ? bars.findIndex((b) => b.candle.time === param.time) : -1;
    pointed = index >= 0 ? index : null;
    drawLegend(pointed);
  });

  // --- price lines ---

  const linesKey = LINES_KEY + market.symbol;
  const placed = []; // [{price: text, line}]
  let placing = false;

  function addLine(priceText, remember = true) {
    if (placed.some((p) => p.price === priceText)) return;
    const line = candles.createPriceLine({
      price: Number(priceText),
      color: LINE_COLOUR,
      lineWidth: 1,
      lineStyle: LineStyle.Dashed,
      axisLabelVisible: true,
      title: "",
    });
    placed.push({ price: priceText, line });
    if (remember) store(linesKey, placed.map((p) => p.price));
    drawLines();
  }

  function removeLine(priceText) {
    const at = placed.findIndex((p) => p.price === priceText);
    if (at < 0) return;
    candles.removePriceLine(placed[at].line);
    placed.splice(at, 1);
    store(linesKey, placed.map((p) => p.price));
    drawLines();
  }

  function drawLines() {
    container.dataset.priceLines = String(placed.length);
    if (!lines) return;
    clear(lines);
    lines.hidden = placed.length === 0;
    for (const { price } of placed) {
      const shown = formatPrice(market, price);
      lines.append(
        el("li", { class: "chart-line", dataset: { price } }, [
          el("span", { class: "num", text: shown }),
          el("button", {
            type: "button",
            class: "button small remove-line",
            "aria-label": t("trade.chart.removeLine", { price: shown }),
            text: "×",
            onclick: () => removeLine(price),
          }),
        ]),
      );
    }
  }

  // A click with the line tool on places a line at that height, on the market's tick.
  chart.subscribeClick((param) => {
    if (!placing || !param || !param.point) return;
    const price = candles.coordinateToPrice(param.point.y);
    if (price === null || !(price > 0)) return;
    const exact = dec(price.toFixed(Math.max(market.priceDecimals, 0)));
    const onTick = market.tick && exact ? floorToStep(exact, market.tick) : exact;
    if (!onTick) return;
    addLine(decText(onTick));
    placing = false;
    drawToolbar();
  });

  // The averages' switches and the line tool, in the page's language.
  function drawToolbar() {
    if (!toolbar) return;
    clear(toolbar);
    toolbar.setAttribute("aria-label", t("trade.chart.tools"));
    for (const { period, colour } of AVERAGES) {
      const on = shownAverages.has(period);
      toolbar.append(
        el("button", {
          type: "button",
          id: `ma-${period}`,
          class: on ? "chart-tool active" : "chart-tool",
          "aria-pressed": on ? "true" : "false",
          style: `--tool-colour: ${colour}`,
          text: `MA ${period}`,
          title: t("trade.chart.average", { period }),
          onclick: () => toggleAverage(period),
        }),
      );
    }
    toolbar.append(
      el("button", {
        type: "button",
        id: "chart-line-tool",
        class: placing ? "chart-tool active" : "chart-tool",
        "aria-pressed": placing ? "true" : "false",
        text: t(placing ? "trade.chart.linePlacing" : "trade.chart.line"),
        onclick: () => {
          placing = !placing;
          container.classList.toggle("placing-line", placing);
          drawToolbar();
        },
      }),
    );
    container.classList.toggle("placing-line", placing);
  }

  for (const price of [].concat(stored(linesKey, []))) if (dec(String(price))) addLine(String(price), false);
  drawTools();
  drawToolbar();
  drawLines();
  subscribe();
  return {
    chart,
    redrawTexts() {
      drawTools();
      drawToolbar();
      drawLines();
      drawLegend(pointed);
    },
  };
}
