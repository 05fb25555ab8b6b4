// Price alerts, in the page: "tell me when BTC/KRW reaches 150,000,000". An alert remembers
// on which side of its price the market was when it was set, and fires once, on the first
// trade at its price or beyond it (a jump over the price fires it as well as a touch): a
// notice in the page, and a browser notification when the person allowed them. Alerts are
// kept in localStorage (every tab of the browser sees the same list) until they fire or are
// removed.
//
// A logged-in person whose email address is verified may tick "Also email me": the alert is
// then kept on the server as well (/api/v1/account/price-alerts), which mails them when a
// trade reaches it, whether or not a page is open. Those alerts are listed from the API with
// their state (waiting, or sent and at which trade) and can be removed; they stay listed
// after they fire, until removed. A visitor, or a person whose address is not verified yet,
// sees the box disabled and why.
import { account } from "./api.js";
import { el, clear } from "./dom.js";
import { errorText } from "./errors.js";
import { t } from "./i18n.js";
import { notify } from "./layout.js";
import { cleanInput, cmp, dec, decText, formatPrice, isZero } from "./trade_market.js";

const STORAGE_KEY = "assetport.priceAlerts";

// Every stored alert (of all markets), or null when storage cannot be read.
function readAll() {
  let list;
  try {
    list = JSON.parse(localStorage.getItem(STORAGE_KEY));
  } catch (error) {
    return null;
  }
  const valid = (a) => a && a.symbol && dec(a.price) && (a.direction === "up" || a.direction === "down");
  return Array.isArray(list) ? list.filter(valid) : [];
}

function writeAll(list) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch (error) {
    // private mode: the alerts last for this page only
  }
}

// Whether a trade at `price` reaches the alert: at or above an "up" alert's price, at or
// below a "down" one's. Exact: both are decimals.
export function reaches(alert, price) {
  const order = cmp(dec(price), dec(alert.price));
  return alert.direction === "up" ? order >= 0 : order <= 0;
}

// `market` from lib/trade_market.js describeMarket; `lastPrice()` the market's last trade
// price (text) or null; `session` the page's profile (null for a visitor). `elements`:
// {form, input, list, message, permission, email, emailNote, emailList, emailTitle}.
export function createPriceAlerts(market, { elements, lastPrice, session = null }) {
  let memory = readAll() || []; // the list as last read or written: all there is without storage
  const pair = `${market.base}/${market.quote}`;
  // Email alerts: only for a verified address (the server refuses the others too).
  const emailReady = Boolean(session && session.emailVerified);
  let emailAlerts = []; // this market's, from the API, newest first

  const mine = () => memory.filter((alert) => alert.symbol === market.symbol);

  function save(list) {
    memory = list;
    writeAll(list);
    draw();
  }

  function say(text, kind = "") {
    elements.message.textContent = text;
    elements.message.className = `alert-message ${kind}`;
  }

  function describe(alert) {
    return t(alert.direction === "up" ? "alerts.rises" : "alerts.falls", { price: formatPrice(market, alert.price), asset: market.quote });
  }

  function draw() {
    const list = clear(elements.list);
    const alerts = mine();
    elements.list.dataset.count = String(alerts.length);
    if (!alerts.length) {
      list.append(el("li", { class: "muted alert-none", text: t("alerts.none") }));
    }
    for (const alert of alerts) {
      const text = describe(alert);
      list.append(
        el("li", { class: "price-alert", dataset: { price: alert.price, direction: alert.direction, id: alert.id } }, [
          el("span", { class: `alert-text ${alert.direction}`, text }),
          el("button", {
            type: "button",
            class: "button small remove-alert",
            "aria-label": t("alerts.remove", { alert: text }),
            text: t("alerts.removeShort"),
            onclick: () => save(memory.filter((other) => other.id !== alert.id)),
          }),
        ]),
      );
    }
    drawPermission();
    drawEmail();
  }

  function drawEmail() {
    const box = elements.email;
    box.disabled = !emailReady;
    if (!emailReady) box.checked = false;
    elements.emailNote.textContent = emailReady ? "" : t(session ? "alerts.emailUnverified" : "alerts.emailVisitor");
    elements.emailNote.hidden = emailReady;
    const list = clear(elements.emailList);
    elements.emailList.hidden = !session;
    elements.emailTitle.hidden = !session;
    elements.emailList.dataset.count = String(emailAlerts.length);
    if (!session) return;
    if (!emailAlerts.length) {
      list.append(el("li", { class: "muted alert-none", text: t("alerts.emailNone") }));
    }
    for (const alert of emailAlerts) {
      const text = describe(alert);
      const state = alert.fired
        ? t("alerts.emailSent", { last: formatPrice(market, alert.firedPrice), asset: market.quote })
        : t("alerts.emailWaiting");
      list.append(
        el("li", { class: `price-alert email-alert ${alert.fired ? "fired" : "waiting"}`, dataset: { id: alert.id, direction: alert.direction, fired: alert.fired ? "1" : "0" } }, [
          el("span", { class: `alert-text ${alert.direction}`, text }),
          el("span", { class: "alert-state", text: state }),
          el("button", {
            type: "button",
            class: "button small remove-alert",
            "aria-label": t("alerts.emailRemove", { alert: text }),
            text: t("alerts.removeShort"),
            onclick: () => removeEmailAlert(alert),
          }),
        ]),
      );
    }
  }

  async function loadEmailAlerts() {
    if (!session) return;
    try {
      const answer = await account("GET", "price-alerts");
      emailAlerts = answer.priceAlerts.filter((alert) => alert.symbol === market.symbol);
    } catch (error) {
      say(errorText(error), "error-text");
    }
    drawEmail();
  }

  async function removeEmailAlert(alert) {
    try {
      await account("DELETE", `price-alerts/${alert.id}`);
    } catch (error) {
      say(errorText(error), "error-text"); // gone already (-8045): the list below is fresh
    }
    await loadEmailAlerts();
  }

  // The browser's notifications are asked for only when the person presses the button:
  // a prompt on page load is what browsers (and people) block.
  function drawPermission() {
    const button = elements.permission;
    const supported = typeof Notification !== "undefined";
    button.hidden = !supported || Notification.permission !== "default" || mine().length === 0;
    button.textContent = t("alerts.allowBrowser");
  }

  elements.permission.addEventListener("click", async () => {
    try {
      await Notification.requestPermission();
    } catch (error) {
      // an old browser without the promise form: nothing more to do
    }
    drawPermission();
  });

  elements.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = cleanInput(elements.input.value);
    const price = dec(text);
    if (!price || isZero(price) || text.startsWith("-")) {
      say(t("alerts.badPrice"), "error-text");
      return;
    }
    const last = lastPrice();
    if (!last) {
      say(t("alerts.noLastPrice"), "error-text");
      return;
    }
    const side = cmp(price, dec(last));
    if (side === 0) {
      say(t("alerts.atLastPrice", { price: formatPrice(market, last) }), "error-text");
      return;
    }
    const alert = {
      id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      symbol: market.symbol,
      price: decText(price),
      direction: side > 0 ? "up" : "down",
      created: Date.now(),
    };
    const byEmail = emailReady && elements.email.checked;
    if (byEmail) {
      // The server's alert first: when it is refused, nothing is set and the reason shows.
      try {
        await account("POST", "price-alerts", { symbol: market.symbol, price: alert.price });
      } catch (error) {
        say(errorText(error), "error-text");
        return;
      }
    }
    save([...readAllOrMemory(), alert]);
    elements.input.value = "";
    say(t(byEmail ? "alerts.emailAdded" : "alerts.added", { alert: describe(alert) }), "ok-text");
    if (byEmail) loadEmailAlerts();
  });

  const readAllOrMemory = () => readAll() ?? memory;

  function fire(alert, price) {
    const text = t("alerts.fired", { market: pair, alert: describe(alert), last: formatPrice(market, price), asset: market.quote });
    notify(text, "info");
    say(text, "fired");
    elements.message.dataset.firedId = alert.id;
    if (typeof Notification !== "undefined" && Notification.permission === "granted") {
      try {
        new Notification(`Assetport · ${pair}`, { body: text, tag: `alert-${alert.id}` });
      } catch (error) {
        // some browsers allow notifications only from a service worker: the page notice stays
      }
    }
  }

  // Another tab added, removed or fired an alert.
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) {
      memory = readAllOrMemory();
      draw();
    }
  });

  draw();
  loadEmailAlerts();
  return {
    // Every trade of the market: the alerts it reaches fire, once, and leave the list. An
    // email alert it reaches was marked sent by the server before the trade was published:
    // the list is read again to show it.
    onTrade(price) {
      if (!price || !dec(price)) return;
      if (emailAlerts.some((alert) => !alert.fired && reaches(alert, price))) loadEmailAlerts();
      const list = readAllOrMemory();
      const fired = list.filter((alert) => alert.symbol === market.symbol && reaches(alert, price));
      if (!fired.length) return;
      save(list.filter((alert) => !fired.includes(alert)));
      for (const alert of fired) fire(alert, price);
    },
    redrawTexts: draw,
  };
}
