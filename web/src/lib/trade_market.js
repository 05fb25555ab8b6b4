// The trading page's view of one market: its filters from exchangeInfo, exact arithmetic on
// the API's decimal strings (BigInt, never float) and the display formats of prices,
// quantities and amounts. The other trade_* modules build on this.
import { fromUnits, grouped, scaleOf, toUnits, trim } from "./decimal.js";

// An exact decimal: `units` (BigInt) at `scale` digits after the point.
export function dec(text) {
  if (text === null || text === undefined) return null;
  const value = String(text).trim().replace(/,/g, "");
  if (value === "") return null;
  const units = toUnits(value, scaleOf(value));
  return units === null ? null : { units, scale: scaleOf(value) };
}

export function decText(value) {
  return trim(fromUnits(value.units, value.scale));
}

const TEN = 10n;
function pow10(n) {
  return TEN ** BigInt(n);
}

export function isZero(value) {
  return value === null || value.units === 0n;
}

export function mul(a, b) {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function add(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return { units: a.units * pow10(scale - a.scale) + b.units * pow10(scale - b.scale), scale };
}

export function sub(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return { units: a.units * pow10(scale - a.scale) - b.units * pow10(scale - b.scale), scale };
}

export function cmp(a, b) {
  const d = sub(a, b).units;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

// a * numerator / denominator with a small integer ratio (percent buttons), rounded down.
export function ratio(a, numerator, denominator, scale) {
  const units = (a.units * BigInt(numerator) * pow10(scale)) / (BigInt(denominator) * pow10(a.scale));
  return { units, scale };
}

// a / b rounded down to `scale` digits (both non-negative, b > 0).
export function divFloor(a, b, scale) {
  const units = (a.units * pow10(scale + b.scale)) / (b.units * pow10(a.scale));
  return { units, scale };
}

// a rounded to `scale` digits: down (floor) or up (ceil); values are non-negative.
export function rescale(a, scale, up = false) {
  if (scale >= a.scale) return { units: a.units * pow10(scale - a.scale), scale };
  const factor = pow10(a.scale - scale);
  let units = a.units / factor;
  if (up && a.units % factor !== 0n) units += 1n;
  return { units, scale };
}

// a rounded down to a multiple of `step` (a positive decimal), at the step's scale or finer.
export function floorToStep(a, step) {
  if (isZero(step)) return a;
  const scale = Math.max(a.scale, step.scale);
  const units = rescale(a, scale).units;
  const stepUnits = rescale(step, scale).units;
  return { units: (units / stepUnits) * stepUnits, scale };
}

// The text with exactly `decimals` fraction digits when that loses nothing; a value with
// more significant digits keeps them (a display never rounds money).
export function fixed(text, decimals) {
  const trimmed = trim(String(text));
  const have = scaleOf(trimmed);
  if (have > decimals) return trimmed;
  if (decimals === 0) return trimmed;
  return (have === 0 ? trimmed + "." : trimmed) + "0".repeat(decimals - have);
}

function filterOf(info, type) {
  return (info.filters || []).find((filter) => filter.filterType === type) || {};
}

// Everything the page needs to know about one market.
export function describeMarket(info) {
  const price = filterOf(info, "PRICE_FILTER");
  const lot = filterOf(info, "LOT_SIZE");
  const marketLot = filterOf(info, "MARKET_LOT_SIZE");
  const notional = filterOf(info, "NOTIONAL").minNotional ? filterOf(info, "NOTIONAL") : filterOf(info, "MIN_NOTIONAL");
  const tickSize = price.tickSize || "0";
  const stepSize = lot.stepSize || "0";
  const market = {
    symbol: info.symbol,
    base: info.baseAsset,
    quote: info.quoteAsset,
    status: info.status,
    orderTypes: info.orderTypes || [],
    quoteOrderQtyMarketAllowed: info.quoteOrderQtyMarketAllowed !== false,
    tick: dec(tickSize),
    step: dec(stepSize),
    marketStep: dec(marketLot.stepSize || stepSize),
    minQty: dec(lot.minQty || "0"),
    minNotional: dec(notional.minNotional || "0"),
    priceDecimals: scaleOf(trim(tickSize)),
    qtyDecimals: scaleOf(trim(stepSize)),
    baseDecimals: info.baseAssetPrecision ?? 8,
    quoteDecimals: info.quoteAssetPrecision ?? info.quotePrecision ?? 8,
    baseFeeDecimals: info.baseCommissionPrecision ?? info.baseAssetPrecision ?? 8,
    quoteFeeDecimals: info.quoteCommissionPrecision ?? info.quoteAssetPrecision ?? 8,
    // Buyers pay their fee in the quote asset (Assetport's exchangeInfo field "feeAsset":
    // QUOTE on won markets, as Upbit does) rather than in the base they receive (Binance's).
    feeInQuote: info.feeAsset === "QUOTE",
  };
  return market;
}

// A market that never traded shows a dash, not a price of zero.
export function isZeroText(text) {
  return text === undefined || text === null || /^0*(\.0*)?$/.test(String(text));
}

export function formatPrice(market, text) {
  if (isZeroText(text)) return "–";
  return grouped(fixed(text, market.priceDecimals));
}

export function formatQty(market, text) {
  return grouped(fixed(text, market.qtyDecimals));
}

export function formatAmount(text) {
  return grouped(trim(String(text)));
}

// An exact amount rounded to `decimals` for display (down unless `up`).
export function formatRounded(value, decimals, up = false) {
  return grouped(trim(fromUnits(rescale(value, decimals, up).units, decimals)));
}

// "0.00050000" -> "0.05%"
export function formatRate(text) {
  const value = dec(text);
  if (value === null) return "–";
  return trim(fromUnits(value.units * 100n, value.scale)) + "%";
}

// The input's text as the API expects it: no grouping commas, no spaces.
export function cleanInput(text) {
  return String(text || "").replace(/[,\s]/g, "");
}

// The value as an input shows it: exact, at the given decimals, without grouping.
export function inputText(value, decimals) {
  return fromUnits(rescale(value, decimals).units, decimals);
}

// The time of day alone, for the recent trades (all from the last minutes); a time that may
// be older shows its date and year (i18n.js formatDateTime).
export function formatTime(ms) {
  const date = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
