// The depth chart: the synced book (lib/trade_book.js BookSync) as two cumulative curves,
// the bids stepping down to the left of the middle and the asks up to the right, in the
// user's up and down colours (lib/colours.js). Drawn as SVG, only while its tab is shown.
//
// It covers the levels within DEPTH_RANGE_PERCENT of the mid price: an order far from the
// market (a buy at half the price) would squash the part a trader looks at into a line.
// The cumulative totals are exact decimals (written on the chart for tools and tests);
// only the drawing turns them into Numbers.
import { onColourSchemeChange, upDownColours } from "./colours.js";
import { clear } from "./dom.js";
import { t } from "./i18n.js";
import { add, cmp, dec, decText, formatPrice, formatQty, mul } from "./trade_market.js";

export const DEPTH_RANGE_PERCENT = 5n;
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 300;
const AXIS = 18; // room under the curves for the price labels

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

// The levels of one side within the range, best first, each with the running total:
// [{price, qty, total}] as exact decimals.
export function cumulative(levels, inRange) {
  const points = [];
  let total = null;
  for (const level of levels) {
    const price = dec(level.price);
    const qty = dec(level.qty);
    if (!price || !qty || !inRange(price)) break;
    total = total ? add(total, qty) : qty;
    points.push({ price, qty, total });
  }
  return points;
}

// The depth of a book: both sides' cumulative levels within DEPTH_RANGE_PERCENT of the mid
// price ((best bid + best ask) / 2), compared exactly: price * 200 against
// (bid + ask) * (100 -/+ range).
export function depthOf(book) {
  const bestBid = book.bids.top(1)[0];
  const bestAsk = book.asks.top(1)[0];
  if (!bestBid || !bestAsk) return null;
  const sum = add(dec(bestBid.price), dec(bestAsk.price));
  const low = mul(sum, { units: 100n - DEPTH_RANGE_PERCENT, scale: 0 });
  const high = mul(sum, { units: 100n + DEPTH_RANGE_PERCENT, scale: 0 });
  const doubled = (price) => mul(price, { units: 200n, scale: 0 });
  return {
    bids: cumulative(book.bids.top(Infinity), (price) => cmp(doubled(price), low) >= 0),
    asks: cumulative(book.asks.top(Infinity), (price) => cmp(doubled(price), high) <= 0),
  };
}

export function createDepthChart(market, { container }) {
  let current = null;
  let visible = false;
  let scheduled = false;

  function encode(points) {
    return points.map((point) => `${decText(point.price)}:${decText(point.total)}`).join(";");
  }

  function draw() {
    scheduled = false;
    if (!visible || !current || !current.synced) return;
    const depth = depthOf(current);
    const root = clear(container);
    // A spread wider than the range leaves nothing to draw, as an empty side does.
    if (!depth || (!depth.bids.length && !depth.asks.length)) {
      container.dataset.drawn = "0";
      root.textContent = t("trade.depth.empty");
      return;
    }
    const { bids, asks } = depth;
    const { up, down } = upDownColours();
    const prices = [...bids, ...asks].map((point) => Number(decText(point.price)));
    const minPrice = Math.min(...prices);
    const maxPrice = Math.max(...prices);
    const top = Math.max(
      bids.length ? Number(decText(bids[bids.length - 1].total)) : 0,
      asks.length ? Number(decText(asks[asks.length - 1].total)) : 0,
    );
    const spanPrice = maxPrice - minPrice || 1;
    const x = (price) => ((Number(decText(price)) - minPrice) / spanPrice) * WIDTH;
    const y = (total) => HEIGHT - AXIS - (top > 0 ? (Number(decText(total)) / top) * (HEIGHT - AXIS - 8) : 0);
    const base = HEIGHT - AXIS;

    // A step curve: flat at each level's running total until the next level's price.
    function area(points, colour, side) {
      if (!points.length) return null;
      let d = `M ${x(points[0].price)} ${base}`;
      let previousY = base;
      for (const point of points) {
        const px = x(point.price);
        d += ` L ${px} ${previousY} L ${px} ${y(point.total)}`;
        previousY = y(point.total);
      }
      const end = side === "bid" ? 0 : WIDTH;
      d += ` L ${end} ${previousY} L ${end} ${base} Z`;
      return svg("path", { d, fill: colour, "fill-opacity": 0.25, stroke: colour, "stroke-width": 1.5, class: `depth-${side}` });
    }

    const bidTotal = bids.length ? bids[bids.length - 1].total : null;
    const askTotal = asks.length ? asks[asks.length - 1].total : null;
    const summary = t("trade.depth.summary", {
      bids: bidTotal ? formatQty(market, decText(bidTotal)) : "0",
      asks: askTotal ? formatQty(market, decText(askTotal)) : "0",
      asset: market.base,
      range: String(DEPTH_RANGE_PERCENT),
    });
    const picture = svg("svg", {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      preserveAspectRatio: "none",
      role: "img",
      "aria-label": summary,
      class: "depth-svg",
    });
    for (const shape of [area(bids, up, "bid"), area(asks, down, "ask")]) if (shape) picture.append(shape);
    const label = (text, at, anchor) =>
      Object.assign(svg("text", { x: at, y: HEIGHT - 4, "text-anchor": anchor, class: "depth-label" }), {
        textContent: text,
      });
    picture.append(
      label(formatPrice(market, decText(bids.length ? bids[bids.length - 1].price : asks[0].price)), 2, "start"),
      label(formatPrice(market, decText(asks.length ? asks[asks.length - 1].price : bids[0].price)), WIDTH - 2, "end"),
    );
    root.append(picture);
    Object.assign(container.dataset, {
      drawn: "1",
      updateId: String(current.lastUpdateId),
      bids: encode(bids),
      asks: encode(asks),
      bidTotal: bidTotal ? decText(bidTotal) : "0",
      askTotal: askTotal ? decText(askTotal) : "0",
    });
    const note = container.parentElement && container.parentElement.querySelector(".depth-summary");
    if (note) note.textContent = summary;
  }

  function schedule() {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(draw);
    }
  }
  onColourSchemeChange(schedule);

  return {
    // Redrawn at most once a frame, and only while shown.
    show(book) {
      current = book;
      if (visible) schedule();
    },
    setVisible(shown) {
      visible = shown;
      if (shown) schedule();
    },
    redrawTexts: schedule,
  };
}
