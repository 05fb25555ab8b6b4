// Korean and English. Each area of the site keeps its own catalog (messages/*.js, each
// `{ en: {...}, ko: {...} }`); pages register theirs with `addMessages`. The choice is kept
// in localStorage; without one, a Korean browser gets Korean.
import common from "../messages/common.js";

const STORAGE_KEY = "assetport.lang";
export const LANGUAGES = ["en", "ko"];
const catalogs = [common];
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
// data-i18n-vars), data-i18n-placeholder, data-i18n-title.
export function translate(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) {
    const vars = node.dataset.i18nVars ? JSON.parse(node.dataset.i18nVars) : {};
    node.textContent = t(node.dataset.i18n, vars);
  }
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
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
  translate();
  for (const listener of listeners) listener(lang);
}

// Parts of a page drawn by code (tables, charts) redraw their texts on a switch.
export function onLanguageChange(listener) {
  listeners.push(listener);
}

document.documentElement.lang = current;
