// The trading page of one market (/trade/{symbol}): the market header, the chart, the order
// book, recent trades, the order form and the user's orders, trades and balances. It uses
// only the public REST and WebSocket API, as every client does; the session cookie
// authenticates the user's calls. The parts live in lib/trade_*.js.
import { rest } from "../lib/api.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, onLanguageChange, t, translate } from "../lib/i18n.js";
import { notify, page, startPage } from "../lib/layout.js";
import { openStreams } from "../lib/streams.js";
import { changeClass, changePercent, signed } from "../lib/tickers.js";
import { BookSync, createBookView, createTradesView } from "../lib/trade_book.js";
import { createPriceAlerts } from "../lib/alerts.js";
import { createPriceChart } from "../lib/trade_chart.js";
import { createDepthChart } from "../lib/trade_depth.js";
import { createLoggedOutForm, createOrderForm } from "../lib/trade_form.js";
import { describeMarket, formatAmount, formatPrice, formatQty } from "../lib/trade_market.js";
import { knownAssetName } from "../lib/market_search.js";
import { assetPageLink } from "../lib/welcome.js";
import { createMarketSwitcher } from "../lib/trade_switcher.js";
import { createUserPanels, drawLoggedOutPanels } from "../lib/trade_user.js";
import alertMessages from "../messages/alerts.js";
import marketsMessages from "../messages/markets.js";
import messages from "../messages/trade.js";

addMessages(marketsMessages);
addMessages(alertMessages);
addMessages(messages);

const symbol = page.symbol;


function stat(id, key) {
  return el("div", { class: "stat" }, [
    el("dt", { dataset: { i18n: key } }),
    el("dd", { id, class: "num", text: "–" }),
  ]);
}

// `columns`: [message key, class, whether the header is for screen readers only (a column
// of buttons that name themselves still needs a header to be read as a table)].
function table(id, columns, hidden = false) {
  const header = ([key, className, unseen]) =>
    unseen
      ? el("th", { class: className || "" }, [el("span", { class: "visually-hidden", dataset: { i18n: key } })])
      : el("th", { class: className || "", dataset: { i18n: key } });
  return el("table", { id, class: "data-table", hidden }, [
    el("thead", {}, [el("tr", {}, columns.map(header))]),
    el("tbody"),
  ]);
}

function tabButton(panel, key) {
  return el("button", {
    type: "button",
    role: "tab",
    id: `tab-${panel}`,
    class: "tab",
    "aria-selected": "false",
    "aria-controls": panel,
    dataset: { panel, i18n: key },
  });
}

// A tab of the chart panel: the candles or the depth chart.
function viewTab(panel, key, selected) {
  return el("button", {
    type: "button",
    role: "tab",
    id: `tab-${panel}`,
    class: selected ? "tab view-tab active" : "tab view-tab",
    "aria-selected": selected ? "true" : "false",
    "aria-controls": panel,
    tabindex: selected ? "0" : "-1",
    dataset: { panel, i18n: key },
  });
}

function drawSkeleton() {
  document.body.classList.add("trade-page");
  const main = clear(byId("main"));
  main.append(
    el("section", { id: "market-header", class: "market-header panel" }, [
      el("div", { class: "market-id" }, [
        el("div", { id: "market-switch", class: "market-switch" }),
        el("div", { class: "market-name-box" }, [
          el("h1", { id: "market-symbol", text: symbol }),
          el("span", { id: "market-name", class: "muted" }),
          el("span", { id: "market-asset-page" }),
        ]),
      ]),
      el("div", { class: "market-last" }, [
        el("span", { id: "last-price", class: "last-price num", text: "–" }),
        el("span", { id: "price-change", class: "price-change num" }),
      ]),
      el("dl", { class: "market-stats" }, [
        stat("stat-high", "trade.header.high"),
        stat("stat-low", "trade.header.low"),
        stat("stat-volume", "trade.header.volume"),
        stat("stat-turnover", "trade.header.turnover"),
      ]),
    ]),
    el("div", { class: "trade-grid" }, [
      el("section", { id: "chart-panel", class: "panel chart-panel" }, [
        el("div", { class: "panel-head" }, [
          el("h2", { dataset: { i18n: "trade.chart.title" } }),
          // The candles or the depth of the book, in the same place.
          el("div", { class: "chart-views", role: "tablist", dataset: { i18nAriaLabel: "trade.chart.views" } }, [
            viewTab("price-view", "trade.chart.price", true),
            viewTab("depth-view", "trade.chart.depth", false),
          ]),
          el("div", { id: "chart-intervals", class: "interval-buttons", role: "group" }),
        ]),
        el("div", { id: "price-view", class: "chart-view", role: "tabpanel", "aria-labelledby": "tab-price-view" }, [
          el("div", { id: "chart-tools", class: "chart-tools", role: "toolbar" }),
          el("div", { class: "chart-box" }, [
            el("div", { id: "chart", class: "chart" }),
            el("div", { id: "chart-legend", class: "chart-legend" }),
            el("div", { id: "chart-empty", class: "chart-empty muted", hidden: true, dataset: { i18n: "trade.chart.empty" } }),
          ]),
          el("ul", { id: "chart-lines", class: "chart-lines", hidden: true, dataset: { i18nAriaLabel: "trade.chart.lines" } }),
        ]),
        el("div", { id: "depth-view", class: "chart-view", role: "tabpanel", "aria-labelledby": "tab-depth-view", hidden: true }, [
          el("div", { id: "depth-chart", class: "depth-chart" }),
          el("p", { class: "depth-summary muted" }),
        ]),
      ]),
      el("section", { id: "book-panel", class: "panel book-panel" }, [
        el("h2", { dataset: { i18n: "trade.book.title" } }),
        el("div", { id: "order-book", class: "order-book" }),
      ]),
      el("section", { id: "form-panel", class: "panel form-panel" }, [el("div", { id: "form-box" })]),
      el("section", { id: "trades-panel", class: "panel trades-panel" }, [
        el("h2", { dataset: { i18n: "trade.trades.title" } }),
        // A list that scrolls: keyboard users reach it with Tab to scroll it with the arrows.
        el(
          "div",
          { class: "trades-scroll", tabindex: "0", role: "region", dataset: { i18nAriaLabel: "trade.trades.list" } },
          [
            table("recent-trades", [
              ["trade.trades.price", "num"],
              ["trade.trades.qty", "num"],
              ["trade.trades.time", "num"],
            ]),
          ],
        ),
      ]),
      el("section", { id: "user-panel", class: "panel user-panel" }, [
        // The tabs in their own tablist: "Cancel all" beside them is an action, not a tab.
        el("div", { class: "panel-head user-tabs" }, [
          el("div", { class: "user-tab-list", role: "tablist" }, [
            el(
              "button",
              {
                type: "button",
                role: "tab",
                id: "tab-open-orders",
                class: "tab active",
                "aria-selected": "true",
                "aria-controls": "open-orders",
                dataset: { panel: "open-orders" },
              },
              [
                el("span", { dataset: { i18n: "trade.user.openOrders" } }),
                " ",
                el("span", { id: "open-count", class: "muted" }),
              ],
            ),
            tabButton("order-history", "trade.user.orderHistory"),
            tabButton("trade-history", "trade.user.tradeHistory"),
          ]),
          el("button", {
            type: "button",
            id: "cancel-all",
            class: "button small cancel-all",
            disabled: true,
            dataset: { i18n: "trade.user.cancelAll" },
          }),
        ]),
        // It scrolls once the histories grow: reachable by Tab as the recent trades are.
        el("div", { class: "table-scroll", tabindex: "0", role: "region", dataset: { i18nAriaLabel: "trade.user.tables" } }, [
          table("open-orders", [
            ["trade.col.time", "hide-narrow"],
            ["trade.col.side"],
            ["trade.col.type"],
            ["trade.col.price", "num"],
            ["trade.col.stop", "num hide-narrow"],
            ["trade.col.amount", "num"],
            ["trade.col.filled", "num"],
            ["trade.col.action", "num", true],
          ]),
          table(
            "order-history",
            [
              ["trade.col.time", "hide-narrow"],
              ["trade.col.side"],
              ["trade.col.type"],
              ["trade.col.price", "num"],
              ["trade.col.average", "num hide-narrow"],
              ["trade.col.amount", "num"],
              ["trade.col.filled", "num"],
              ["trade.col.status"],
            ],
            true,
          ),
          table(
            "trade-history",
            [
              ["trade.col.time", "hide-narrow"],
              ["trade.col.side"],
              ["trade.col.price", "num"],
              ["trade.col.qty", "num"],
              ["trade.col.total", "num hide-narrow"],
              ["trade.col.fee", "num"],
              ["trade.col.role"],
            ],
            true,
          ),
        ]),
      ]),
      // Price alerts (lib/alerts.js): kept in this browser, for visitors as for users; by
      // email as well for a verified account (kept on the server).
      el("section", { id: "alerts-panel", class: "panel alerts-panel" }, [
        el("h2", { dataset: { i18n: "alerts.title" } }),
        el("form", { id: "alert-form", class: "alert-form", novalidate: true }, [
          el("label", { for: "alert-price", class: "visually-hidden", dataset: { i18n: "alerts.price" } }),
          el("div", { class: "input-unit" }, [
            el("input", { id: "alert-price", inputmode: "decimal", autocomplete: "off", dataset: { i18nPlaceholder: "alerts.price" } }),
            el("span", { id: "alert-unit", class: "unit" }),
          ]),
          el("button", { type: "submit", id: "alert-add", class: "button small", dataset: { i18n: "alerts.add" } }),
        ]),
        el("label", { for: "alert-email", class: "alert-email" }, [
          el("input", { type: "checkbox", id: "alert-email", "aria-describedby": "alert-email-note" }),
          el("span", { dataset: { i18n: "alerts.email" } }),
        ]),
        el("p", { id: "alert-email-note", class: "alert-email-note muted", hidden: true }),
        el("p", { id: "alert-message", class: "alert-message", role: "status" }),
        el("ul", { id: "alerts-list", class: "alerts-list", dataset: { i18nAriaLabel: "alerts.title" } }),
        el("h3", { id: "email-alerts-title", class: "alerts-subtitle", hidden: true, dataset: { i18n: "alerts.emailTitle" } }),
        el("ul", { id: "email-alerts-list", class: "alerts-list email-alerts", hidden: true, "aria-labelledby": "email-alerts-title" }),
        el("button", { type: "button", id: "alerts-permission", class: "button small", hidden: true }),
      ]),
      el("section", { id: "balances-panel", class: "panel balances-panel" }, [
        el("h2", { dataset: { i18n: "trade.user.balances" } }),
        el("div", { class: "table-scroll" }, [
          table("balances", [
            ["trade.col.asset"],
            ["trade.col.free", "num"],
            ["trade.col.locked", "num"],
          ]),
        ]),
      ]),
    ]),
    // On a phone the form is further down: these jump to it with the side chosen.
    el("div", { id: "phone-actions", class: "phone-actions" }, [
      el("button", { type: "button", id: "phone-buy", class: "buy", dataset: { i18n: "trade.side.BUY" } }),
      el("button", { type: "button", id: "phone-sell", class: "sell", dataset: { i18n: "trade.side.SELL" } }),
    ]),
  );
  for (const tab of document.querySelectorAll(".user-tabs .tab")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll(".user-tabs .tab")) {
        other.classList.toggle("active", other === tab);
        other.setAttribute("aria-selected", String(other === tab));
        byId(other.dataset.panel).hidden = other !== tab;
      }
    });
  }
}

// The chart panel's tabs: the candles (with their interval buttons) or the depth chart,
// moved between with the arrow keys as a tablist is.
function setUpChartViews(depthView) {
  const tabs = [...document.querySelectorAll(".chart-views .view-tab")];
  function select(tab) {
    for (const other of tabs) {
      const chosen = other === tab;
      other.classList.toggle("active", chosen);
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      byId(other.dataset.panel).hidden = !chosen;
    }
    byId("chart-intervals").hidden = tab.dataset.panel !== "price-view";
    depthView.setVisible(tab.dataset.panel === "depth-view");
  }
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
      event.preventDefault();
      const next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      select(next);
      next.focus();
    });
  }
}

function createHeader(market) {
  let ticker = null;
  function draw() {
    byId("market-symbol").textContent = `${market.base}/${market.quote}`;
    byId("market-name").textContent = knownAssetName(market.base);
    if (!ticker) {
      document.title = `${t("trade.pageTitle", { market: `${market.base}/${market.quote}` })} · Assetport`;
      return;
    }
    const percent = changePercent(ticker.open, ticker.last);
    const direction = changeClass(percent);
    const last = byId("last-price");
    last.textContent = formatPrice(market, ticker.last);
    last.className = `last-price num ${direction}`;
    const change = byId("price-change");
    const amount = ticker.change && !/^-?0*(\.0*)?$/.test(ticker.change) ? ticker.change : null;
    change.textContent = signed(percent) + (amount ? ` (${amount.startsWith("-") ? "" : "+"}${formatAmount(amount)})` : "");
    change.className = `price-change num ${direction}`;
    byId("stat-high").textContent = formatPrice(market, ticker.high);
    byId("stat-low").textContent = formatPrice(market, ticker.low);
    byId("stat-volume").textContent = `${formatQty(market, ticker.volume)} ${market.base}`;
    byId("stat-turnover").textContent = `${formatAmount(ticker.quoteVolume)} ${market.quote}`;
    document.title = `${formatPrice(market, ticker.last)} ${market.base}/${market.quote} · Assetport`;
  }
  return {
    async load() {
      const row = await rest("GET", "/api/v3/ticker/24hr", { symbol: market.symbol });
      ticker = {
        open: row.openPrice,
        last: row.lastPrice,
        change: row.priceChange,
        high: row.highPrice,
        low: row.lowPrice,
        volume: row.volume,
        quoteVolume: row.quoteVolume,
      };
      draw();
    },
    onTicker(data) {
      ticker = { open: data.o, last: data.c, change: data.p, high: data.h, low: data.l, volume: data.v, quoteVolume: data.q };
      draw();
    },
    draw,
  };
}

async function main() {
  drawSkeleton();
  const [session, info] = await Promise.all([startPage({ active: "trade" }), rest("GET", "/api/v3/exchangeInfo")]).catch(
    (error) => {
      notify(t("common.error", { message: error.message }), "error");
      throw error;
    },
  );
  translate();
  const markets = info.symbols.filter((row) => row.status === "TRADING" || row.symbol === symbol);
  const marketInfo = info.symbols.find((row) => row.symbol === symbol);
  if (!marketInfo) {
    notify(t("trade.unknownMarket", { symbol }), "error");
    return;
  }
  const market = describeMarket(marketInfo);
  const switcher = createMarketSwitcher({ container: byId("market-switch"), markets, current: symbol });

  const header = createHeader(market);
  // A tokenized real-world asset's market links to the page that says what a token is.
  const assetLink = assetPageLink(market.base, { id: "trade-asset-link" });
  if (assetLink) byId("market-asset-page").append(assetLink);
  const depthView = createDepthChart(market, { container: byId("depth-chart") });
  const sync = new BookSync(market, () => {
    bookView.show(sync);
    depthView.show(sync);
  });
  let form = null;
  const bookView = createBookView(market, {
    container: byId("order-book"),
    rows: 12,
    onPick: (price) => form && form.setPrice(price),
  });
  let lastTradePrice = null;
  byId("alert-unit").textContent = market.quote;
  const alerts = createPriceAlerts(market, {
    elements: {
      form: byId("alert-form"),
      input: byId("alert-price"),
      list: byId("alerts-list"),
      message: byId("alert-message"),
      permission: byId("alerts-permission"),
      email: byId("alert-email"),
      emailNote: byId("alert-email-note"),
      emailList: byId("email-alerts-list"),
      emailTitle: byId("email-alerts-title"),
    },
    lastPrice: () => lastTradePrice,
    session,
  });
  const tradesView = createTradesView(market, {
    body: byId("recent-trades").querySelector("tbody"),
    onLast: (price, direction) => {
      lastTradePrice = price;
      bookView.setLast(price, direction);
      if (form) form.setLastPrice(price);
      alerts.onTrade(price);
    },
  });

  const panels = {
    root: byId("user-panel"),
    open: byId("open-orders"),
    orders: byId("order-history"),
    trades: byId("trade-history"),
    balances: byId("balances"),
    openCount: byId("open-count"),
    cancelAll: byId("cancel-all"),
  };
  let user = null;
  if (session) {
    form = createOrderForm(market, { container: byId("form-box"), book: bookView, onPlaced: () => user && user.refresh() });
    user = createUserPanels(market, { panels, form, onOpenOrders: (orders) => bookView.setOwnOrders(orders) });
  } else {
    form = createLoggedOutForm(byId("form-box"));
    drawLoggedOutPanels(panels);
  }
  const goToForm = (side) => {
    form.setSide(side);
    byId("form-panel").scrollIntoView({ behavior: "smooth", block: "start" });
  };
  byId("phone-buy").addEventListener("click", () => goToForm("BUY"));
  byId("phone-sell").addEventListener("click", () => goToForm("SELL"));

  const chart = createPriceChart(market, {
    container: byId("chart"),
    tools: byId("chart-intervals"),
    toolbar: byId("chart-tools"),
    legend: byId("chart-legend"),
    lines: byId("chart-lines"),
  });
  setUpChartViews(depthView);
  translate();

  header.draw();
  header.load().catch(() => {});
  tradesView.load().catch(() => {});
  sync.resync();

  const lower = market.symbol.toLowerCase();
  let opened = false;
  openStreams(
    [`${lower}@ticker`, `${lower}@depth@100ms`, `${lower}@trade`],
    (stream, data) => {
      if (stream.endsWith("@depth@100ms")) {
        sync.onEvent(data);
        if (form) form.refreshEstimate();
      } else if (stream.endsWith("@trade")) tradesView.onTrade(data);
      else if (stream.endsWith("@ticker")) header.onTicker(data);
    },
    () => {
      // After a reconnect the stream missed events: fetch the snapshots again.
      if (opened) {
        sync.resync();
        header.load().catch(() => {});
        tradesView.load().catch(() => {});
      }
      opened = true;
      byId("main").dataset.live = "1";
    },
  );

  onLanguageChange(() => {
    switcher.redrawTexts();
    header.draw();
    bookView.redrawTexts();
    tradesView.redraw();
    form.redrawTexts();
    chart.redrawTexts();
    depthView.redrawTexts();
    alerts.redrawTexts();
    if (user) user.redrawTexts();
  });
}

main();
