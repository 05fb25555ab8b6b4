// 24-hour ticker figures computed exactly from the API's decimal strings.
import { fromUnits, scaleOf, toUnits, trim } from "./decimal.js";

// The change from `open` to `last` in percent with two decimals ("1.25", "-0.40"), or null
// when there is no open price.
export function changePercent(open, last) {
  const scale = Math.max(scaleOf(open), scaleOf(last));
  const o = toUnits(open, scale);
  const c = toUnits(last, scale);
  if (o === null || c === null || o === 0n) return null;
  // hundredths of a percent, rounded half away from zero
  const numerator = (c - o) * 10000n;
  let hundredths = numerator / o;
  const remainder = numerator % o;
  if (remainder !== 0n && (remainder < 0n ? -remainder : remainder) * 2n >= o) {
    hundredths += numerator < 0n ? -1n : 1n;
  }
  return fromUnits(hundredths, 2);
}

export function changeClass(percent) {
  if (percent === null || /^-?0\.00$/.test(percent)) return "";
  return percent.startsWith("-") ? "down" : "up";
}

export function signed(percent) {
  if (percent === null) return "–";
  return (percent.startsWith("-") ? "" : "+") + percent + "%";
}

export { trim };
