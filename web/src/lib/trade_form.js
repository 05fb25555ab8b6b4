// The order form: buy or sell, LIMIT, MARKET (by quantity, or by total with quoteOrderQty)
// and STOP_LOSS_LIMIT, with percent-of-balance buttons, the estimated total and fee, sent
// with POST /api/v3/order. All arithmetic is exact (BigInt decimals): the percent buttons
// round the quantity down to the market's step size, a picked price is already on a tick.
import { ApiError, rest } from "./api.js";
import { trim } from "./decimal.js";
import { byId, clear, el } from "./dom.js";
import { t, translate } from "./i18n.js";
import { notify } from "./layout.js";
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

function field(id, labelKey, input, unit, extra = null) {
  return el("div", { class: "field", id: `field-${id}` }, [
    el("label", { for: input.id, dataset: { i18n: labelKey } }),
    el("div", { class: "input-unit" }, [input, el("span", { class: "unit", text: unit }), extra]),
  ]);
}

function decimalInput(id) {
  return el("input", { id, name: id, type: "text", inputmode: "decimal", autocomplete: "off", spellcheck: "false" });
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

  const sideBuy = el("button", { id: "side-buy", type: "button", class: "side-tab buy active", dataset: { i18n: "trade.side.BUY" } });
  const sideSell = el("button", { id: "side-sell", type: "button", class: "side-tab sell", dataset: { i18n: "trade.side.SELL" } });
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
  const submit = el("button", { id: "submit-order", type: "submit", class: "submit-order buy" });
  const tickButton = (sign) =>
    el("button", {
      type: "button",
      class: "tick-button",
      "aria-label": sign > 0 ? "+" : "-",
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
    el("div", { class: "side-tabs", role: "tablist" }, [sideBuy, sideSell]),
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
    submit,
  ]);
  clear(container).append(form);
  translate(container);

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
    if (!isMarket && !cleanInput(price.value) && state.lastPrice) price.value = fixed(state.lastPrice, market.priceDecimals);
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

  function setQuantity(amount) {
    quantity.value = inputText(amount, market.qtyDecimals);
  }

  function setTotal(amount) {
    total.value = trim(inputText(amount, market.quoteDecimals));
  }

  // Keeps quantity and total consistent for LIMIT and STOP_LOSS_LIMIT orders.
  function follow() {
    if (state.type === "MARKET") return;
    const at = value(price);
    if (!at) return;
    if (state.edited === "qty") {
      const qty = value(quantity);
      total.value = qty ? decText(mul(at, qty)) : "";
    } else {
      const amount = value(total);
      quantity.value = amount ? inputText(quantityFromTotal(amount, at), market.qtyDecimals) : "";
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
      const budget = ratio(have, percent, 100, market.quoteDecimals);
      if (state.type === "MARKET" && state.marketBy === "total") {
        setTotal(budget);
      } else {
        if (state.type !== "MARKET" && !value(price) && state.lastPrice) price.value = fixed(state.lastPrice, market.priceDecimals);
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
    price.value = inputText(moved, market.priceDecimals);
    follow();
    update();
  }

  function effectiveRate() {
    if (!state.rates) return null;
    const maker = dec(state.rates.maker);
    const taker = dec(state.rates.taker);
    if (!maker || !taker) return null;
    if (state.type === "MARKET") return taker;
    return cmp(maker, taker) > 0 ? maker : taker;
  }

  // Redraws everything that depends on the inputs, the balances or the language.
  function update() {
    const buying = state.side === "BUY";
    const asset = buying ? market.quote : market.base;
    const have = state.balances.get(asset);
    available.textContent = have ? `${formatAmount(have.free)} ${asset}` : `– ${asset}`;
    submit.textContent = t(buying ? "trade.form.buy" : "trade.form.sell", { asset: market.base });
    submit.disabled = state.busy;

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
    const approx = isMarket ? "≈ " : "";
    estimateTotal.textContent = amount ? `${approx}${formatAmount(decText(amount))} ${market.quote}` : "–";
    // Below the market's minimum the server refuses the order (NOTIONAL): said before sending.
    const tooSmall = amount && market.minNotional && cmp(amount, market.minNotional) < 0;
    estimateTotal.classList.toggle("error-text", Boolean(tooSmall));
    minimum.classList.toggle("error-text", Boolean(tooSmall));
    byId("estimate-total-label").textContent = t(byTotal ? "trade.form.estimateQty" : "trade.form.estimateTotal");
    if (byTotal) estimateTotal.textContent = qty ? `≈ ${formatQty(market, decText(qty))} ${market.base}` : "–";

    // The fee is taken from what the order receives: the base asset when buying, the quote
    // asset when selling. A limit order may make or take: the higher rate is shown.
    const rate = effectiveRate();
    const bound = isMarket ? "≈" : "≤";
    if (rate && buying && qty) {
      const fee = formatRounded(mul(qty, rate), market.baseFeeDecimals, true);
      estimateFee.textContent = `${bound} ${fee} ${market.base}`;
    } else if (rate && !buying && amount) {
      const fee = formatRounded(mul(amount, rate), market.quoteFeeDecimals, true);
      estimateFee.textContent = `${bound} ${fee} ${market.quote}`;
    } else estimateFee.textContent = "–";
    feeRates.textContent = state.rates
      ? t("trade.form.rates", { maker: formatRate(state.rates.maker), taker: formatRate(state.rates.taker) })
      : "–";
    minimum.textContent = isZero(market.minNotional)
      ? "–"
      : `${formatAmount(decText(market.minNotional))} ${market.quote}`;
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

  async function send(event) {
    event.preventDefault();
    if (state.busy) return;
    let params;
    try {
      params = orderParams();
    } catch (error) {
      setMessage(error.message, "error-text");
      return;
    }
    state.busy = true;
    update();
    setMessage(t("trade.form.sending"));
    try {
      const order = await rest("POST", "/api/v3/order", params);
      const text = describeResult(order);
      setMessage(text, order.status === "EXPIRED" ? "error-text" : "ok-text");
      notify(text, order.status === "EXPIRED" ? "error" : "success");
      quantity.value = "";
      total.value = "";
      onPlaced(order);
    } catch (error) {
      const text = error instanceof ApiError ? error.message : String(error.message || error);
      setMessage(text, "error-text");
      notify(text, "error");
    } finally {
      state.busy = false;
      update();
    }
  }

  // --- wiring ---

  sideBuy.addEventListener("click", () => setSide("BUY"));
  sideSell.addEventListener("click", () => setSide("SELL"));
  typeSelect.addEventListener("change", () => setType(typeSelect.value));
  marketBy.addEventListener("change", () => {
    state.marketBy = marketBy.value;
    setType(state.type);
  });
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
      price.value = fixed(text, market.priceDecimals);
      follow();
      update();
      price.focus({ preventScroll: true });
    },
    setSide,
    setLastPrice(text) {
      const first = state.lastPrice === null;
      state.lastPrice = text;
      if (first && state.type !== "MARKET" && !cleanInput(price.value)) price.value = fixed(text, market.priceDecimals);
      if (state.type === "MARKET") update();
    },
    redrawTexts: update,
    refreshEstimate() {
      if (state.type === "MARKET") update();
    },
  };
}
