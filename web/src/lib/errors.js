// The one place a page turns a refusal into words: `errorText(error, details)` gives the
// person's-language text for lib/api.js's ApiError, from messages/errors.js, keyed by the
// Binance error code. Some codes cover several refusals (-1013 for every order filter, -2010
// for every engine reason); the server's message then tells them apart. It is Binance's
// fixed wording, the same contract ccxt matches on, so it is read to choose a text and never
// shown. `details` are figures the page knows ({asset, needed, available} for a balance,
// {tick, quote} for a price...); with all of a text's figures at hand the ".detail" form is
// used, which names them.
import catalogue from "../messages/errors.js";
import { ApiError, SESSION_ENDED_CODES } from "./api.js";
import { addMessages, language, t } from "./i18n.js";

addMessages(catalogue);

// Binance's texts for the refusals that share a code (api/errors.py), by what they mean.
const REASONS = {
  [-1000]: [
    [/^Unknown endpoint/, "notFound"],
    [/^Request not received within/, "timeout"],
  ],
  [-1013]: [
    [/PRICE_FILTER/, "priceFilter"],
    [/LOT_SIZE/, "lotSize"],
    [/NOTIONAL/, "notional"],
    [/MAX_NUM_ORDERS/, "maxNumOrders"],
    [/ICEBERG_PARTS/, "icebergParts"],
    [/self-trade prevention/, "stp"],
  ],
  [-1130]: [[/^No account has this email/, "noAccount"]],
  [-2010]: [
    [/insufficient balance/, "balance"],
    [/^Market is closed/, "closed"],
    [/immediately match and take/, "wouldTake"],
    [/trigger immediately/, "wouldTrigger"],
    [/^Duplicate order/, "duplicate"],
    [/^Unsupported order combination/, "combination"],
    [/^Iceberg orders/, "iceberg"],
    [/^Quote order qty/, "quoteQty"],
    [/may not place or cancel/, "account"],
  ],
  [-2011]: [
    [/^Unknown order/, "unknown"],
    [/^Market is closed/, "closed"],
    [/cancel restrictions/, "restricted"],
    [/may not place or cancel/, "account"],
  ],
  [-2038]: [[/^Market is closed/, "closed"]],
};

function reasonOf(error) {
  if (error.code === -1003 && error.status === 418) return "banned";
  for (const [pattern, reason] of REASONS[error.code] || []) {
    if (pattern.test(error.msg || "")) return reason;
  }
  return null;
}

function textOf(key) {
  const texts = catalogue[language()] || catalogue.en;
  return key in texts ? texts[key] : catalogue.en[key];
}

// The ".detail" form of `key` when every figure it names is known, else `key` itself.
function withDetails(key, vars) {
  const detailed = textOf(`${key}.detail`);
  if (detailed === undefined) return key;
  const names = [...detailed.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  const known = names.every((name) => vars[name] !== undefined && vars[name] !== null && vars[name] !== "");
  return known ? `${key}.detail` : key;
}

// The key of an error's text in messages/errors.js: by code and reason, by code, or none.
export function errorKey(error) {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 0) return "apiError.network";
  const reason = reasonOf(error);
  if (reason && textOf(`apiError.${error.code}.${reason}`) !== undefined) return `apiError.${error.code}.${reason}`;
  if (textOf(`apiError.${error.code}`) !== undefined) return `apiError.${error.code}`;
  return null;
}

export function errorText(error, details = {}) {
  if (!(error instanceof ApiError)) return t("apiError.page");
  const key = errorKey(error);
  if (!key) return t("apiError.unknown", { code: error.code });
  const vars = { ...details };
  if (vars.seconds === undefined && error.retryAfter) vars.seconds = error.retryAfter;
  if (vars.minutes === undefined && error.retryAfter) vars.minutes = Math.max(1, Math.ceil(error.retryAfter / 60));
  return t(withDetails(key, vars), vars);
}

// True for a refusal that means the page's login is gone (see lib/api.js).
export function isSessionEnded(error) {
  return error instanceof ApiError && error.status === 401 && SESSION_ENDED_CODES.includes(error.code);
}
