// Markets overview: every market with its last price, 24 h change and volume, kept live by
// the all-market mini-ticker stream.
import { rest } from "../lib/api.js";
import { grouped, trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, onLanguageChange, t, translate } from "../lib/i18n.js";
import { notify, startPage } from "../lib/layout.js";
import { openStreams } from "../lib/streams.js";
import { changeClass, changePercent, signed } from "../lib/tickers.js";
import messages from "../messages/markets.js";

addMessages(messages);

const rows = new Map(); // symbol -> {symbol, base, quote, open, last, high, low, volume, quoteVolume}
let filter = "";
let quoteFilter = "";

function drawSkeleton() {
  const main = clear(byId("main"));
  const quotes = el("div", { class: "quote-tabs", id: "quote-tabs" });
  main.append(
    el("div", { class: "markets-head" }, [
      el("h1", { dataset: { i18n: "markets.title" } }),
      el("span", { id: "live-state", class: "live-state muted" }),
    ]),
    el("div", { class: "markets-tools" }, [
      quotes,
      el("input", {
        id: "market-filter",
        type: "search",
        dataset: { i18nPlaceholder: "markets.filter" },
        oninput: (event) => {
          filter = event.target.value.trim().toUpperCase();
          drawRows();
        },
      }),
    ]),
    el("div", { class: "panel table-scroll" }, [
      el("table", { id: "markets-table", class: "markets-table" }, [
        el("thead", {}, [
          el("tr", {}, [
            el("th", { dataset: { i18n: "markets.market" } }),
            el("th", { class: "num", dataset: { i18n: "markets.last" } }),
            el("th", { class: "num", dataset: { i18n: "markets.change" } }),
            el("th", { class: "num wide-only", dataset: { i18n: "markets.high" } }),
            el("th", { class: "num wide-only", dataset: { i18n: "markets.low" } }),
            el("th", { class: "num", dataset: { i18n: "markets.volume" } }),
            el("th", { class: "num wide-only", dataset: { i18n: "markets.quoteVolume" } }),
          ]),
        ]),
        el("tbody", { id: "markets-body" }),
      ]),
    ]),
  );
}

function drawQuoteTabs() {
  const quotes = [...new Set([...rows.values()].map((row) => row.quote))].sort();
  const tabs = clear(byId("quote-tabs"));
  for (const quote of ["", ...quotes]) {
    const tab = el("button", {
      class: quote === quoteFilter ? "tab active" : "tab",
      dataset: quote ? { quote } : { i18n: "markets.all" },
      text: quote || t("markets.all"),
      onclick: () => {
        quoteFilter = quote;
        drawQuoteTabs();
        drawRows();
      },
    });
    tabs.append(tab);
  }
}

// A market that never traded shows a dash, not a price of zero.
function price(value) {
  return /^0(\.0*)?$/.test(value) ? "–" : grouped(trim(value));
}

function visible(row) {
  if (quoteFilter && row.quote !== quoteFilter) return false;
  if (!filter) return true;
  return row.symbol.includes(filter) || t(`asset.${row.base}`).toUpperCase().includes(filter);
}

function drawRows() {
  const body = clear(byId("markets-body"));
  const shown = [...rows.values()].filter(visible);
  if (!shown.length) {
    body.append(el("tr", {}, [el("td", { colspan: "7", class: "muted", text: t("markets.none") })]));
    return;
  }
  for (const row of shown) {
    const percent = changePercent(row.open, row.last);
    body.append(
      el("tr", { id: `market-${row.symbol}`, class: "market-row", dataset: { symbol: row.symbol } }, [
        el("td", {}, [
          el("a", { href: `/trade/${row.symbol}`, class: "market-link" }, [
            el("strong", { text: row.base }),
            el("span", { class: "muted", text: ` / ${row.quote}` }),
          ]),
          el("div", { class: "asset-name muted", text: t(`asset.${row.base}`) }),
        ]),
        el("td", { class: `num last ${changeClass(percent)}`, text: price(row.last) }),
        el("td", { class: `num change ${changeClass(percent)}`, text: signed(percent) }),
        el("td", { class: "num wide-only", text: price(row.high) }),
        el("td", { class: "num wide-only", text: price(row.low) }),
        el("td", { class: "num volume", text: grouped(trim(row.volume)) }),
        el("td", { class: "num wide-only", text: grouped(trim(row.quoteVolume)) }),
      ]),
    );
  }
}

async function loadSnapshot() {
  const [info, tickers] = await Promise.all([
    rest("GET", "/api/v3/exchangeInfo"),
    rest("GET", "/api/v3/ticker/24hr"),
  ]);
  const bySymbol = new Map(tickers.map((ticker) => [ticker.symbol, ticker]));
  for (const market of info.symbols) {
    if (market.status !== "TRADING" && !bySymbol.has(market.symbol)) continue;
    const ticker = bySymbol.get(market.symbol) || {};
    rows.set(market.symbol, {
      symbol: market.symbol,
      base: market.baseAsset,
      quote: market.quoteAsset,
      open: ticker.openPrice || "0",
      last: ticker.lastPrice || "0",
      high: ticker.highPrice || "0",
      low: ticker.lowPrice || "0",
      volume: ticker.volume || "0",
      quoteVolume: ticker.quoteVolume || "0",
    });
  }
  drawQuoteTabs();
  drawRows();
}

function onMiniTickers(stream, tickers) {
  for (const ticker of tickers) {
    const row = rows.get(ticker.s);
    if (!row) continue;
    Object.assign(row, { open: ticker.o, last: ticker.c, high: ticker.h, low: ticker.l, volume: ticker.v, quoteVolume: ticker.q });
  }
  drawRows();
}

async function main() {
  drawSkeleton();
  await startPage({ active: "markets" });
  translate();
  onLanguageChange(() => {
    drawQuoteTabs();
    drawRows();
  });
  try {
    await loadSnapshot();
  } catch (error) {
    notify(t("common.error", { message: error.message }), "error");
  }
  const state = byId("live-state");
  openStreams(
    ["!miniTicker@arr"],
    onMiniTickers,
    () => {
      state.dataset.i18n = "markets.live";
      state.textContent = t("markets.live");
      loadSnapshot().catch(() => {});
    },
  );
}

main();
