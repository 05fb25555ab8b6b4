// Exact decimal arithmetic on the API's decimal strings (BigInt, never float): prices,
// quantities and balances are money.

export function scaleOf(text) {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

// "12.345" at scale 4 -> 123450n. Returns null for anything that is not a plain decimal.
export function toUnits(text, scale) {
  const value = String(text).trim();
  if (!/^\d+(\.\d+)?$|^\d*\.\d+$/.test(value)) return null;
  const [whole, fraction = ""] = value.split(".");
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) return null;
  const digits = (whole || "0") + fraction.slice(0, scale).padEnd(scale, "0");
  return BigInt(digits);
}

// 123450n at scale 4 -> "12.3450"
export function fromUnits(units, scale) {
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString();
  if (scale === 0) return (negative ? "-" : "") + digits;
  digits = digits.padStart(scale + 1, "0");
  const text = digits.slice(0, -scale) + "." + digits.slice(-scale);
  return (negative ? "-" : "") + text;
}

// The same value without trailing zeros in the fraction ("12.3450" -> "12.345").
export function trim(text) {
  if (!text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

// Groups the whole part in thousands for display ("1234567.5" -> "1,234,567.5").
export function grouped(text) {
  const [whole, fraction] = text.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = sign ? whole.slice(1) : whole;
  const withCommas = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + withCommas + (fraction !== undefined ? "." + fraction : "");
}

// floor(units / step) * step: a quantity rounded down to the market's step size.
export function floorTo(units, step) {
  return step > 0n ? (units / step) * step : units;
}

export function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- rounding for display ----

// `text` rounded exactly to `decimals` fraction digits, written with exactly that many:
// "down" cuts toward zero (a balance is never shown as more than there is), "half-up" rounds
// a half away from zero (a price or a total shown shorter). "-0.004" to 2 gives "0.00", never
// "-0.00". Returns null for anything that is not a plain decimal.
export function roundDecimal(text, decimals, mode = "down") {
  const value = String(text).trim();
  const negative = value.startsWith("-");
  const magnitude = negative ? value.slice(1) : value;
  const scale = scaleOf(magnitude);
  const units = toUnits(magnitude, scale);
  if (units === null) return null;
  let rounded;
  if (scale <= decimals) {
    rounded = units * 10n ** BigInt(decimals - scale);
  } else {
    const factor = 10n ** BigInt(scale - decimals);
    rounded = units / factor;
    if (mode === "half-up" && (units % factor) * 2n >= factor) rounded += 1n;
  }
  return fromUnits(negative && rounded !== 0n ? -rounded : rounded, decimals);
}

// How many decimals a screen shows of an asset: its precision, capped where more digits are
// noise to a person. A stablecoin shows cents, like the dollar it tracks; an unlisted asset
// shows its precision up to 8 (a satoshi). The ledger keeps every digit: this is display only.
const DISPLAY_CAP = { KRW: 0, USD: 2, USDT: 2, USDC: 2 };
const DEFAULT_DISPLAY_CAP = 8;

export function displayDecimals(asset, precision = DEFAULT_DISPLAY_CAP) {
  const cap = DISPLAY_CAP[asset] ?? DEFAULT_DISPLAY_CAP;
  return Math.max(0, Math.min(precision, cap));
}

// Each listed asset's precision, read from exchangeInfo's markets (a balance names only its
// asset; the market that lists it says how many decimals it has): {KRW: 0, KGLD: 4, ...}.
export function assetPrecisions(exchangeInfo) {
  const precisions = {};
  for (const market of exchangeInfo.symbols || []) {
    precisions[market.baseAsset] = market.baseAssetPrecision;
    precisions[market.quoteAsset] = market.quoteAssetPrecision ?? market.quotePrecision;
  }
  return precisions;
}
