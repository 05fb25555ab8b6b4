// Markets overview: every market with its last price, 24 h change and volume, kept live by
// the all-market mini-ticker stream. Grey rows stand in while the first snapshot loads; when
// it cannot be loaded the table says so and tries again by itself; "Live" shows only while
// the stream's data flows (lib/streams.js).
//
// A trader's tools: a star per market (lib/market_favourites.js) and a Favourites tab; the
// columns sort by a click on their header (lib/market_sort.js, exact decimals), and the
// order holds while prices stream in; a click anywhere on a row opens its trade page, the
// market's link being the row's keyboard stop. Rows are updated in place, not redrawn: a
// row that a person is about to click, or that holds the keyboard focus, stays put between
// two ticks of the stream.
import { rest } from "../lib/api.js";
import { grouped, trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { errorText } from "../lib/errors.js";
import { addMessages, onLanguageChange, t, translate } from "../lib/i18n.js";
import { startPage } from "../lib/layout.js";
import { favouriteSymbols, isFavourite, onFavouritesChange, toggleFavourite } from "../lib/market_favourites.js";
import { knownAssetName, searchMarkets } from "../lib/market_search.js";
import { FIRST_DIRECTION, sortMarkets, storeSort, storedSort } from "../lib/market_sort.js";
import { openStreams } from "../lib/streams.js";
import { changeClass, changePercent, signed } from "../lib/tickers.js";
import { assetPageLink, landingHero } from "../lib/welcome.js";
import messages from "../messages/markets.js";

addMessages(messages);

const rows = new Map(); // symbol -> {symbol, base, quote, open, last, high, low, volume, quoteVolume}
let filter = "";
// The tab (All, Favourites or a quote asset) and the sort are kept in this browser: a
// reload, or the next visit, shows the table as the person left it.
const TAB_KEY = "assetport.marketsTab";
let { quote: quoteFilter, favourites: favouritesOnly } = storedTab();
// The column the table is sorted by ("market", "last", "change", "volume", "quoteVolume")
// and which way; no key keeps the exchange's own order (or the search's best-first).
const sort = storedSort();
const rowViews = new Map(); // symbol -> the row's elements, kept across updates
const COLUMNS = 7;
const SKELETON_ROWS = 6;
// Pauses between tries of a snapshot that failed: soon at first, then less often.
const RETRY_MS = [2000, 4000, 8000, 15000, 30000];
let loadState = "loading"; // "loading", "loaded", "failed"
let loadError = null;
let retryTimer = null;
let attempts = 0;
let streamState = "connecting"; // as lib/streams.js last told it

// {quote, favourites}: All when nothing (or nothing readable) was kept.
function storedTab() {
  try {
    const stored = JSON.parse(localStorage.getItem(TAB_KEY) || "null");
    if (stored && typeof stored.quote === "string" && typeof stored.favourites === "boolean") {
      return { quote: stored.favourites ? "" : stored.quote, favourites: stored.favourites };
    }
  } catch (error) {
    // unreadable or private mode: All
  }
  return { quote: "", favourites: false };
}

function storeTab() {
  try {
    localStorage.setItem(TAB_KEY, JSON.stringify({ quote: quoteFilter, favourites: favouritesOnly }));
  } catch (error) {
    // private mode or storage full: the tab holds for this page only
  }
}

function drawSkeleton() {
  const main = clear(byId("main"));
  const quotes = el("div", { class: "quote-tabs", id: "quote-tabs" });
  main.append(
    el("div", { class: "markets-head" }, [
      el("h1", { dataset: { i18n: "markets.title" } }),
      el("span", { id: "live-state", class: "live-state muted", dataset: { state: "connecting" }, "aria-live": "polite" }),
    ]),
    el("div", { class: "markets-tools" }, [
      quotes,
      el("input", {
        id: "market-filter",
        type: "search",
        dataset: { i18nPlaceholder: "markets.filter", i18nAriaLabel: "markets.filter" },
        oninput: (event) => {
          filter = event.target.value.trim();
          drawRows();
        },
      }),
    ]),
    el("div", { class: "panel table-scroll" }, [
      el("table", { id: "markets-table", class: "markets-table" }, [
        el("thead", {}, [
          el("tr", {}, [
            sortableHeader("market", "markets.market", ""),
            sortableHeader("last", "markets.last", "num"),
            sortableHeader("change", "markets.change", "num"),
            el("th", { class: "num wide-only", scope: "col", dataset: { i18n: "markets.high" } }),
            el("th", { class: "num wide-only", scope: "col", dataset: { i18n: "markets.low" } }),
            sortableHeader("volume", "markets.volume", "num"),
            sortableHeader("quoteVolume", "markets.quoteVolume", "num wide-only"),
          ]),
        ]),
        el("tbody", { id: "markets-body", "aria-busy": "true" }),
      ]),
    ]),
  );
}

// A header cell whose button sorts the table: a first click sorts the column its natural
// way (names A to Z, figures biggest first), a second the other way. aria-sort on the cell
// tells a screen reader which column orders the table.
function sortableHeader(key, label, className) {
  return el("th", { class: `${className} sortable`.trim(), scope: "col", dataset: { sortKey: key } }, [
    el("button", { type: "button", class: "sort-button", id: `sort-${key}`, onclick: () => sortBy(key) }, [
      el("span", { dataset: { i18n: label } }),
      el("span", { class: "sort-mark", "aria-hidden": "true" }),
    ]),
  ]);
}

function sortBy(key) {
  if (sort.key === key) sort.direction = sort.direction === "ascending" ? "descending" : "ascending";
  else Object.assign(sort, { key, direction: FIRST_DIRECTION[key] });
  storeSort(sort);
  showSortState();
  drawRows();
}

function showSortState() {
  for (const cell of document.querySelectorAll("#markets-table th.sortable")) {
    const sorted = cell.dataset.sortKey === sort.key;
    if (sorted) cell.setAttribute("aria-sort", sort.direction);
    else cell.removeAttribute("aria-sort");
    cell.querySelector(".sort-mark").textContent = sorted ? (sort.direction === "ascending" ? "▲" : "▼") : "↕";
  }
}

// All, Favourites, then one tab per quote asset. Each is a toggle button: aria-pressed says
// which one filters the table. Redrawn (a new quote asset, a language), a tab that had the
// keyboard focus keeps it.
function drawQuoteTabs() {
  const quotes = [...new Set([...rows.values()].map((row) => row.quote))].sort();
  // A kept quote tab whose markets are no longer listed: All.
  if (quoteFilter && rows.size && !quotes.includes(quoteFilter)) quoteFilter = "";
  const tabs = byId("quote-tabs");
  const focusedId = tabs.contains(document.activeElement) ? document.activeElement.id : null;
  clear(tabs);
  const choices = [
    { id: "tab-all", i18n: "markets.all", quote: "", favourites: false },
    { id: "tab-favourites", i18n: "markets.favourites", quote: "", favourites: true },
    ...quotes.map((quote) => ({ id: `tab-${quote}`, quote, favourites: false })),
  ];
  for (const choice of choices) {
    const active = choice.favourites === favouritesOnly && choice.quote === quoteFilter;
    tabs.append(
      el("button", {
        id: choice.id,
        type: "button",
        class: active ? "tab active" : "tab",
        "aria-pressed": String(active),
        dataset: choice.i18n ? { i18n: choice.i18n } : { quote: choice.quote },
        text: choice.i18n ? t(choice.i18n) : choice.quote,
        onclick: () => {
          quoteFilter = choice.quote;
          favouritesOnly = choice.favourites;
          storeTab();
          drawQuoteTabs();
          drawRows();
        },
      }),
    );
  }
  if (focusedId && byId(focusedId)) byId(focusedId).focus();
}

// A market that never traded shows a dash, not a price of zero.
function price(value) {
  return /^0(\.0*)?$/.test(value) ? "–" : grouped(trim(value));
}

// The rows the tab and the search show: while a search is typed, best match first
// (lib/market_search.js: symbols, "BTC/KRW", asset codes and Korean and English names);
// a sorted column orders them, its ties keeping that order.
function shownRows() {
  const starred = favouritesOnly ? favouriteSymbols() : null;
  const tab = [...rows.values()].filter(
    (row) => (!quoteFilter || row.quote === quoteFilter) && (!starred || starred.has(row.symbol)),
  );
  const found = filter ? searchMarkets(tab, filter) : tab;
  return sort.key ? sortMarkets(found, sort.key, sort.direction) : found;
}

// Grey bars in the shape of the table's rows, until the first snapshot is in.
function drawLoadingRows(body) {
  for (let index = 0; index < SKELETON_ROWS; index += 1) {
    body.append(
      el(
        "tr",
        { class: "skeleton-row", "aria-hidden": "true" },
        Array.from({ length: COLUMNS }, (unused, column) =>
          el("td", { class: column >= 3 && column !== 5 ? "wide-only" : "" }, [el("span", { class: "skeleton skeleton-cell" })]),
        ),
      ),
    );
  }
  body.append(el("tr", { class: "sr-only" }, [el("td", { colspan: String(COLUMNS), text: t("common.loading") })]));
}

function drawFailure(body) {
  body.append(
    el("tr", { id: "markets-failed", class: "load-failed-row" }, [
      el("td", { colspan: String(COLUMNS) }, [
        el("p", { class: "load-failed", role: "alert", text: t("common.loadFailed") }),
        el("p", { class: "muted", text: errorText(loadError) }),
        el("button", { id: "markets-retry", class: "button small", type: "button", text: t("common.retryNow"), onclick: () => retryNow() }),
      ]),
    ]),
  );
}

function pairName(row) {
  return `${row.base}/${row.quote}`;
}

// A row's elements, made once per market; updateRowView fills in the figures.
function createRowView(row) {
  const star = el("button", {
    type: "button",
    class: "favourite-star",
    onclick: () => onStarClick(row.symbol),
  }, [el("span", { "aria-hidden": "true", text: "★" })]);
  const link = el("a", { href: `/trade/${row.symbol}`, class: "market-link" }, [
    el("strong", { text: row.base }),
    el("span", { class: "muted", text: ` / ${row.quote}` }),
  ]);
  const view = {
    star,
    assetName: el("div", { class: "asset-name muted" }),
    last: el("td", { class: "num last" }),
    change: el("td", { class: "num change" }),
    high: el("td", { class: "num wide-only high" }),
    low: el("td", { class: "num wide-only low" }),
    volume: el("td", { class: "num volume" }),
    quoteVolume: el("td", { class: "num wide-only quote-volume" }),
  };
  view.tr = el(
    "tr",
    { id: `market-${row.symbol}`, class: "market-row", dataset: { symbol: row.symbol }, onclick: onRowClick, onauxclick: onRowClick },
    [
      el("td", { class: "market-cell" }, [
        el("div", { class: "market-name" }, [star, link]),
        // A tokenized real-world asset links to the page that says what one token stands for.
        el("div", { class: "asset-line" }, [view.assetName, assetPageLink(row.base)]),
      ]),
      view.last,
      view.change,
      view.high,
      view.low,
      view.volume,
      view.quoteVolume,
    ],
  );
  rowViews.set(row.symbol, view);
  return view;
}

function updateRowView(view, row) {
  const percent = changePercent(row.open, row.last);
  const starred = isFavourite(row.symbol);
  view.star.setAttribute("aria-pressed", String(starred));
  // The name stays the same either way: aria-pressed says whether it is on.
  view.star.setAttribute("aria-label", t("markets.favourite", { market: pairName(row) }));
  view.star.title = t(starred ? "markets.unstar" : "markets.star");
  view.assetName.textContent = knownAssetName(row.base);
  view.last.className = `num last ${changeClass(percent)}`.trim();
  view.last.textContent = price(row.last);
  view.change.className = `num change ${changeClass(percent)}`.trim();
  view.change.textContent = signed(percent);
  view.high.textContent = price(row.high);
  view.low.textContent = price(row.low);
  view.volume.textContent = grouped(trim(row.volume));
  view.quoteVolume.textContent = grouped(trim(row.quoteVolume));
}

// A click on a row's empty space follows the market's link, as the link itself would: with
// Ctrl, Cmd or the middle button into a new tab. The star, the link and any other control
// keep their own click; a click that ends a text selection (copying a price) goes nowhere.
function onRowClick(event) {
  if (event.type === "auxclick" && event.button !== 1) return;
  if (event.target.closest("a, button, input, select, textarea")) return;
  if (String(window.getSelection() || "")) return;
  const link = event.currentTarget.querySelector("a.market-link");
  if (event.type === "auxclick" || event.ctrlKey || event.metaKey || event.shiftKey) window.open(link.href, "_blank", "noopener");
  else location.assign(link.href);
}

// In the Favourites tab an unstarred market leaves the table: the focus goes to the star of
// the row that takes its place (or the tab), not lost to the top of the page.
function onStarClick(symbol) {
  const before = [...byId("markets-body").querySelectorAll("tr.market-row")];
  const index = before.findIndex((tr) => tr.dataset.symbol === symbol);
  toggleFavourite(symbol); // its listener redraws the rows
  const view = rowViews.get(symbol);
  if (view && view.tr.isConnected) return;
  const after = [...byId("markets-body").querySelectorAll("tr.market-row")];
  const next = after[Math.min(index, after.length - 1)];
  (next ? next.querySelector(".favourite-star") : byId("tab-favourites")).focus();
}

function drawRows() {
  const body = byId("markets-body");
  body.setAttribute("aria-busy", String(loadState === "loading"));
  if (loadState !== "loaded") {
    clear(body);
    return loadState === "loading" ? drawLoadingRows(body) : drawFailure(body);
  }
  const focused = body.contains(document.activeElement) ? document.activeElement : null;
  const shown = shownRows();
  const wanted = shown.map((row) => {
    const view = rowViews.get(row.symbol) || createRowView(row);
    updateRowView(view, row);
    return view.tr;
  });
  const keep = new Set(wanted);
  for (const tr of [...body.children]) if (!keep.has(tr)) tr.remove();
  // Only rows out of place move: a new order from a stream tick moves few of them.
  wanted.forEach((tr, index) => {
    if (body.children[index] !== tr) body.insertBefore(tr, body.children[index] || null);
  });
  if (!shown.length) {
    const none = favouritesOnly && !filter ? "markets.noFavourites" : "markets.none";
    body.append(el("tr", { id: "markets-none" }, [el("td", { colspan: String(COLUMNS), class: "muted", text: t(none) })]));
  }
  // A moved row loses the focus inside it: give it back, so a keyboard user stays on it.
  if (focused && focused.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
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
  loadState = "loaded";
  loadError = null;
  attempts = 0;
  drawQuoteTabs();
  drawRows();
  showStreamState();
}

// The first snapshot, tried again until it comes: a page with an empty table and no word
// of why would look like an exchange without markets.
async function loadUntilShown() {
  clearTimeout(retryTimer);
  retryTimer = null;
  try {
    await loadSnapshot();
  } catch (error) {
    loadError = error;
    if (loadState !== "loaded") {
      loadState = "failed";
      drawRows();
    }
    retryTimer = setTimeout(loadUntilShown, RETRY_MS[Math.min(attempts, RETRY_MS.length - 1)]);
    attempts += 1;
  }
}

function retryNow() {
  loadState = "loading";
  drawRows();
  loadUntilShown();
}

// "Live" means prices on screen are moving: not while the table itself could not load.
function showStreamState(state = streamState) {
  streamState = state;
  const mark = byId("live-state");
  if (loadState !== "loaded" && state === "live") state = "connecting";
  mark.dataset.state = state;
  if (state === "live") {
    mark.dataset.i18n = "markets.live";
    mark.textContent = t("markets.live");
  } else if (state === "reconnecting") {
    mark.dataset.i18n = "markets.reconnecting";
    mark.textContent = t("markets.reconnecting");
  } else {
    delete mark.dataset.i18n;
    mark.textContent = "";
  }
}

function onMiniTickers(stream, tickers) {
  for (const ticker of tickers) {
    const row = rows.get(ticker.s);
    if (!row) continue;
    Object.assign(row, { open: ticker.o, last: ticker.c, high: ticker.h, low: ticker.l, volume: ticker.v, quoteVolume: ticker.q });
  }
  drawRows();
}

// The landing hero (lib/welcome.js) above the table: what Assetport is and the three steps
// to a first trade, following the session (a session found late redraws it for the user).
function showHero(session) {
  const old = byId("landing-hero");
  if (old) old.remove();
  const hero = landingHero(session);
  if (hero) byId("main").prepend(hero);
}

async function main() {
  drawSkeleton();
  const session = await startPage({ active: "markets" });
  showHero(session);
  document.addEventListener("assetport:session-found", (event) => showHero(event.detail));
  translate();
  onLanguageChange(() => {
    drawQuoteTabs();
    drawRows();
  });
  onFavouritesChange(() => drawRows());
  showSortState();
  drawRows();
  await loadUntilShown();
  openStreams(
    ["!miniTicker@arr"],
    onMiniTickers,
    // After a reconnect the snapshot catches up on what the drop missed; a failure here
    // leaves the rows as they were, and the retrying goes on.
    () => {
      if (loadState === "loaded") loadSnapshot().catch(() => {});
      else loadUntilShown();
    },
    showStreamState,
  );
}

main();
