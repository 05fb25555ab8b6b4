// The trade page's market switcher: a search box that lists the markets a trader's words find
// (lib/market_search.js: "BTC/KRW", a code, an asset's English or Korean name, "ㅂㅌ"), best
// first, and opens the one chosen. It follows ARIA's combobox pattern: the focus stays in the
// box while the arrow keys move through the list (aria-activedescendant), Enter opens the
// market, Escape closes the list.
//
// The markets a person starred (lib/market_favourites.js, the markets page's stars) come
// first, marked with a star, in a "Favourites" group of the list; the others follow in an
// "Other markets" group. With no favourite among the markets found, the list has no groups.
import { clear, el } from "./dom.js";
import { t } from "./i18n.js";
import { isFavourite, onFavouritesChange } from "./market_favourites.js";
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
  let options = []; // the option elements, in the order of `found`
  let active = -1;

  function open(symbol) {
    location.href = `/trade/${encodeURIComponent(symbol)}`;
  }

  function optionId(symbol) {
    return `market-option-${symbol}`;
  }

  function setActive(index) {
    active = found.length ? (index + found.length) % found.length : -1;
    for (const [i, option] of options.entries()) option.setAttribute("aria-selected", String(i === active));
    if (active < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    const option = options[active];
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  // A group of options in the list, named by its visible label.
  function group(name, labelKey, members) {
    const labelId = `market-group-${name}`;
    return el("li", { role: "group", class: "market-group", "aria-labelledby": labelId }, [
      el("div", { id: labelId, class: "market-group-label muted", text: t(labelKey) }),
      el("ul", { role: "none", class: "market-group-options" }, members),
    ]);
  }

  function show() {
    const matches = searchMarkets(markets, input.value);
    const starred = matches.filter((info) => isFavourite(info.symbol));
    const others = matches.filter((info) => !isFavourite(info.symbol));
    found = [...starred, ...others];
    options = found.map(createOption);
    clear(list);
    if (starred.length) {
      list.append(group("favourites", "trade.switch.favourites", options.slice(0, starred.length)));
      if (others.length) list.append(group("others", "trade.switch.others", options.slice(starred.length)));
    } else {
      list.append(...options);
    }
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", String(found.length > 0));
    none.textContent = found.length ? "" : t("trade.switch.none", { query: input.value.trim() });
    setActive(0);
  }

  function createOption(info) {
    // The star is seen; a screen reader hears the name of the option's group instead.
    const star = isFavourite(info.symbol) ? el("span", { class: "market-option-star", "aria-hidden": "true", text: "★" }) : null;
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
        el("span", { class: "market-option-main" }, [
          star,
          el("span", { class: "market-option-pair", text: `${info.baseAsset}/${info.quoteAsset}` }),
        ]),
        el("span", { class: "market-option-name muted", text: assetName(info.baseAsset) }),
      ],
    );
    // Pressing an option must not take the focus from the box first (that would close the
    // list before the click lands).
    option.addEventListener("mousedown", (event) => event.preventDefault());
    option.addEventListener("click", () => open(info.symbol));
    return option;
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
  // A star set or taken away on another tab: an open list follows it.
  onFavouritesChange(() => {
    if (!list.hidden) show();
  });
  return { redrawTexts };
}
