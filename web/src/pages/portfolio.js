// The portfolio: every asset the account holds, valued in KRW at the last prices, with its
// average cost and profit or loss (lib/portfolio.js says how they are reckoned). Prices
// follow the all-market mini-ticker stream; balances and trades are read again every
// REFRESH_MS and when the person comes back to the tab. Below the holdings, the balances too
// small to sell can be converted to KRW (lib/dust.js). A visitor is asked to log in.
import { rest } from "../lib/api.js";
import { trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { createDustPanel } from "../lib/dust.js";
import { errorText } from "../lib/errors.js";
import { addMessages, formatAsset, formatNumber, onLanguageChange, t, translate } from "../lib/i18n.js";
import { isSandbox, startPage } from "../lib/layout.js";
import { HOME, costBasis, holdings, text, totals } from "../lib/portfolio.js";
import { openStreams } from "../lib/streams.js";
import { changeClass } from "../lib/tickers.js";
import messages from "../messages/portfolio.js";

addMessages(messages);

const REFRESH_MS = 30000;
const RETRY_MS = [2000, 4000, 8000, 15000, 30000];
const TRADES_PAGE = 1000;
const SKELETON_ROWS = 4;

let markets = []; // {symbol, base, quote}
const precision = {}; // asset -> decimals
const lastPrices = {}; // symbol -> last price
let balances = [];
let bases = {}; // asset -> cost basis from its KRW market's trades
let loaded = false;
let attempts = 0;
let retryTimer = null;
let dust = null; // the small-balances panel

function drawFrame() {
  const main = clear(byId("main"));
  main.append(
    el("h1", { dataset: { i18n: "portfolio.title" } }),
    el("div", { class: "portfolio-summary panel", id: "portfolio-summary" }),
    el("p", { id: "portfolio-state", class: "muted", role: "status" }),
    el("div", { class: "panel table-scroll" }, [
      el("table", { id: "portfolio-table", class: "portfolio-table" }, [
        el("thead", {}, [
          el("tr", {}, [
            el("th", { dataset: { i18n: "portfolio.asset" } }),
            el("th", { class: "num", dataset: { i18n: "portfolio.amount" } }),
            el("th", { class: "num", dataset: { i18n: "portfolio.averageCost" } }),
            el("th", { class: "num", dataset: { i18n: "portfolio.price" } }),
            el("th", { class: "num", dataset: { i18n: "portfolio.value" } }),
            el("th", { class: "num", dataset: { i18n: "portfolio.profit" } }),
            el("th", { class: "num", dataset: { i18n: "portfolio.rate" } }),
          ]),
        ]),
        el("tbody", { id: "portfolio-rows" }, skeletonRows()),
      ]),
    ]),
    el("ul", { id: "portfolio-notes", class: "portfolio-notes muted" }),
    el("section", { id: "dust-panel", class: "panel dust-panel", "aria-labelledby": "dust-title" }),
  );
  translate(main);
}

function skeletonRows() {
  const rows = [];
  for (let i = 0; i < SKELETON_ROWS; i += 1) {
    rows.push(el("tr", { class: "skeleton-row", "aria-hidden": "true" }, Array.from({ length: 7 }, () => el("td", {}, [el("span", { class: "skeleton" })]))));
  }
  return rows;
}

// KRW as people read it: whole won, rounded half up, grouped.
function won(value) {
  return value === null ? "–" : formatNumber(text(value), { decimals: 0, round: "half-up" });
}

function signedWon(value) {
  if (value === null) return "–";
  const shown = won(value);
  return value > 0n && shown !== "0" ? "+" + shown : shown;
}

// A fraction as a percent with two decimals and its sign ("+1.25%").
function percent(rate) {
  if (rate === null) return "–";
  const shown = formatNumber(text(rate * 100n), { decimals: 2, round: "half-up" });
  return (rate > 0n && !/^0\.00$/.test(shown) ? "+" : "") + shown + "%";
}

function draw() {
  if (!loaded) return;
  const rows = holdings(balances, markets, lastPrices, bases);
  const sum = totals(rows);
  const summary = clear(byId("portfolio-summary"));
  const rate = percent(sum.profitRate);
  summary.append(
    el("div", {}, [
      el("span", { class: "muted", text: t("portfolio.total") + " (" + t("portfolio.inHome", { home: HOME }) + ")" }),
      el("strong", { id: "portfolio-total", text: `${won(sum.value)} ${HOME}` }),
    ]),
    el("div", {}, [
      el("span", { class: "muted", text: t("portfolio.profit") }),
      el("strong", { id: "portfolio-profit", class: changeClass(rate === "–" ? null : rate.replace(/[+%,]/g, "")), text: `${signedWon(sum.profit)} ${HOME} (${rate})` }),
    ]),
  );
  const body = clear(byId("portfolio-rows"));
  const notes = clear(byId("portfolio-notes"));
  byId("portfolio-state").textContent = rows.length ? "" : t(isSandbox() ? "portfolio.emptySandbox" : "portfolio.empty");
  for (const row of rows) {
    const rowRate = percent(row.profitRate);
    const direction = changeClass(rowRate === "–" ? null : rowRate.replace(/[+%,]/g, ""));
    const krwMarket = markets.find((m) => m.base === row.asset && m.quote === HOME);
    body.append(
      el("tr", { dataset: { asset: row.asset } }, [
        el("td", {}, [
          el("strong", { text: row.asset }),
          krwMarket ? el("a", { class: "portfolio-trade", href: `/trade/${krwMarket.symbol}`, text: t("portfolio.trade") }) : null,
        ]),
        el("td", { class: "num amount", text: formatAsset(text(row.amount), row.asset, precision[row.asset]) }),
        el("td", { class: "num average-cost", text: row.averageCost === null ? "–" : won(row.averageCost) }),
        el("td", { class: "num price", text: row.price === null ? t("portfolio.noPrice") : won(row.price) }),
        el("td", { class: "num value", text: won(row.value) }),
        el("td", { class: `num profit ${direction}`, text: signedWon(row.profit) }),
        el("td", { class: `num rate ${direction}`, text: rowRate }),
      ]),
    );
    const uncosted = row.amount - row.costed;
    if (row.asset !== HOME && uncosted > 0n && krwMarket) {
      notes.append(el("li", { text: t("portfolio.uncosted", { amount: trim(formatAsset(text(uncosted), row.asset, precision[row.asset])), asset: row.asset }) }));
    }
  }
  notes.append(el("li", { text: t("portfolio.method") }));
}

// Every trade of the account in one market, page by page.
async function allTrades(symbol) {
  const found = [];
  let fromId;
  for (;;) {
    const page = await rest("GET", "/api/v3/myTrades", { symbol, limit: TRADES_PAGE, fromId });
    found.push(...page);
    if (page.length < TRADES_PAGE) return found;
    fromId = page[page.length - 1].id + 1;
  }
}

async function load() {
  if (!markets.length) {
    const info = await rest("GET", "/api/v3/exchangeInfo");
    markets = info.symbols.map((s) => ({ symbol: s.symbol, base: s.baseAsset, quote: s.quoteAsset }));
    for (const s of info.symbols) {
      precision[s.baseAsset] = s.baseAssetPrecision;
      precision[s.quoteAsset] = s.quoteAssetPrecision;
    }
  }
  const [account, prices] = await Promise.all([rest("GET", "/api/v3/account"), rest("GET", "/api/v3/ticker/price")]);
  for (const { symbol, price } of prices) lastPrices[symbol] = price;
  const held = account.balances.filter((b) => b.free !== "0" || b.locked !== "0");
  const found = {};
  await Promise.all(
    held.map(async (balance) => {
      const market = markets.find((m) => m.base === balance.asset && m.quote === HOME);
      if (!market) return;
      found[balance.asset] = costBasis(await allTrades(market.symbol), market.base, market.quote);
    }),
  );
  balances = account.balances;
  bases = found;
  loaded = true;
}

async function refresh() {
  clearTimeout(retryTimer);
  try {
    await load();
    attempts = 0;
    draw();
    retryTimer = setTimeout(refresh, REFRESH_MS);
  } catch (error) {
    const state = byId("portfolio-state");
    if (state) state.textContent = t("portfolio.loadFailed", { reason: errorText(error) });
    retryTimer = setTimeout(refresh, RETRY_MS[Math.min(attempts, RETRY_MS.length - 1)]);
    attempts += 1;
  }
}

function askToLogIn() {
  const main = clear(byId("main"));
  main.append(
    el("h1", { dataset: { i18n: "portfolio.title" } }),
    el("p", { id: "portfolio-login" }, [
      el("span", { dataset: { i18n: "portfolio.loginFirst" } }),
      " ",
      el("a", { href: "/login?" + new URLSearchParams({ next: "/portfolio" }).toString(), dataset: { i18n: "portfolio.login" } }),
    ]),
  );
  translate(main);
}

function onMiniTickers(stream, data) {
  for (const ticker of data) lastPrices[ticker.s] = ticker.c;
  draw();
}

function retitle() {
  document.title = `${t("portfolio.title")} · Assetport`;
}

async function main() {
  const session = await startPage({ active: "portfolio" });
  retitle();
  onLanguageChange(retitle);
  if (!session) {
    askToLogIn();
    return;
  }
  drawFrame();
  onLanguageChange(() => {
    translate(byId("main"));
    draw();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
  await refresh();
  dust = createDustPanel(byId("dust-panel"), { precision, onConverted: refresh });
  onLanguageChange(() => dust.redraw());
  await dust.load();
  openStreams(["!miniTicker@arr"], onMiniTickers);
}

main();
