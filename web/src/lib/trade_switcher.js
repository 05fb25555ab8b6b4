// The trade page's market switcher: a search box that lists the markets a trader's words find
// (lib/market_search.js: "BTC/KRW", a code, an asset's English or Korean name, "ㅂㅌ"), best
// first, and opens the one chosen. It follows ARIA's combobox pattern: the focus stays in the
// box while the arrow keys move through the list (aria-activedescendant), Enter opens the
// market, Escape closes the list.
import { clear, el } from "./dom.js";
import { t } from "./i18n.js";
import { assetName, searchMarkets } from "./market_search.js";

const LIST_ID = "market-options";

export function createMarketSwitcher({ container, markets, current }) {
  const input = el("input", {
    id: "market-select",
    type: "search",
    class: "market-search",
    role: "combobox",
    autocomplete: "off",
    spellcheck: "false",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": LIST_ID,
  });
  const list = el("ul", { id: LIST_ID, class: "market-options", role: "listbox", hidden: true });
  const none = el("p", { id: "market-none", class: "market-none muted", role: "status" });
  clear(container).append(input, list, none);

  let found = [];
  let active = -1;

  function open(symbol) {
    location.href = `/trade/${encodeURIComponent(symbol)}`;
  }

  function optionId(symbol) {
    return `market-option-${symbol}`;
  }

  function setActive(index) {
    active = found.length ? (index + found.length) % found.length : -1;
    for (const [i, option] of [...list.children].entries()) option.setAttribute("aria-selected", String(i === active));
    if (active < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    const option = list.children[active];
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function show() {
    found = searchMarkets(markets, input.value);
    clear(list);
    for (const info of found) {
      const option = el(
        "li",
        {
          id: optionId(info.symbol),
          role: "option",
          class: "market-option",
          "aria-selected": "false",
          "aria-current": info.symbol === current ? "page" : undefined,
          dataset: { symbol: info.symbol },
        },
        [
          el("span", { class: "market-option-pair", text: `${info.baseAsset}/${info.quoteAsset}` }),
          el("span", { class: "market-option-name muted", text: assetName(info.baseAsset) }),
        ],
      );
      // Pressing an option must not take the focus from the box first (that would close the
      // list before the click lands).
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => open(info.symbol));
      list.append(option);
    }
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", String(found.length > 0));
    none.textContent = found.length ? "" : t("trade.switch.none", { query: input.value.trim() });
    setActive(0);
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    none.textContent = "";
    active = -1;
  }

  input.addEventListener("focus", show);
  input.addEventListener("input", show);
  input.addEventListener("blur", close);
  input.addEventListener("keydown", (event) => {
    const expanded = !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!expanded) show();
      else setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (expanded && active >= 0) open(found[active].symbol);
    } else if (event.key === "Escape") {
      if (expanded) {
        event.preventDefault();
        close();
      }
    }
  });

  function redrawTexts() {
    input.placeholder = t("trade.switch.placeholder");
    input.setAttribute("aria-label", t("trade.header.switch"));
    input.title = t("trade.header.switch");
    list.setAttribute("aria-label", t("trade.switch.results"));
    if (!list.hidden || none.textContent) show();
  }
  redrawTexts();
  return { redrawTexts };
}
