// Korean and English. Each area of the site keeps its own catalog (messages/*.js, each
// `{ en: {...}, ko: {...} }`); pages register theirs with `addMessages`. The choice is kept
// in localStorage; without one, a Korean browser gets Korean. The language also picks the
// conventions a reader of it expects: the colours of up and down (colours.js), the number and
// date formats below.
import common from "../messages/common.js";
import conventions from "../messages/conventions.js";
import { applyColourScheme } from "./colours.js";
import { displayDecimals, grouped, roundDecimal } from "./decimal.js";

const STORAGE_KEY = "assetport.lang";
export const LANGUAGES = ["en", "ko"];
const catalogs = [common, conventions];
const listeners = [];
let current = initialLanguage();

function initialLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch (error) {
    stored = null;
  }
  if (LANGUAGES.includes(stored)) return stored;
  return (navigator.language || "en").toLowerCase().startsWith("ko") ? "ko" : "en";
}

export function addMessages(catalog) {
  catalogs.push(catalog);
}

export function language() {
  return current;
}

// The text for `key` in the current language, with {name} placeholders filled from `vars`.
// A missing Korean text falls back to English, a missing key shows the key itself.
export function t(key, vars = {}) {
  let text;
  for (const lang of [current, "en"]) {
    for (const catalog of catalogs) {
      if (catalog[lang] && key in catalog[lang]) {
        text = catalog[lang][key];
        break;
      }
    }
    if (text !== undefined) break;
  }
  if (text === undefined) text = key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

// Fills every element marked data-i18n (text, with the JSON of its {name}s in
// data-i18n-vars), data-i18n-placeholder, data-i18n-title, data-i18n-aria-label (a control
// without visible text is named to a screen reader in the page's language too).
export function translate(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) {
    const vars = node.dataset.i18nVars ? JSON.parse(node.dataset.i18nVars) : {};
    node.textContent = t(node.dataset.i18n, vars);
  }
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of root.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  }
}

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch (error) {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = lang;
  applyColourScheme(lang);
  translate();
  for (const listener of listeners) listener(lang);
}

// Parts of a page drawn by code (tables, charts) redraw their texts on a switch.
export function onLanguageChange(listener) {
  listeners.push(listener);
}

document.documentElement.lang = current;
applyColourScheme(current);

// ---- numbers and dates as the reader's language writes them ----

// The locale of the page's language for Intl: Korean as in Korea, English as in the US.
export function locale() {
  return current === "ko" ? "ko-KR" : "en-US";
}

// The locale's thousands and decimal separators ("," and "." for both ko-KR and en-US today,
// but taken from Intl rather than assumed). Only the separators come from Intl: the digits
// stay those of the exact decimal string, never a float.
const separatorCache = new Map();
function separators() {
  const tag = locale();
  if (!separatorCache.has(tag)) {
    const parts = new Intl.NumberFormat(tag).formatToParts(12345.5);
    const part = (type, fallback) => (parts.find((p) => p.type === type) || { value: fallback }).value;
    separatorCache.set(tag, { group: part("group", ","), decimal: part("decimal", ".") });
  }
  return separatorCache.get(tag);
}

// A decimal string ("1234567.5") as the page's language writes it ("1,234,567.5"); with
// `decimals`, rounded exactly to that many digits first (`round`: "down" or "half-up", see
// decimal.js roundDecimal). Anything that is not a decimal comes back unchanged.
export function formatNumber(text, { decimals, round = "down" } = {}) {
  let value = String(text).trim();
  if (!/^-?(\d+(\.\d+)?|\.\d+)$/.test(value)) return value;
  if (decimals !== undefined) value = roundDecimal(value, decimals, round);
  const { group, decimal } = separators();
  const [whole, fraction] = grouped(value).split(".");
  return whole.replace(/,/g, group) + (fraction !== undefined ? decimal + fraction : "");
}

// The date and time with the year, in the page's language: "2026. 12. 04. 21:03:20" in
// Korean, "12/04/2026, 21:03:20" in English (24-hour clock in both, as exchanges show).
export function formatDateTime(ms, { seconds = true } = {}) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (seconds) options.second = "2-digit";
  return new Intl.DateTimeFormat(locale(), options).format(new Date(ms));
}

// The date alone, with the year: "2026. 12. 04." / "12/04/2026".
export function formatDate(ms) {
  return new Intl.DateTimeFormat(locale(), { year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(ms));
}

// An amount of an asset as a balance shows it: at the asset's display decimals
// (decimal.js displayDecimals: KRW 0, USDT 2, BTC 8, KGLD 4), rounded down, grouped.
export function formatAsset(amount, asset, precision) {
  return formatNumber(amount, { decimals: displayDecimals(asset, precision), round: "down" });
}
