// The logged-in user's panels: open orders (with cancel and cancel all), order history, trade
// history and balances, from the public REST API. They follow the account live over a user
// data stream: the session opens a listenKey (POST /api/v3/userDataStream), the page listens
// on /ws/<listenKey> and refreshes on executionReport and outboundAccountPosition, keeping
// the key alive every 30 minutes.
import { ApiError, rest } from "./api.js";
import { clear, el } from "./dom.js";
import { errorText } from "./errors.js";
import { formatDateTime, t } from "./i18n.js";
import { notify } from "./layout.js";
import { askToConfirm } from "./trade_confirm.js";
import { dec, decText, divFloor, formatAmount, formatPrice, formatQty, isZeroText } from "./trade_market.js";

const HISTORY_LIMIT = 50;
const MIN_REFRESH_MS = 1000;
const KEEPALIVE_MS = 30 * 60 * 1000;

function cell(text, className = "num") {
  return el("td", { class: className, text });
}

function emptyRow(columns, key) {
  return el("tr", { class: "empty-row" }, [el("td", { colspan: String(columns), class: "muted", text: t(key) })]);
}

function sideCell(side) {
  return el("td", { class: side === "BUY" ? "up side" : "down side", text: t(`trade.side.${side}`) });
}

export function createUserPanels(market, { panels, form, onOpenOrders = () => {} }) {
  const data = { account: null, open: [], orders: [], trades: [] };
  let timer = null;
  let running = null;
  let lastRefresh = 0;

  // --- drawing ---

  function drawOpen() {
    const body = clear(panels.open.querySelector("tbody"));
    const count = panels.openCount;
    count.textContent = data.open.length ? `(${data.open.length})` : "";
    panels.cancelAll.disabled = data.open.length === 0;
    onOpenOrders(data.open);
    if (!data.open.length) {
      body.append(emptyRow(8, "trade.user.noOpenOrders"));
      return;
    }
    for (const order of data.open) {
      const button = el("button", {
        type: "button",
        class: "button small cancel-order",
        dataset: { orderId: String(order.orderId) },
        "aria-label": t("trade.user.cancelOrder", {
          side: t(`trade.side.${order.side}`),
          qty: formatQty(market, order.origQty),
          asset: market.base,
          price: formatPrice(market, order.price),
        }),
        text: t("trade.user.cancel"),
        onclick: () => cancel(order, button),
      });
      body.append(
        el("tr", { id: `open-order-${order.orderId}`, class: "open-order", dataset: { orderId: String(order.orderId) } }, [
          cell(formatDateTime(order.time), "muted hide-narrow"),
          sideCell(order.side),
          cell(t(`trade.type.${order.type}`), "type"),
          cell(formatPrice(market, order.price), "num price"),
          cell(isZeroText(order.stopPrice) ? "–" : formatPrice(market, order.stopPrice), "num hide-narrow"),
          cell(formatQty(market, order.origQty), "num qty"),
          cell(formatQty(market, order.executedQty), "num filled"),
          el("td", { class: "num" }, [button]),
        ]),
      );
    }
  }

  function averagePrice(order) {
    const executed = dec(order.executedQty);
    const quote = dec(order.cummulativeQuoteQty);
    if (!executed || !quote || executed.units === 0n) return "–";
    return formatAmount(decText(divFloor(quote, executed, market.priceDecimals + 2)));
  }

  function drawOrders() {
    const body = clear(panels.orders.querySelector("tbody"));
    if (!data.orders.length) {
      body.append(emptyRow(8, "trade.user.noOrders"));
      return;
    }
    for (const order of data.orders) {
      body.append(
        el("tr", { class: "history-order", dataset: { orderId: String(order.orderId) } }, [
          cell(formatDateTime(order.time), "muted hide-narrow"),
          sideCell(order.side),
          cell(t(`trade.type.${order.type}`), "type"),
          cell(order.type === "MARKET" ? t("trade.type.MARKET") : formatPrice(market, order.price), "num"),
          cell(averagePrice(order), "num hide-narrow"),
          cell(isZeroText(order.origQty) ? "–" : formatQty(market, order.origQty), "num"),
          cell(formatQty(market, order.executedQty), "num"),
          cell(t(`trade.status.${order.status}`), `status status-${order.status}`),
        ]),
      );
    }
  }

  function drawTrades() {
    const body = clear(panels.trades.querySelector("tbody"));
    if (!data.trades.length) {
      body.append(emptyRow(7, "trade.user.noTrades"));
      return;
    }
    for (const trade of data.trades) {
      body.append(
        el("tr", { class: "my-trade", dataset: { tradeId: String(trade.id) } }, [
          cell(formatDateTime(trade.time), "muted hide-narrow"),
          sideCell(trade.isBuyer ? "BUY" : "SELL"),
          cell(formatPrice(market, trade.price), "num"),
          cell(formatQty(market, trade.qty), "num"),
          cell(formatAmount(trade.quoteQty), "num hide-narrow"),
          cell(`${formatAmount(trade.commission)} ${trade.commissionAsset || ""}`.trim(), "num"),
          cell(t(trade.isMaker ? "trade.user.maker" : "trade.user.taker"), "muted"),
        ]),
      );
    }
  }

  function drawBalances() {
    const body = clear(panels.balances.querySelector("tbody"));
    const rows = data.account
      ? data.account.balances.filter((row) => !isZeroText(row.free) || !isZeroText(row.locked))
      : [];
    // The market's two assets first, then the rest by name.
    const rank = (asset) => (asset === market.base ? 0 : asset === market.quote ? 1 : 2);
    rows.sort((a, b) => rank(a.asset) - rank(b.asset) || a.asset.localeCompare(b.asset));
    if (!rows.length) {
      body.append(emptyRow(3, "trade.user.noBalances"));
      return;
    }
    for (const row of rows) {
      body.append(
        el("tr", {
          id: `balance-${row.asset}`,
          class: rank(row.asset) < 2 ? "balance market-asset" : "balance",
          dataset: { asset: row.asset },
        }, [
          el("td", { class: "asset" }, [el("strong", { text: row.asset })]),
          cell(formatAmount(row.free), "num free"),
          cell(formatAmount(row.locked), "num locked"),
        ]),
      );
    }
  }

  function drawAll() {
    drawOpen();
    drawOrders();
    drawTrades();
    drawBalances();
  }

  // --- loading ---

  // Each panel is drawn as soon as its own answer arrives: balances and open orders come
  // from the engine's memory at once, while the history waits for the SQL read model to
  // catch up (up to seconds under load) and must not hold the others back.
  async function refresh() {
    const symbol = market.symbol;
    const balances = rest("GET", "/api/v3/account").then((account) => {
      data.account = account;
      showBalances();
    });
    const open = rest("GET", "/api/v3/openOrders", { symbol }).then((orders) => {
      data.open = orders.sort((a, b) => b.time - a.time || b.orderId - a.orderId);
      drawOpen();
    });
    const orders = rest("GET", "/api/v3/allOrders", { symbol, limit: HISTORY_LIMIT }).then((found) => {
      data.orders = found.sort((a, b) => b.time - a.time || b.orderId - a.orderId);
      drawOrders();
    });
    const trades = rest("GET", "/api/v3/myTrades", { symbol, limit: HISTORY_LIMIT }).then((found) => {
      data.trades = found.sort((a, b) => b.time - a.time || b.id - a.id);
      drawTrades();
    });
    await Promise.all([balances, open, orders, trades]);
    panels.root.dataset.loaded = "1";
  }

  // Many events arrive together (an order, its fills, the balances): one refresh for all,
  // and at most one a second: a refresh costs 66 of the account's 6,000 request weight a
  // minute, and an account trading busily (a bot beside the page) would spend it all.
  function schedule(delay = 120) {
    if (timer) return;
    const wait = Math.max(delay, lastRefresh + MIN_REFRESH_MS - Date.now());
    timer = setTimeout(async () => {
      timer = null;
      if (running) {
        await running.catch(() => {});
      }
      lastRefresh = Date.now();
      running = refresh();
      try {
        await running;
      } catch (error) {
        // Nothing to do here: a session that ended is announced by lib/api.js's listeners
        // (the page keeps what was typed), a failed read is tried again on the next event.
      } finally {
        running = null;
      }
    }, wait);
  }

  // --- actions ---

  async function cancel(order, button) {
    button.disabled = true;
    try {
      await rest("DELETE", "/api/v3/order", { symbol: market.symbol, orderId: order.orderId });
      const side = t(`trade.side.${order.side}`);
      notify(t("trade.user.canceled", { side, qty: formatQty(market, order.origQty), asset: market.base }), "success");
    } catch (error) {
      notify(errorText(error, { symbol: market.symbol }), "error");
      button.disabled = false;
    }
    schedule(0);
  }

  // Every open order of the market at once: asked first, with how many will go.
  async function cancelAll() {
    const count = data.open.length;
    const confirmed = await askToConfirm({
      id: "cancel-all",
      title: t("trade.confirm.cancelAllTitle", { market: `${market.base}/${market.quote}` }),
      text: t("trade.confirm.cancelAllText", { count }),
      confirm: t("trade.confirm.cancelAllOk"),
      kind: "danger",
    });
    if (!confirmed) return;
    panels.cancelAll.disabled = true;
    try {
      const canceled = await rest("DELETE", "/api/v3/openOrders", { symbol: market.symbol });
      notify(t("trade.user.canceledAll", { count: Array.isArray(canceled) ? canceled.length : 0 }), "success");
    } catch (error) {
      notify(errorText(error, { symbol: market.symbol }), "error");
    }
    schedule(0);
  }
  panels.cancelAll.addEventListener("click", cancelAll);

  // --- the user data stream ---

  // The stream's own balances (free and locked of each asset that moved) show at once; the
  // refresh that follows brings the orders and history, at most once a second.
  function applyPosition(event) {
    if (!data.account || !Array.isArray(event.B)) return;
    const balances = data.account.balances;
    for (const moved of event.B) {
      const row = balances.find((b) => b.asset === moved.a);
      if (row) {
        row.free = moved.f;
        row.locked = moved.l;
      } else {
        balances.push({ asset: moved.a, free: moved.f, locked: moved.l });
      }
    }
    showBalances();
  }

  // The order form's available amounts and the balances panel, from `data.account`.
  function showBalances() {
    form.setBalances(new Map(data.account.balances.map((row) => [row.asset, row])));
    drawBalances();
  }

  function onUserEvent(event) {
    if (!event || !event.e) return;
    if (event.e === "outboundAccountPosition") applyPosition(event);
    if (event.e === "executionReport" || event.e === "outboundAccountPosition" || event.e === "balanceUpdate") schedule();
    if (event.e === "executionReport" && event.x === "TRADE" && event.s === market.symbol) {
      notify(
        t("trade.user.filledLive", {
          side: t(`trade.side.${event.S}`),
          qty: formatQty(market, event.l),
          asset: market.base,
          price: formatPrice(market, event.L),
        }),
        "success",
      );
    }
  }

  function openUserStream() {
    let pause = 1000;
    let keepAlive = null;

    async function connect() {
      let listenKey;
      try {
        listenKey = (await rest("POST", "/api/v3/userDataStream")).listenKey;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return; // logged out elsewhere
        setTimeout(connect, pause);
        pause = Math.min(pause * 2, 30000);
        return;
      }
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${scheme}://${location.host}/ws/${listenKey}`);
      panels.root.dataset.userStream = "connecting";
      socket.addEventListener("open", () => {
        pause = 1000;
        panels.root.dataset.userStream = "open";
        schedule(0); // events may have been missed while disconnected
      });
      socket.addEventListener("message", (message) => {
        let payload;
        try {
          payload = JSON.parse(message.data);
        } catch (error) {
          return;
        }
        onUserEvent(payload && payload.stream && payload.data ? payload.data : payload);
        if (payload && payload.e === "listenKeyExpired") socket.close();
      });
      socket.addEventListener("close", () => {
        panels.root.dataset.userStream = "closed";
        clearInterval(keepAlive);
        setTimeout(connect, pause);
        pause = Math.min(pause * 2, 30000);
      });
      clearInterval(keepAlive);
      keepAlive = setInterval(() => {
        rest("PUT", "/api/v3/userDataStream", { listenKey }).catch(() => socket.close());
      }, KEEPALIVE_MS);
    }

    connect();
  }

  // The faucet (in the banner) and other parts of the page announce balance changes.
  document.addEventListener("assetport:balances-changed", () => schedule(0));

  schedule(0);
  openUserStream();

  return { refresh: () => schedule(0), redrawTexts: drawAll };
}

// What the panels show to a visitor who is not logged in.
export function drawLoggedOutPanels(panels) {
  for (const [name, columns] of [["open", 8], ["orders", 8], ["trades", 7], ["balances", 3]]) {
    const body = clear(panels[name].querySelector("tbody"));
    body.append(
      el("tr", { class: "empty-row" }, [
        el("td", { colspan: String(columns), class: "muted login-needed" }, [
          el("a", { href: "/login", dataset: { i18n: "trade.form.login" }, text: t("trade.form.login") }),
          " ",
          el("span", { dataset: { i18n: "trade.user.loginToSee" }, text: t("trade.user.loginToSee") }),
        ]),
      ]),
    );
  }
  panels.cancelAll.disabled = true;
}
