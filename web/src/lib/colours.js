// Which colour means "up". Korean traders read red as a rise and blue as a fall (Upbit,
// Bithumb, the KOSPI boards); Binance's users read green up and red down. Without a choice
// of their own a user gets their language's convention; a choice (kept in localStorage)
// holds in either language. The style sheet does the rest: base.css defines --up, --down,
// --buy and --sell for each value of <html data-colours>.
//
// i18n.js applies the convention when a page starts and when the language changes, so every
// page gets it; nothing here imports i18n.js (that would be an import cycle).
import { el } from "./dom.js";

const STORAGE_KEY = "assetport.colours";
export const RED_UP = "red-up";
export const GREEN_UP = "green-up";
export const COLOUR_SCHEMES = [RED_UP, GREEN_UP];
// The choice that follows the language: the select shows it as "automatic".
const AUTO = "auto";

const listeners = [];
let pageLanguage = "en";
let chosen = storedScheme();

function storedScheme() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return COLOUR_SCHEMES.includes(stored) ? stored : null;
  } catch (error) {
    return null;
  }
}

export function defaultScheme(lang) {
  return lang === "ko" ? RED_UP : GREEN_UP;
}

// The convention in force: the user's choice, else their language's.
export function colourScheme() {
  return chosen || defaultScheme(pageLanguage);
}

function apply() {
  const scheme = colourScheme();
  const changed = document.documentElement.dataset.colours !== scheme;
  document.documentElement.dataset.colours = scheme;
  if (changed) for (const listener of listeners) listener(scheme);
}

// Called by i18n.js with the page's language, at start and on every switch.
export function applyColourScheme(lang) {
  pageLanguage = lang;
  apply();
}

// RED_UP, GREEN_UP, or null to follow the language again.
export function setColourScheme(scheme) {
  chosen = COLOUR_SCHEMES.includes(scheme) ? scheme : null;
  try {
    if (chosen) localStorage.setItem(STORAGE_KEY, chosen);
    else localStorage.removeItem(STORAGE_KEY);
  } catch (error) {
    // private mode: the choice lasts for this page only
  }
  apply();
}

// Drawings that cannot use CSS (the chart's candles) redraw when the convention changes.
export function onColourSchemeChange(listener) {
  listeners.push(listener);
}

// The colours in force as CSS colour strings, for canvas drawings: {up, down}.
export function upDownColours() {
  const style = getComputedStyle(document.documentElement);
  return { up: style.getPropertyValue("--up").trim(), down: style.getPropertyValue("--down").trim() };
}

// A select for the header or a settings panel: automatic (the language's), red up, green up.
// Its labels are data-i18n keys (messages/conventions.js), filled by translate().
export function colourSchemeControl() {
  const select = el(
    "select",
    {
      id: "colour-scheme",
      dataset: { i18nAriaLabel: "colours.label", i18nTitle: "colours.label" },
      onchange: (event) => setColourScheme(event.target.value === AUTO ? null : event.target.value),
    },
    [AUTO, RED_UP, GREEN_UP].map((value) => el("option", { value, dataset: { i18n: `colours.${value}` } })),
  );
  select.value = chosen || AUTO;
  return select;
}
