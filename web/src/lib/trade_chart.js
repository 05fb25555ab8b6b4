// The candlestick chart (TradingView's lightweight-charts, bundled from npm): klines from
// GET /api/v3/klines, kept live by the `<sym>@kline_<interval>` stream, with a volume
// histogram below. Prices become Numbers here only to be drawn; every figure the page shows
// as text stays an exact decimal string.
import { CandlestickSeries, ColorType, CrosshairMode, HistogramSeries, createChart } from "lightweight-charts";
import { rest } from "./api.js";
import { grouped } from "./decimal.js";
import { byId, clear, el } from "./dom.js";
import { openStreams } from "./streams.js";

export const INTERVALS = ["1m", "5m", "15m", "1h", "4h", "1d", "1w"];
const STORAGE_KEY = "assetport.chartInterval";
const UP = "#0ecb81";
const DOWN = "#f6465d";

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

function bar(openTime, open, high, low, close, volume) {
  const time = Math.floor(openTime / 1000) + OFFSET_SECONDS;
  const o = Number(open);
  const c = Number(close);
  return {
    candle: { time, open: o, high: Number(high), low: Number(low), close: c },
    volume: { time, value: Number(volume), color: c >= o ? "rgba(14, 203, 129, 0.45)" : "rgba(246, 70, 93, 0.45)" },
  };
}

export function createPriceChart(market, { container, tools }) {
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
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    borderUpColor: UP,
    borderDownColor: DOWN,
    wickUpColor: UP,
    wickDownColor: DOWN,
    priceFormat,
  });
  const volumes = chart.addSeries(HistogramSeries, {
    priceScaleId: "volume",
    priceFormat: { type: "volume" },
    lastValueVisible: false,
    priceLineVisible: false,
  });
  chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.24 } });

  function drawTools() {
    clear(tools);
    for (const name of INTERVALS) {
      tools.append(
        el("button", {
          class: name === interval ? "interval-button active" : "interval-button",
          type: "button",
          dataset: { interval: name },
          "aria-pressed": name === interval ? "true" : "false",
          text: name,
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
      const bars = klines.map((k) => bar(k[0], k[1], k[2], k[3], k[4], k[5]));
      candles.setData(bars.map((b) => b.candle));
      volumes.setData(bars.map((b) => b.volume));
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
    volumes.update(next.volume);
    lastTime = next.candle.time;
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

  drawTools();
  subscribe();
  return { chart };
}
