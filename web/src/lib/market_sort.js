// Ordering the markets table by a column. Prices, volumes and changes are the API's decimal
// strings: they are compared exactly (BigInt units at a common scale, decimal.js), never as
// floats, which would tie or misorder values that differ beyond a double's 15-17 digits.
import { compare, scaleOf, toUnits } from "./decimal.js";

// The columns a person can sort by, and which way a first click sorts them: names A to Z,
// figures biggest first (the most traded, the biggest movers), as exchanges do.
export const SORT_KEYS = ["market", "last", "change", "volume", "quoteVolume"];
export const FIRST_DIRECTION = { market: "ascending", last: "descending", change: "descending", volume: "descending", quoteVolume: "descending" };

// Exact comparison of two non-negative decimal strings; null when either is not a decimal.
export function compareDecimals(a, b) {
  const scale = Math.max(scaleOf(String(a)), scaleOf(String(b)));
  const x = toUnits(a, scale);
  const y = toUnits(b, scale);
  if (x === null || y === null) return null;
  return compare(x, y);
}

function isZero(text) {
  return /^0*(\.0*)?$/.test(String(text));
}

// The 24 h change as an exact fraction (last - open) / open, in units at a common scale:
// {numerator, denominator > 0}, or null when the market has no open price (never traded).
function changeOf(row) {
  const scale = Math.max(scaleOf(String(row.open)), scaleOf(String(row.last)));
  const open = toUnits(row.open, scale);
  const last = toUnits(row.last, scale);
  if (open === null || last === null || open === 0n) return null;
  return { numerator: last - open, denominator: open };
}

// a/b against c/d with b, d > 0: the sign of a*d - c*b, with no rounding at all.
function compareFractions(x, y) {
  return compare(x.numerator * y.denominator, y.numerator * x.denominator);
}

// Compares two rows by `key` ascending; null when one or both have no value to compare
// (a market that never traded has no last price and no change).
function compareBy(key, a, b) {
  if (key === "market") return compare(a.base, b.base) || compare(a.quote, b.quote);
  if (key === "change") {
    const x = changeOf(a);
    const y = changeOf(b);
    if (x === null || y === null) return x === y ? 0 : null;
    return compareFractions(x, y);
  }
  // A last price of zero means no trade yet: it has no place among prices.
  const x = key === "last" && isZero(a.last) ? null : a[key];
  const y = key === "last" && isZero(b.last) ? null : b[key];
  if (x === null || y === null) return x === y ? 0 : null;
  return compareDecimals(x, y);
}

function hasValue(key, row) {
  if (key === "market") return true;
  if (key === "change") return changeOf(row) !== null;
  if (key === "last") return !isZero(row.last) && toUnits(row.last, scaleOf(String(row.last))) !== null;
  return toUnits(row[key], scaleOf(String(row[key]))) !== null;
}

// The rows ordered by `key` in `direction` ("ascending" or "descending"). Rows with no value
// for the key go last either way (a dash is neither the biggest nor the smallest), and rows
// that tie keep the order they came in, so equal rows do not swap places on each update.
export function sortMarkets(rows, key, direction) {
  const sign = direction === "descending" ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index, known: hasValue(key, row) }))
    .sort((a, b) => {
      if (a.known !== b.known) return a.known ? -1 : 1;
      const order = a.known ? compareBy(key, a.row, b.row) || 0 : 0;
      return sign * order || a.index - b.index;
    })
    .map((entry) => entry.row);
}

// The column and direction a person last sorted the table by, kept in this browser like the
// other settings: {key, direction}, or no key (the exchange's own order) when none was kept
// or what was kept is not a sort this table knows.
const SORT_STORAGE_KEY = "assetport.marketsSort";

export function storedSort() {
  try {
    const stored = JSON.parse(localStorage.getItem(SORT_STORAGE_KEY) || "null");
    if (stored && SORT_KEYS.includes(stored.key) && ["ascending", "descending"].includes(stored.direction)) {
      return { key: stored.key, direction: stored.direction };
    }
  } catch (error) {
    // unreadable or private mode: the exchange's own order
  }
  return { key: null, direction: null };
}

export function storeSort(sort) {
  try {
    localStorage.setItem(SORT_STORAGE_KEY, JSON.stringify({ key: sort.key, direction: sort.direction }));
  } catch (error) {
    // private mode or storage full: the order holds for this page only
  }
}
