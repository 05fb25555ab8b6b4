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
