// The order book and the recent trades. The book is kept in sync the Binance way: diff
// events of `<sym>@depth@100ms` are buffered while GET /api/v3/depth fetches a snapshot,
// events already in the snapshot (u <= lastUpdateId) are dropped, the rest applied in order;
// a gap in the update ids fetches a new snapshot. Trades come from GET /api/v3/trades and
// the `<sym>@trade` stream.
import { rest } from "./api.js";
import { compare, toUnits } from "./decimal.js";
import { clear, el } from "./dom.js";
import { t } from "./i18n.js";
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
export function createBookView(market, { container, rows = 12, onPick }) {
  const askRows = [];
  const bidRows = [];
  let lastPrice = null;
  let lastDirection = "";

  function makeRow(side) {
    const price = el("span", { class: "book-price" });
    const qty = el("span", { class: "book-qty" });
    const total = el("span", { class: "book-total" });
    const row = el("div", { class: `book-row book-${side} empty`, role: "button", tabindex: "-1" }, [price, qty, total]);
    row.addEventListener("click", () => {
      if (row.dataset.price) onPick(row.dataset.price, side);
    });
    return { row, price, qty, total };
  }

  const asksBox = el("div", { class: "book-side book-asks", id: "book-asks" });
  const bidsBox = el("div", { class: "book-side book-bids", id: "book-bids" });
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
  clear(container).append(head, asksBox, el("div", { class: "book-mid" }, [last, spread]), bidsBox);

  function fill(cells, level, max, side) {
    if (!level) {
      cells.row.classList.add("empty");
      delete cells.row.dataset.price;
      cells.price.textContent = "";
      cells.qty.textContent = "";
      cells.total.textContent = "";
      cells.row.style.setProperty("--depth", "0%");
      return;
    }
    cells.row.classList.remove("empty");
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
    const asks = book.asks.top(rows);
    const bids = book.bids.top(rows);
    const max = Math.max(0, ...asks.map((l) => Number(l.qty)), ...bids.map((l) => Number(l.qty)));
    // Asks: the best (lowest) sits just above the middle.
    for (let i = 0; i < rows; i++) fill(askRows[rows - 1 - i], asks[i], max, "ask");
    for (let i = 0; i < rows; i++) fill(bidRows[i], bids[i], max, "bid");
    container.dataset.synced = book.synced ? "1" : "0";
    container.dataset.updateId = String(book.lastUpdateId);
    drawMid(book);
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
    bestAsk: () => (current && current.synced ? current.asks.top(1)[0] || null : null),
    bestBid: () => (current && current.synced ? current.bids.top(1)[0] || null : null),
    redrawTexts() {
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
