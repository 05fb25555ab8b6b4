// The order book and the recent trades. The book is kept in sync the Binance way: diff
// events of `<sym>@depth@100ms` are buffered while GET /api/v3/depth fetches a snapshot,
// events already in the snapshot (u <= lastUpdateId) are dropped, the rest applied in order;
// a gap in the update ids fetches a new snapshot. Trades come from GET /api/v3/trades and
// the `<sym>@trade` stream.
import { rest } from "./api.js";
import { compare, toUnits } from "./decimal.js";
import { clear, el } from "./dom.js";
import { t } from "./i18n.js";
import { bucketOf, groupLevels, groupSizes, storeGrouping, storedGrouping } from "./trade_grouping.js";
import { cmp, dec, decText, formatAmount, formatPrice, formatQty, formatTime, mul, sub } from "./trade_market.js";

const SNAPSHOT_LIMIT = 1000;
const TRADES_KEPT = 40;

// One side of the book: price key (exact units at a common scale) -> {price, qty} strings.
class Side {
  constructor(scale, descending) {
    this.scale = scale;
    this.descending = descending;
    this.levels = new Map();
  }

  key(price) {
    const units = toUnits(price, this.scale);
    return units === null ? price : units.toString();
  }

  set(price, qty) {
    const key = this.key(price);
    if (/^0*(\.0*)?$/.test(qty)) this.levels.delete(key);
    else this.levels.set(key, { price, qty, units: BigInt(key) });
  }

  clear() {
    this.levels.clear();
  }

  // The best `count` levels, best first.
  top(count) {
    const sorted = [...this.levels.values()].sort((a, b) => compare(a.units, b.units));
    if (this.descending) sorted.reverse();
    return sorted.slice(0, count);
  }
}

export class BookSync {
  constructor(market, onChange) {
    this.market = market;
    this.onChange = onChange;
    const scale = 18; // finer than any price the API sends: one key per price
    this.bids = new Side(scale, true);
    this.asks = new Side(scale, false);
    this.lastUpdateId = -1;
    this.synced = false;
    this.buffer = [];
    this.fetching = false;
    this.retryPause = 250;
    this.generation = 0;
    this.notBefore = 0; // after a failed fetch, the next waits a little
  }

  onEvent(event) {
    if (!this.synced) {
      this.buffer.push(event);
      this.fetchSnapshot();
      return;
    }
    if (this.apply(event)) {
      this.onChange();
      return;
    }
    // A gap: keep this event for after a new snapshot.
    this.synced = false;
    this.buffer = [event];
    this.fetchSnapshot();
  }

  // Applies one diff; false when it leaves a gap after what the book holds.
  apply(event) {
    if (event.u <= this.lastUpdateId) return true;
    if (event.U > this.lastUpdateId + 1) return false;
    for (const [price, qty] of event.b) this.bids.set(price, qty);
    for (const [price, qty] of event.a) this.asks.set(price, qty);
    this.lastUpdateId = event.u;
    return true;
  }

  // Starts over from a snapshot (at the start, and after a reconnect: the stream missed
  // updates), dropping what an earlier fetch would bring.
  resync() {
    this.generation++;
    this.fetching = false;
    this.synced = false;
    this.buffer = [];
    this.fetchSnapshot();
  }

  // Fetches a snapshot and applies the buffered events after it; fetches again while the
  // snapshot is older than the first event kept.
  async fetchSnapshot() {
    if (this.fetching || Date.now() < this.notBefore) return;
    this.fetching = true;
    const generation = this.generation;
    try {
      for (;;) {
        const snapshot = await rest("GET", "/api/v3/depth", { symbol: this.market.symbol, limit: SNAPSHOT_LIMIT });
        if (generation !== this.generation) return;
        this.bids.clear();
        this.asks.clear();
        for (const [price, qty] of snapshot.bids) this.bids.set(price, qty);
        for (const [price, qty] of snapshot.asks) this.asks.set(price, qty);
        this.lastUpdateId = snapshot.lastUpdateId;
        const buffered = this.buffer;
        this.buffer = [];
        const gapAt = buffered.findIndex((event) => !this.apply(event));
        if (gapAt < 0) {
          this.synced = true;
          this.retryPause = 250;
          this.onChange();
          return;
        }
        // The snapshot is older than the events kept: keep them, fetch a newer one.
        this.buffer = buffered.slice(gapAt).concat(this.buffer);
        await new Promise((resolve) => setTimeout(resolve, this.retryPause));
        this.retryPause = Math.min(this.retryPause * 2, 5000);
        if (generation !== this.generation) return;
      }
    } catch (error) {
      // The server cannot answer now: a later event (or the reconnect) tries again.
      this.synced = false;
      this.notBefore = Date.now() + this.retryPause;
      this.retryPause = Math.min(this.retryPause * 2, 5000);
    } finally {
      if (generation === this.generation) this.fetching = false;
    }
  }
}

// Draws the book: `rows` levels per side, asks above (best at the bottom), the last price
// and spread between, bids below; each row shaded by its quantity against the largest shown.
// Levels are grouped by the price precision chosen above the book (lib/trade_grouping.js),
// and a level holding one of the user's own open orders is marked.
export function createBookView(market, { container, rows = 12, onPick }) {
  const askRows = [];
  const bidRows = [];
  let lastPrice = null;
  let lastDirection = "";
  const sizes = groupSizes(market);
  let grouping = Math.min(storedGrouping(market.symbol), Math.max(0, sizes.length - 1));
  let ownOrders = []; // [{side: "BUY" | "SELL", price}] of this market

  function makeRow(side) {
    const price = el("span", { class: "book-price" });
    const qty = el("span", { class: "book-qty" });
    const total = el("span", { class: "book-total" });
    // A button only while it holds a level (a click fills the form's price); an empty row
    // is nothing to press and has no name to announce.
    // Read after the figures by a screen reader; the marker seen is drawn by the style sheet.
    const mine = el("span", { class: "book-mine visually-hidden" });
    const row = el("div", { class: `book-row book-${side} empty`, tabindex: "-1" }, [price, qty, total, mine]);
    row.addEventListener("click", () => {
      if (row.dataset.price) onPick(row.dataset.price, side);
    });
    row.addEventListener("keydown", (event) => onRowKey(event, row, side));
    return { row, price, qty, total, mine };
  }

  // The keyboard reaches the book in one Tab stop (a "roving" tabindex): the arrow keys move
  // between the levels shown, top to bottom, Home and End to the ends, Enter or Space fills
  // the form's price as a click does.
  function shownLevels() {
    return [...askRows, ...bidRows]
      .map((cells) => cells.row)
      .filter((row) => row.dataset.price && row.getClientRects().length > 0);
  }

  function onRowKey(event, row, side) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (row.dataset.price) onPick(row.dataset.price, side);
      return;
    }
    const moves = { ArrowUp: -1, ArrowDown: 1, Home: -Infinity, End: Infinity };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const levels = shownLevels();
    if (!levels.length) return;
    const at = levels.indexOf(row);
    const move = moves[event.key];
    let next;
    if (move === -Infinity) next = 0;
    else if (move === Infinity) next = levels.length - 1;
    else if (at < 0) next = move > 0 ? 0 : levels.length - 1;
    else next = Math.min(levels.length - 1, Math.max(0, at + move));
    focusRow(levels[next]);
  }

  function focusRow(row) {
    for (const cells of [...askRows, ...bidRows]) cells.row.tabIndex = cells.row === row ? 0 : -1;
    row.focus();
  }

  // The row Tab lands on: the one last focused while it still holds a level, else the best
  // bid (else the best ask), as the price a trader most often takes.
  function keepTabStop() {
    const rowsNow = [...askRows, ...bidRows].map((cells) => cells.row);
    const focused = rowsNow.find((row) => row === document.activeElement);
    if (focused) return;
    const levels = shownLevels();
    const stop =
      rowsNow.find((row) => row.tabIndex === 0 && levels.includes(row)) ||
      (levels.includes(bidRows[0].row) ? bidRows[0].row : levels[levels.length - 1]);
    for (const row of rowsNow) row.tabIndex = row === stop ? 0 : -1;
  }

  // A row is named by its figures, as seen (WCAG's "label in name"), and the title says
  // what pressing it does; the group around it says which side of the book it is on.
  const asksBox = el("div", { class: "book-side book-asks", id: "book-asks", role: "group" });
  const bidsBox = el("div", { class: "book-side book-bids", id: "book-bids", role: "group" });
  for (let i = 0; i < rows; i++) {
    const ask = makeRow("ask");
    askRows.push(ask);
    asksBox.append(ask.row);
    const bid = makeRow("bid");
    bidRows.push(bid);
    bidsBox.append(bid.row);
  }
  const last = el("span", { id: "book-last", class: "book-last", text: "–" });
  const spread = el("span", { id: "book-spread", class: "book-spread muted" });
  const label = (key, unit) =>
    el("span", {}, [el("span", { dataset: { i18n: key } }), el("small", { class: "book-unit", text: unit })]);
  const head = el("div", { class: "book-head" }, [
    label("trade.book.price", market.quote),
    label("trade.book.qty", market.base),
    label("trade.book.total", market.quote),
  ]);
  // The price precision: one option per bucket size, written as the price step it gives.
  const groupingSelect = el("select", { id: "book-grouping", class: "book-grouping" });
  groupingSelect.addEventListener("change", () => {
    grouping = Number(groupingSelect.value);
    storeGrouping(market.symbol, grouping);
    container.dataset.grouping = decText(sizes[grouping]);
    if (current) draw();
  });
  const groupingLabel = el("label", { for: "book-grouping", class: "muted", dataset: { i18n: "trade.book.grouping" } });
  const tools = el("div", { class: "book-tools" }, [groupingLabel, groupingSelect]);
  if (!sizes.length) tools.hidden = true;
  else container.dataset.grouping = decText(sizes[grouping]);
  clear(container).append(tools, head, asksBox, el("div", { class: "book-mid" }, [last, spread]), bidsBox);
  function labelSides() {
    asksBox.setAttribute("aria-label", t("trade.book.asks"));
    bidsBox.setAttribute("aria-label", t("trade.book.bids"));
    groupingLabel.textContent = t("trade.book.grouping");
    clear(groupingSelect);
    sizes.forEach((size, index) => {
      groupingSelect.append(
        el("option", { value: String(index), selected: index === grouping, text: formatAmount(decText(size)) }),
      );
    });
    groupingSelect.value = String(grouping);
  }
  labelSides();

  // The buckets (at the precision chosen) that hold one of the user's orders, per side.
  function ownBuckets() {
    const marked = { bid: new Set(), ask: new Set() };
    if (!sizes.length) return marked;
    for (const order of ownOrders) {
      const side = order.side === "BUY" ? "bid" : "ask";
      // A market order has no price and rests nowhere; a stop order waits outside the book.
      if (dec(order.price) && !/^0*(\.0*)?$/.test(order.price)) marked[side].add(bucketOf(order.price, sizes[grouping], side));
    }
    return marked;
  }

  function fill(cells, level, max, side, marked) {
    const mine = Boolean(level) && sizes.length > 0 && marked.has(bucketOf(level.price, sizes[grouping], side));
    cells.row.classList.toggle("mine", mine);
    if (mine) cells.row.dataset.mine = "1";
    else delete cells.row.dataset.mine;
    cells.mine.textContent = mine ? t("trade.book.mine") : "";
    if (!level) {
      cells.row.classList.add("empty");
      cells.row.removeAttribute("role");
      cells.row.removeAttribute("title");
      delete cells.row.dataset.price;
      cells.price.textContent = "";
      cells.qty.textContent = "";
      cells.total.textContent = "";
      cells.row.style.setProperty("--depth", "0%");
      return;
    }
    cells.row.classList.remove("empty");
    cells.row.setAttribute("role", "button");
    cells.row.dataset.price = level.price;
    cells.row.title = t(side === "ask" ? "trade.book.pickAsk" : "trade.book.pickBid");
    cells.price.textContent = formatPrice(market, level.price);
    cells.qty.textContent = formatQty(market, level.qty);
    const price = dec(level.price);
    const qty = dec(level.qty);
    cells.total.textContent = price && qty ? formatAmount(decText(mul(price, qty))) : "";
    // The shading is a picture, not a figure: a float ratio is fine here.
    const share = max > 0 ? Math.min(100, (Number(level.qty) / max) * 100) : 0;
    cells.row.style.setProperty("--depth", `${share.toFixed(1)}%`);
  }

  function drawMid(book) {
    last.textContent = lastPrice ? formatPrice(market, lastPrice) : "–";
    last.className = `book-last ${lastDirection}`;
    const bestAsk = book ? book.asks.top(1)[0] : null;
    const bestBid = book ? book.bids.top(1)[0] : null;
    if (bestAsk && bestBid) {
      const gap = sub(dec(bestAsk.price), dec(bestBid.price));
      spread.textContent = t("trade.book.spread", { spread: formatPrice(market, decText(gap)) });
    } else spread.textContent = "";
  }

  let current = null;
  let scheduled = false;
  function draw() {
    scheduled = false;
    const book = current;
    let asks;
    let bids;
    if (sizes.length && grouping > 0) {
      asks = groupLevels(book.asks.top(Infinity), sizes[grouping], "ask", rows);
      bids = groupLevels(book.bids.top(Infinity), sizes[grouping], "bid", rows);
    } else {
      asks = book.asks.top(rows);
      bids = book.bids.top(rows);
    }
    const marked = ownBuckets();
    const max = Math.max(0, ...asks.map((l) => Number(l.qty)), ...bids.map((l) => Number(l.qty)));
    // Asks: the best (lowest) sits just above the middle.
    for (let i = 0; i < rows; i++) fill(askRows[rows - 1 - i], asks[i], max, "ask", marked.ask);
    for (let i = 0; i < rows; i++) fill(bidRows[i], bids[i], max, "bid", marked.bid);
    container.dataset.synced = book.synced ? "1" : "0";
    container.dataset.updateId = String(book.lastUpdateId);
    drawMid(book);
    keepTabStop();
  }

  return {
    // Redraws once per frame at most, however fast the diffs come.
    show(book) {
      current = book;
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(draw);
      }
    },
    setLast(price, direction) {
      if (lastPrice && direction === undefined) {
        const change = cmp(dec(price), dec(lastPrice));
        direction = change > 0 ? "up" : change < 0 ? "down" : lastDirection;
      }
      lastPrice = price;
      lastDirection = direction || "";
      drawMid(current);
    },
    // The user's open orders of this market (from the user panel), to mark their levels:
    // the limit orders, as a stop order waits outside the book until its stop price trades.
    setOwnOrders(orders) {
      ownOrders = orders
        .filter((order) => order.type === "LIMIT" || order.type === "LIMIT_MAKER")
        .map((order) => ({ side: order.side, price: order.price }));
      if (current) draw();
    },
    bestAsk: () => (current && current.synced ? current.asks.top(1)[0] || null : null),
    bestBid: () => (current && current.synced ? current.bids.top(1)[0] || null : null),
    redrawTexts() {
      labelSides();
      if (current) draw();
      else drawMid(null);
    },
  };
}

// The recent trades list: newest first, coloured by the taker's side.
export function createTradesView(market, { body, onLast }) {
  const trades = new Map(); // id -> {id, price, qty, time, buyerMaker}

  function draw() {
    const newest = [...trades.values()].sort((a, b) => b.id - a.id).slice(0, TRADES_KEPT);
    for (const id of trades.keys()) if (!newest.some((trade) => trade.id === id)) trades.delete(id);
    clear(body);
    if (!newest.length) {
      const none = el("td", { colspan: "3", class: "muted", dataset: { i18n: "trade.trades.none" } });
      none.textContent = t("trade.trades.none");
      body.append(el("tr", {}, [none]));
      return;
    }
    for (const trade of newest) {
      const side = trade.buyerMaker ? "down" : "up";
      body.append(
        el("tr", { class: `trade-row ${side}`, dataset: { tradeId: String(trade.id) } }, [
          el("td", { class: `num ${side}`, text: formatPrice(market, trade.price) }),
          el("td", { class: "num", text: formatQty(market, trade.qty) }),
          el("td", { class: "num muted", text: formatTime(trade.time) }),
        ]),
      );
    }
  }

  function add(trade) {
    trades.set(trade.id, trade);
  }

  return {
    async load() {
      const rows = await rest("GET", "/api/v3/trades", { symbol: market.symbol, limit: TRADES_KEPT });
      for (const row of rows) {
        add({ id: row.id, price: row.price, qty: row.qty, time: row.time, buyerMaker: row.isBuyerMaker });
      }
      draw();
      const newest = [...trades.values()].sort((a, b) => b.id - a.id)[0];
      if (newest) onLast(newest.price, newest.buyerMaker ? "down" : "up");
    },
    onTrade(data) {
      add({ id: data.t, price: data.p, qty: data.q, time: data.T, buyerMaker: data.m });
      draw();
      onLast(data.p, data.m ? "down" : "up");
    },
    redraw: draw,
  };
}
