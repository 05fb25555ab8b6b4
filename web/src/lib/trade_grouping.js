// Order book grouping ("price precision"): levels merged into buckets of the market's tick
// times 1, 10, 100, ... Exact, as every figure of the book: prices and quantities stay
// decimals (BigInt units), never floats. A bid is grouped down to its bucket's price and an
// ask up to its bucket's price, as exchanges do, so a grouped level never promises a better
// price than the orders it holds. The choice is kept per market in localStorage.
import { add, dec, decText, isZero } from "./trade_market.js";

const STORAGE_PREFIX = "assetport.bookGrouping.";
export const GROUPINGS = 5; // the tick, x10, x100, x1000, x10000

// The bucket sizes of a market: the tick times 10^k.
export function groupSizes(market) {
  if (!market.tick || isZero(market.tick)) return [];
  const sizes = [];
  for (let k = 0; k < GROUPINGS; k++) {
    sizes.push({ units: market.tick.units * 10n ** BigInt(k), scale: market.tick.scale });
  }
  return sizes;
}

// The price of the bucket that holds `price`: down for bids, up for asks.
export function bucketOf(price, size, side) {
  const value = typeof price === "string" ? dec(price) : price;
  const scale = Math.max(value.scale, size.scale);
  const units = value.units * 10n ** BigInt(scale - value.scale);
  const step = size.units * 10n ** BigInt(scale - size.scale);
  let bucket = (units / step) * step;
  if (side === "ask" && bucket !== units) bucket += step;
  return decText({ units: bucket, scale });
}

// `levels` best first ({price, qty} strings); the first `count` buckets, best first, each
// {price, qty, count}: the bucket's price and the exact sum of its levels' quantities.
export function groupLevels(levels, size, side, count = Infinity) {
  const buckets = [];
  for (const level of levels) {
    const price = bucketOf(level.price, size, side);
    const last = buckets[buckets.length - 1];
    if (last && last.price === price) {
      last.sum = add(last.sum, dec(level.qty));
      last.count += 1;
      continue;
    }
    // Levels come best first, so a new bucket means the previous one is complete.
    if (buckets.length === count) break;
    buckets.push({ price, sum: dec(level.qty), count: 1 });
  }
  return buckets.map((bucket) => ({ price: bucket.price, qty: decText(bucket.sum), count: bucket.count }));
}

// The stored choice (an index into groupSizes), the tick when none or not valid.
export function storedGrouping(symbol) {
  try {
    const stored = Number(localStorage.getItem(STORAGE_PREFIX + symbol));
    if (Number.isInteger(stored) && stored >= 0 && stored < GROUPINGS) return stored;
  } catch (error) {
    // no storage: the tick
  }
  return 0;
}

export function storeGrouping(symbol, index) {
  try {
    localStorage.setItem(STORAGE_PREFIX + symbol, String(index));
  } catch (error) {
    // private mode: the choice lasts for this page only
  }
}
