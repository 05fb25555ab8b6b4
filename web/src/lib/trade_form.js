// The order form: buy or sell, LIMIT, MARKET (by quantity, or by total with quoteOrderQty)
// and STOP_LOSS_LIMIT, with percent-of-balance buttons, the estimated total and fee, sent
// with POST /api/v3/order. All arithmetic is exact (BigInt decimals): the percent buttons
// round the quantity down to the market's step size, a picked price is already on a tick.
//
// An order is money a person cannot take back, so the form checks what it can before
// sending: the inputs take only numbers (grouped in thousands as typed), at most the tick's
// and step's decimals; a price off the tick or a quantity off the step is snapped with a note
// saying so; Submit stays disabled, with the reason beside it, while the total is under the
// market's minimum or over the free balance; and a confirmation shows the order's figures
// before it goes (on unless the person turned it off; the choice is kept in localStorage).
import { rest } from "./api.js";
import { grouped, scaleOf, trim } from "./decimal.js";
import { byId, clear, el } from "./dom.js";
import { errorText } from "./errors.js";
import { t, translate } from "./i18n.js";
import { notify } from "./layout.js";
import { askToConfirm } from "./trade_confirm.js";
import {
  add,
  cleanInput,
  cmp,
  dec,
  decText,
  divFloor,
  fixed,
  floorToStep,
  formatAmount,
  formatQty,
  formatRate,
  formatRounded,
  inputText,
  isZero,
  mul,
  ratio,
  rescale,
} from "./trade_market.js";

const TYPES = ["LIMIT", "MARKET", "STOP_LOSS_LIMIT"];
const PERCENTS = [25, 50, 75, 100];
const CONFIRM_KEY = "assetport.confirmOrders";

// Whether orders are confirmed before sending: yes unless the person turned it off.
export function confirmsOrders() {
  try {
    return localStorage.getItem(CONFIRM_KEY) !== "off";
  } catch (error) {
    return true; // no storage: the safe default
  }
}

function setConfirmsOrders(on) {
  try {
    localStorage.setItem(CONFIRM_KEY, on ? "on" : "off");
  } catch (error) {
    // private mode: the choice lasts for this page only
  }
}

// A field: its label, the input with its unit, then a hint (the tick or step) and a note
// (what the form changed, or why it refused a key) under it.
function field(id, labelKey, input, unit, extra = null) {
  return el("div", { class: "field", id: `field-${id}` }, [
    el("label", { for: input.id, dataset: { i18n: labelKey } }),
    el("div", { class: "input-unit" }, [input, el("span", { class: "unit", text: unit }), extra]),
    el("div", { class: "field-hint muted", id: `${id}-hint` }),
    el("div", { class: "field-note", id: `${id}-note`, "aria-live": "polite" }),
  ]);
}

function decimalInput(id) {
  return el("input", {
    id,
    name: id,
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": `${id}-hint ${id}-note`,
  });
}

// "1234567.5" as the input shows it: grouped in thousands, a trailing point kept while the
// person is still typing the fraction ("1,234.").
function groupedInput(clean) {
  if (clean === "") return "";
  const [whole, fraction] = clean.split(".");
  return grouped(whole) + (fraction !== undefined ? "." + fraction : "");
}

// Where the caret goes after regrouping: after as many digits and points as stood before it.
function caretAfter(text, significant) {
  if (significant <= 0) return 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    if (/[\d.]/.test(text[i])) seen += 1;
    if (seen === significant) return i + 1;
  }
  return text.length;
}

// Keeps `input` a number while the person types: anything but digits and one point is
// refused (the last good text comes back, with a note), digits beyond `decimals()` after the
// point are dropped (with a note), and the whole part is grouped in thousands. `onNote`
// shows or clears the field's note: a note stays until the person comes back to the field,
// so the next key does not wipe it before it is read. The sent value is
// `cleanInput(input.value)`.
function guardNumber(input, decimals, onNote) {
  input.dataset.last = input.value;
  input.addEventListener("focus", () => onNote(""));
  input.addEventListener("input", () => {
    const raw = input.value;
    const caret = input.selectionStart ?? raw.length;
    let significant = (raw.slice(0, caret).match(/[\d.]/g) || []).length;
    let clean = raw.replace(/[,\s]/g, "");
    if (!/^\d*\.?\d*$/.test(clean)) {
      const last = input.dataset.last || "";
      const lastCaret = Math.max(0, Math.min(last.length, caret - (raw.length - last.length)));
      input.value = last;
      input.setSelectionRange(lastCaret, lastCaret);
      onNote(t("trade.form.numbersOnly"));
      return;
    }
    // Leading zeros say nothing ("007" is 7); one stays before a point ("0.5").
    const zeros = clean.match(/^0+(?=\d)/);
    if (zeros) {
      clean = clean.slice(zeros[0].length);
      significant = Math.max(0, significant - zeros[0].length);
    }
    const places = decimals();
    const dot = clean.indexOf(".");
    if (dot >= 0 && clean.length - dot - 1 > places) {
      clean = places === 0 ? clean.slice(0, dot) : clean.slice(0, dot + 1 + places);
      significant = Math.min(significant, clean.length);
      onNote(t("trade.form.maxDecimals", { count: places }));
    }
    const shown = groupedInput(clean);
    input.value = shown;
    input.dataset.last = shown;
    const at = caretAfter(shown, significant);
    if (document.activeElement === input) input.setSelectionRange(at, at);
  });
}

export function createLoggedOutForm(container) {
  clear(container).append(
    el("div", { id: "order-form", class: "order-form logged-out" }, [
      el("p", { id: "login-to-trade", class: "login-to-trade" }, [
        el("a", { href: "/login", id: "trade-login", dataset: { i18n: "trade.form.login" } }),
        " / ",
        el("a", { href: "/signup", id: "trade-signup", dataset: { i18n: "trade.form.signup" } }),
        " ",
        el("span", { dataset: { i18n: "trade.form.toTrade" } }),
      ]),
      el("p", { class: "muted small", dataset: { i18n: "trade.form.loggedOutHint" } }),
    ]),
  );
  translate(container);
  return { setBalances() {}, setPrice() {}, setSide() {}, setLastPrice() {}, redrawTexts() {}, refreshEstimate() {} };
}

export function createOrderForm(market, { container, book, onPlaced }) {
  const state = {
    side: "BUY",
    type: "LIMIT",
    marketBy: "qty", // MARKET orders: by base quantity, or by quote total (quoteOrderQty)
    edited: "qty", // which of quantity and total the user typed last (the other follows)
    balances: new Map(),
    rates: null, // {maker, taker} decimal strings
    lastPrice: null,
    busy: false,
  };

  // The side switch is a pair of tabs: the selected one is filled with its colour and
  // marked aria-selected, the other is a plain outline.
  const sideTab = (side) =>
    el("button", {
      id: `side-${side.toLowerCase()}`,
      type: "button",
      role: "tab",
      class: `side-tab ${side.toLowerCase()}`,
      "aria-controls": "order-form",
      dataset: { i18n: `trade.side.${side}` },
    });
  const sideBuy = sideTab("BUY");
  const sideSell = sideTab("SELL");
  const typeSelect = el(
    "select",
    { id: "order-type", name: "type" },
    TYPES.filter((type) => !market.orderTypes.length || market.orderTypes.includes(type)).map((type) =>
      el("option", { value: type, dataset: { i18n: `trade.type.${type}` } }),
    ),
  );
  const marketBy = el("select", { id: "market-by", name: "marketBy" }, [
    el("option", { value: "qty", dataset: { i18n: "trade.form.byQuantity" } }),
    el("option", { value: "total", dataset: { i18n: "trade.form.byTotal" } }),
  ]);
  const stopPrice = decimalInput("stop-price");
  const price = decimalInput("price");
  const quantity = decimalInput("quantity");
  const total = decimalInput("total");
  const available = el("span", { id: "available", class: "num" });
  const estimateTotal = el("dd", { id: "estimate-total", class: "num" });
  const estimateFee = el("dd", { id: "estimate-fee", class: "num" });
  const feeRates = el("dd", { id: "fee-rates", class: "num" });
  const minimum = el("dd", { id: "min-order", class: "num" });
  const message = el("div", { id: "order-message", class: "form-message", role: "alert" });
  const blocked = el("div", { id: "order-blocked", class: "form-blocked", "aria-live": "polite" });
  const submit = el("button", { id: "submit-order", type: "submit", class: "submit-order buy", "aria-describedby": "order-blocked" });
  const confirmSwitch = el("input", { id: "confirm-orders", type: "checkbox", checked: confirmsOrders() });
  const tickButton = (sign) =>
    el("button", {
      type: "button",
      class: "tick-button",
      dataset: { sign: String(sign) },
      text: sign > 0 ? "+" : "−",
      onclick: () => stepPrice(sign),
    });

  const percentButtons = PERCENTS.map((percent) =>
    el("button", {
      type: "button",
      class: "percent-button",
      dataset: { percent: String(percent) },
      text: `${percent}%`,
      onclick: () => applyPercent(percent),
    }),
  );

  const form = el("form", { id: "order-form", class: "order-form", novalidate: true, dataset: { side: "BUY", type: "LIMIT" } }, [
    el("div", { class: "side-tabs", role: "tablist", id: "side-tabs" }, [sideBuy, sideSell]),
    el("div", { class: "field-row" }, [
      el("label", { for: "order-type", dataset: { i18n: "trade.form.type" } }),
      typeSelect,
    ]),
    el("div", { class: "available-row" }, [el("span", { class: "muted", dataset: { i18n: "trade.form.available" } }), available]),
    field("stop-price", "trade.form.stopPrice", stopPrice, market.quote),
    field("price", "trade.form.price", price, market.quote, el("span", { class: "tick-buttons" }, [tickButton(-1), tickButton(1)])),
    el("div", { class: "field", id: "field-market-price" }, [
      el("label", { dataset: { i18n: "trade.form.price" } }),
      el("div", { class: "market-price muted", dataset: { i18n: "trade.form.marketPrice" } }),
    ]),
    el("div", { class: "field", id: "field-market-by" }, [
      el("label", { for: "market-by", dataset: { i18n: "trade.form.marketBy" } }),
      marketBy,
    ]),
    field("quantity", "trade.form.quantity", quantity, market.base),
    el("div", { class: "percent-buttons" }, percentButtons),
    field("total", "trade.form.total", total, market.quote),
    el("dl", { class: "order-summary" }, [
      el("dt", { id: "estimate-total-label", dataset: { i18n: "trade.form.estimateTotal" } }),
      estimateTotal,
      el("dt", { dataset: { i18n: "trade.form.estimateFee" } }),
      estimateFee,
      el("dt", { dataset: { i18n: "trade.form.feeRates" } }),
      feeRates,
      el("dt", { dataset: { i18n: "trade.form.minimum" } }),
      minimum,
    ]),
    message,
    blocked,
    submit,
    el("div", { class: "order-settings" }, [
      confirmSwitch,
      el("label", { for: "confirm-orders", dataset: { i18n: "trade.form.confirmOrders" } }),
    ]),
  ]);
  clear(container).append(form);
  translate(container);

  const notes = {
    "stop-price": byId("stop-price-note"),
    price: byId("price-note"),
    quantity: byId("quantity-note"),
    total: byId("total-note"),
  };
  function setNote(id, text) {
    notes[id].textContent = text;
  }

  // --- state changes ---

  function setSide(side) {
    state.side = side;
    form.dataset.side = side;
    sideBuy.classList.toggle("active", side === "BUY");
    sideSell.classList.toggle("active", side === "SELL");
    sideBuy.setAttribute("aria-selected", String(side === "BUY"));
    sideSell.setAttribute("aria-selected", String(side === "SELL"));
    submit.className = `submit-order ${side === "BUY" ? "buy" : "sell"}`;
    setMessage("");
    // A price is snapped towards the person's side of the tick: the direction changed.
    for (const id of Object.keys(notes)) setNote(id, "");
    update();
  }

  function setType(type) {
    state.type = type;
    typeSelect.value = type;
    form.dataset.type = type;
    const isMarket = type === "MARKET";
    byId("field-stop-price").hidden = type !== "STOP_LOSS_LIMIT";
    byId("field-price").hidden = isMarket;
    byId("field-market-price").hidden = !isMarket;
    byId("field-market-by").hidden = !isMarket || !market.quoteOrderQtyMarketAllowed;
    const byTotal = isMarket && state.marketBy === "total";
    byId("field-quantity").hidden = byTotal;
    byId("field-total").hidden = isMarket && !byTotal;
    if (!isMarket && !cleanInput(price.value) && state.lastPrice) show(price, fixed(state.lastPrice, market.priceDecimals));
    setMessage("");
    update();
  }

  function setMessage(text, kind = "") {
    message.textContent = text;
    message.className = `form-message ${kind}`;
  }

  // --- exact figures ---

  function value(input) {
    const parsed = dec(cleanInput(input.value));
    return parsed && parsed.units > 0n ? parsed : null;
  }

  function free(asset) {
    const row = state.balances.get(asset);
    return row ? dec(row.free) : null;
  }

  // The price an order would trade at: the limit price, or for a market order the best
  // opposite level (an estimate).
  function tradePrice() {
    if (state.type !== "MARKET") return value(price);
    const level = state.side === "BUY" ? book.bestAsk() : book.bestBid();
    if (level) return dec(level.price);
    return state.lastPrice ? dec(state.lastPrice) : null;
  }

  function step() {
    return state.type === "MARKET" ? market.marketStep : market.step;
  }

  function quantityFromTotal(amount, at) {
    return floorToStep(divFloor(amount, at, Math.max(market.baseDecimals, market.qtyDecimals)), step());
  }

  // Puts a figure the form worked out into an input, grouped as typed figures are.
  function show(input, text) {
    input.value = groupedInput(cleanInput(text));
    input.dataset.last = input.value;
  }

  function setQuantity(amount) {
    show(quantity, inputText(amount, market.qtyDecimals));
  }

  function setTotal(amount) {
    show(total, trim(inputText(amount, market.quoteDecimals)));
  }

  // A price on the market's tick. Off the tick, it moves to the tick on the person's side:
  // down for a buy, up for a sell, so the order never trades at a worse price than typed.
  function snapToTick(at) {
    const tick = market.tick;
    if (!tick || isZero(tick)) return at;
    const down = floorToStep(at, tick);
    if (cmp(down, at) === 0 || state.side === "BUY") return down;
    return add(down, rescale(tick, down.scale));
  }

  // Snaps the price, stop price and quantity to the tick and step, each change said in the
  // field's note. True when something moved (the person should see it before it is sent).
  function snapAll() {
    let moved = false;
    for (const input of [stopPrice, price]) {
      const at = value(input);
      if (!at || input.closest(".field").hidden) continue;
      const snapped = snapToTick(at);
      if (cmp(snapped, at) !== 0) {
        show(input, inputText(snapped, market.priceDecimals));
        setNote(input.id, t("trade.form.snappedPrice", { tick: formatAmount(decText(market.tick)), quote: market.quote, value: input.value }));
        moved = true;
      }
    }
    const qty = value(quantity);
    const qtyStep = step();
    if (qty && !quantity.closest(".field").hidden && qtyStep && !isZero(qtyStep)) {
      const snapped = floorToStep(qty, qtyStep);
      if (cmp(snapped, qty) !== 0) {
        setQuantity(snapped);
        setNote("quantity", t("trade.form.snappedQty", { step: formatAmount(decText(qtyStep)), base: market.base, value: quantity.value }));
        state.edited = "qty";
        moved = true;
      }
    }
    if (moved) {
      follow();
      update();
    }
    return moved;
  }

  // Keeps quantity and total consistent for LIMIT and STOP_LOSS_LIMIT orders.
  function follow() {
    if (state.type === "MARKET") return;
    const at = value(price);
    if (!at) return;
    if (state.edited === "qty") {
      const qty = value(quantity);
      show(total, qty ? decText(mul(at, qty)) : "");
    } else {
      const amount = value(total);
      show(quantity, amount ? inputText(quantityFromTotal(amount, at), market.qtyDecimals) : "");
    }
  }

  function applyPercent(percent) {
    setMessage("");
    if (state.side === "SELL") {
      const have = free(market.base);
      if (!have) return;
      const qty = floorToStep(ratio(have, percent, 100, have.scale), step());
      if (state.type === "MARKET" && state.marketBy === "total") {
        const at = tradePrice();
        if (at) setTotal(rescale(mul(qty, at), market.quoteDecimals));
      } else {
        setQuantity(qty);
        state.edited = "qty";
      }
    } else {
      const have = free(market.quote);
      if (!have) return;
      const share = ratio(have, percent, 100, market.quoteDecimals);
      const budget = market.feeInQuote ? spendableWithFee(share) : share;
      if (state.type === "MARKET" && state.marketBy === "total") {
        setTotal(budget);
      } else {
        if (state.type !== "MARKET" && !value(price) && state.lastPrice) show(price, fixed(state.lastPrice, market.priceDecimals));
        const at = tradePrice();
        if (!at) {
          setMessage(t("trade.form.needPrice"), "error-text");
          return;
        }
        setQuantity(quantityFromTotal(budget, at));
        state.edited = "qty";
      }
    }
    follow();
    update();
  }

  function stepPrice(sign) {
    const tick = market.tick;
    if (!tick || isZero(tick)) return;
    const current = value(price) || (state.lastPrice ? dec(state.lastPrice) : null);
    if (!current) return;
    const onTick = floorToStep(current, tick);
    const tickUnits = rescale(tick, onTick.scale).units;
    let moved;
    if (sign > 0) moved = { units: onTick.units + tickUnits, scale: onTick.scale };
    else if (cmp(onTick, current) < 0) moved = onTick; // an off-tick price goes down to the tick
    else moved = { units: onTick.units - tickUnits, scale: onTick.scale };
    if (moved.units <= 0n) return;
    show(price, inputText(moved, market.priceDecimals));
    setNote("price", "");
    follow();
    update();
  }

  // The account's {maker, taker} rates in this market, exact, or null before they load.
  function rates() {
    if (!state.rates) return null;
    const maker = dec(state.rates.maker);
    const taker = dec(state.rates.taker);
    return maker && taker ? { maker, taker } : null;
  }

  function effectiveRate() {
    const known = rates();
    if (!known) return null;
    return state.type === "MARKET" ? known.taker : higherRate();
  }

  function higherRate() {
    const known = rates();
    if (!known) return null;
    return cmp(known.maker, known.taker) > 0 ? known.maker : known.taker;
  }

  // The fee a buy on a fee-in-quote market holds with it: its total at the higher of the
  // two rates, rounded up to a whole quote unit, as the exchange holds it.
  function quoteFeeHold(amount) {
    const rate = higherRate();
    if (!rate || !amount) return { units: 0n, scale: market.quoteDecimals };
    return rescale(mul(amount, rate), market.quoteDecimals, true);
  }

  // The most a buy on a fee-in-quote market can spend on the price out of `have`, leaving
  // room for its fee: have / (1 + rate) rounded down, then a unit less while the fee does
  // not fit (rounding the fee up can take one unit more).
  function spendableWithFee(have) {
    const rate = higherRate();
    let budget = rescale(have, market.quoteDecimals);
    if (!rate) return budget;
    const one = { units: 10n ** BigInt(rate.scale), scale: rate.scale };
    budget = divFloor(have, add(one, rate), market.quoteDecimals);
    while (budget.units > 0n && cmp(add(budget, quoteFeeHold(budget)), have) > 0) {
      budget = { units: budget.units - 1n, scale: budget.scale };
    }
    return budget;
  }

  // The order's figures as far as the form knows them: the quantity and total (one typed,
  // the other worked out; estimates for a market order) and the fee's upper bound.
  function estimate() {
    const buying = state.side === "BUY";
    const isMarket = state.type === "MARKET";
    const byTotal = isMarket && state.marketBy === "total";
    const at = tradePrice();
    let qty = byTotal ? null : value(quantity);
    let amount = null;
    if (byTotal) {
      amount = value(total);
      if (amount && at) qty = divFloor(amount, at, market.baseDecimals);
    } else if (qty && at) {
      amount = mul(qty, at);
    }
    // The fee is taken from what the order receives: the base asset when buying, the quote
    // asset when selling; on a fee-in-quote market a buy pays it in quote on top of its
    // total, holding it at the higher rate. A limit order may make or take: the higher rate
    // is shown.
    const rate = effectiveRate();
    const bound = isMarket ? "≈" : "≤";
    let fee = "–";
    let feeHeld = null;
    if (buying && market.feeInQuote && amount) {
      feeHeld = quoteFeeHold(amount);
      if (rate) fee = `${bound} ${formatRounded(mul(amount, rate), market.quoteDecimals, true)} ${market.quote}`;
    } else if (rate && buying && qty) fee = `${bound} ${formatRounded(mul(qty, rate), market.baseFeeDecimals, true)} ${market.base}`;
    else if (rate && !buying && amount) fee = `${bound} ${formatRounded(mul(amount, rate), market.quoteFeeDecimals, true)} ${market.quote}`;
    return { buying, isMarket, byTotal, at, qty, amount, fee, feeHeld };
  }

  // Why the server would refuse this order, said before it is sent: a total under the
  // market's minimum (NOTIONAL), a quantity under LOT_SIZE's minimum, or more than the free
  // balance (a buy holds its total in the quote asset, a sell its quantity in the base).
  // Null when nothing is wrong or the form is still too empty to tell. The texts are the
  // shared error catalogue's (messages/errors.js): the words the server's refusal would get.
  function refusal({ buying, isMarket, qty, amount, feeHeld }) {
    if (amount && !isZero(market.minNotional) && cmp(amount, market.minNotional) < 0) {
      return t("apiError.-1013.notional.detail", { minimum: formatAmount(decText(market.minNotional)), quote: market.quote });
    }
    if (qty && !isMarket && !isZero(market.minQty) && cmp(qty, market.minQty) < 0) {
      return t("trade.form.belowMinQty", { minimum: `${formatAmount(decText(market.minQty))} ${market.base}` });
    }
    const asset = buying ? market.quote : market.base;
    const need = buying ? (amount && feeHeld ? add(amount, feeHeld) : amount) : qty;
    const have = free(asset);
    if (need && have && cmp(need, have) > 0) {
      const figures = { asset, needed: formatAmount(decText(need)), available: formatAmount(decText(have)) };
      // A market order's total is an estimate from the book: said as one.
      return t(isMarket ? "trade.form.notEnoughAbout" : "apiError.-2010.balance.detail", figures);
    }
    return null;
  }

  // The tick and step under the fields, in the current language.
  function drawHints() {
    byId("side-tabs").setAttribute("aria-label", t("trade.side.switch"));
    const tick = market.tick && !isZero(market.tick) ? `${formatAmount(decText(market.tick))} ${market.quote}` : "–";
    byId("price-hint").textContent = t("trade.form.tickHint", { tick });
    byId("stop-price-hint").textContent = t("trade.form.tickHint", { tick });
    const qtyStep = step();
    byId("quantity-hint").textContent = t("trade.form.stepHint", {
      step: qtyStep && !isZero(qtyStep) ? `${formatAmount(decText(qtyStep))} ${market.base}` : "–",
      minimum: `${formatAmount(decText(market.minQty || dec("0")))} ${market.base}`,
    });
    byId("total-hint").textContent = isZero(market.minNotional)
      ? ""
      : t("trade.form.minimumHint", { minimum: `${formatAmount(decText(market.minNotional))} ${market.quote}` });
    for (const button of form.querySelectorAll(".tick-button")) {
      button.setAttribute("aria-label", t(button.dataset.sign === "1" ? "trade.form.tickUp" : "trade.form.tickDown", { tick }));
    }
  }

  // Redraws everything that depends on the inputs, the balances or the language.
  function update() {
    const figures = estimate();
    const { buying, isMarket, byTotal, qty, amount } = figures;
    const asset = buying ? market.quote : market.base;
    const have = state.balances.get(asset);
    available.textContent = have ? `${formatAmount(have.free)} ${asset}` : `– ${asset}`;
    submit.textContent = t(buying ? "trade.form.buy" : "trade.form.sell", { asset: market.base });
    const reason = refusal(figures);
    blocked.textContent = reason || "";
    submit.disabled = state.busy || Boolean(reason);
    form.dataset.blocked = reason ? "1" : "";

    const approx = isMarket ? "≈ " : "";
    estimateTotal.textContent = amount ? `${approx}${formatAmount(decText(amount))} ${market.quote}` : "–";
    const tooSmall = amount && !isZero(market.minNotional) && cmp(amount, market.minNotional) < 0;
    estimateTotal.classList.toggle("error-text", Boolean(tooSmall));
    minimum.classList.toggle("error-text", Boolean(tooSmall));
    byId("estimate-total-label").textContent = t(byTotal ? "trade.form.estimateQty" : "trade.form.estimateTotal");
    if (byTotal) estimateTotal.textContent = qty ? `≈ ${formatQty(market, decText(qty))} ${market.base}` : "–";
    estimateFee.textContent = figures.fee;
    feeRates.textContent = state.rates
      ? t("trade.form.rates", { maker: formatRate(state.rates.maker), taker: formatRate(state.rates.taker) })
      : "–";
    minimum.textContent = isZero(market.minNotional)
      ? "–"
      : `${formatAmount(decText(market.minNotional))} ${market.quote}`;
    drawHints();
  }

  // --- submitting ---

  function orderParams() {
    const params = { symbol: market.symbol, side: state.side, type: state.type, newOrderRespType: "FULL" };
    const need = (input, key) => {
      const parsed = value(input);
      if (!parsed) throw new Error(t(key));
      return cleanInput(input.value);
    };
    if (state.type === "MARKET") {
      if (state.marketBy === "total") params.quoteOrderQty = need(total, "trade.form.needTotal");
      else params.quantity = need(quantity, "trade.form.needQuantity");
    } else {
      if (state.type === "STOP_LOSS_LIMIT") params.stopPrice = need(stopPrice, "trade.form.needStopPrice");
      params.price = need(price, "trade.form.needPrice");
      params.quantity = need(quantity, "trade.form.needQuantity");
      params.timeInForce = "GTC";
    }
    return params;
  }

  function describeResult(order) {
    const side = t(`trade.side.${order.side}`);
    const executed = dec(order.executedQty);
    if (order.status === "FILLED" || order.status === "PARTIALLY_FILLED") {
      const quote = dec(order.cummulativeQuoteQty);
      const average = executed && quote && executed.units > 0n ? divFloor(quote, executed, market.priceDecimals + 2) : null;
      return t(order.status === "FILLED" ? "trade.result.filled" : "trade.result.partial", {
        side,
        qty: formatQty(market, order.executedQty),
        asset: market.base,
        price: average ? formatAmount(decText(average)) : "–",
      });
    }
    if (order.status === "NEW") return t("trade.result.placed", { side, type: t(`trade.type.${order.type}`) });
    return t("trade.result.status", { status: t(`trade.status.${order.status}`) });
  }

  // What the confirmation shows: the order exactly as it will be sent, with the form's
  // estimates of the total and fee.
  function confirmationRows(params) {
    const figures = estimate();
    const rows = [
      [t("trade.col.side"), t(`trade.side.${params.side}`), "side"],
      [t("trade.form.type"), t(`trade.type.${params.type}`), "type"],
    ];
    if (params.stopPrice) rows.push([t("trade.form.stopPrice"), `${formatAmount(params.stopPrice)} ${market.quote}`, "stop-price"]);
    rows.push([
      t("trade.form.price"),
      params.price ? `${formatAmount(params.price)} ${market.quote}` : t("trade.form.marketPrice"),
      "price",
    ]);
    const approx = figures.isMarket ? "≈ " : "";
    if (params.quantity) rows.push([t("trade.form.quantity"), `${formatAmount(params.quantity)} ${market.base}`, "quantity"]);
    else if (figures.qty) rows.push([t("trade.form.quantity"), `≈ ${formatQty(market, decText(figures.qty))} ${market.base}`, "quantity"]);
    const amount = params.quoteOrderQty ? dec(params.quoteOrderQty) : figures.amount;
    const totalApprox = params.quoteOrderQty ? "" : approx;
    rows.push([t("trade.form.total"), amount ? `${totalApprox}${formatAmount(decText(amount))} ${market.quote}` : "–", "total"]);
    rows.push([t("trade.form.estimateFee"), figures.fee, "fee"]);
    return rows;
  }

  async function send(event) {
    event.preventDefault();
    if (state.busy || submit.disabled) return;
    // A figure the form moved onto the tick or step is shown before anything is sent.
    if (snapAll()) return;
    let params;
    try {
      params = orderParams();
    } catch (error) {
      setMessage(error.message, "error-text");
      return;
    }
    if (confirmsOrders()) {
      const side = t(`trade.side.${params.side}`);
      state.busy = true;
      update();
      const confirmed = await askToConfirm({
        id: "order",
        title: t("trade.confirm.orderTitle", { side, market: `${market.base}/${market.quote}` }),
        rows: confirmationRows(params),
        confirm: t(params.side === "BUY" ? "trade.form.buy" : "trade.form.sell", { asset: market.base }),
        kind: params.side === "BUY" ? "buy" : "sell",
      });
      state.busy = false;
      update();
      if (!confirmed) {
        setMessage(t("trade.confirm.notSent"));
        return;
      }
    }
    state.busy = true;
    update();
    setMessage(t("trade.form.sending"));
    try {
      const order = await rest("POST", "/api/v3/order", params);
      const text = describeResult(order);
      setMessage(text, order.status === "EXPIRED" ? "error-text" : "ok-text");
      notify(text, order.status === "EXPIRED" ? "error" : "success");
      show(quantity, "");
      show(total, "");
      onPlaced(order);
    } catch (error) {
      const text = errorText(error, refusalDetails(params));
      setMessage(text, "error-text");
      notify(text, "error");
    } finally {
      state.busy = false;
      update();
    }
  }

  // The figures a refusal message may name ("this order needs 130,000,000 KRW, you have
  // 9,896,002 KRW"), for the shared error catalogue.
  function refusalDetails(params) {
    const { buying, qty, amount } = estimate();
    const asset = buying ? market.quote : market.base;
    const need = buying ? amount : qty;
    const have = free(asset);
    return {
      asset,
      needed: need ? formatAmount(decText(need)) : "",
      available: have ? formatAmount(decText(have)) : "",
      symbol: market.symbol,
      minimum: isZero(market.minNotional) ? "" : formatAmount(decText(market.minNotional)),
      tick: market.tick && !isZero(market.tick) ? formatAmount(decText(market.tick)) : "",
      step: step() && !isZero(step()) ? formatAmount(decText(step())) : "",
      quote: market.quote,
      base: market.base,
      side: params.side,
    };
  }

  // --- wiring ---

  sideBuy.addEventListener("click", () => setSide("BUY"));
  sideSell.addEventListener("click", () => setSide("SELL"));
  typeSelect.addEventListener("change", () => setType(typeSelect.value));
  marketBy.addEventListener("change", () => {
    state.marketBy = marketBy.value;
    setType(state.type);
  });
  guardNumber(stopPrice, () => market.priceDecimals, (note) => setNote("stop-price", note));
  guardNumber(price, () => market.priceDecimals, (note) => setNote("price", note));
  guardNumber(quantity, () => scaleOf(decText(step())), (note) => setNote("quantity", note));
  guardNumber(total, () => market.quoteDecimals, (note) => setNote("total", note));
  // Typing stays free; leaving a field puts its figure on the tick or step.
  for (const input of [stopPrice, price, quantity]) input.addEventListener("change", snapAll);
  confirmSwitch.addEventListener("change", () => setConfirmsOrders(confirmSwitch.checked));
  price.addEventListener("input", () => {
    follow();
    update();
  });
  stopPrice.addEventListener("input", update);
  quantity.addEventListener("input", () => {
    state.edited = "qty";
    follow();
    update();
  });
  total.addEventListener("input", () => {
    state.edited = "total";
    follow();
    update();
  });
  form.addEventListener("submit", send);

  setType("LIMIT");
  setSide("BUY");

  rest("GET", "/api/v3/account/commission", { symbol: market.symbol })
    .then((answer) => {
      // Binance's effective rate: the standard, special and tax parts added.
      const parts = [answer.standardCommission, answer.specialCommission, answer.taxCommission].filter(Boolean);
      const sum = (key) => decText(parts.map((part) => dec(part[key]) || dec("0")).reduce(add, dec("0")));
      state.rates = { maker: sum("maker"), taker: sum("taker") };
      update();
    })
    .catch(() => {});

  return {
    setBalances(balances) {
      state.balances = balances;
      update();
    },
    setPrice(text) {
      if (state.type === "MARKET") setType("LIMIT");
      show(price, fixed(text, market.priceDecimals));
      setNote("price", "");
      follow();
      update();
      price.focus({ preventScroll: true });
    },
    setSide,
    setLastPrice(text) {
      const first = state.lastPrice === null;
      state.lastPrice = text;
      if (first && state.type !== "MARKET" && !cleanInput(price.value)) show(price, fixed(text, market.priceDecimals));
      if (state.type === "MARKET") update();
    },
    redrawTexts: update,
    refreshEstimate() {
      if (state.type === "MARKET") update();
    },
  };
}
