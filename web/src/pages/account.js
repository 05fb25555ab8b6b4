// The account page: profile (with the email's verification), test funds (sandbox), the
// password, two-factor login and its recovery codes, the anti-phishing code, log out
// everywhere and API keys. A logged-out visitor is sent to /login.
//
// Changes that would let whoever holds this session keep the account (turning two-factor
// login off, new recovery codes, a key that may trade or withdraw, the anti-phishing code,
// the password) ask for the password again, and with two-factor login on a code from the
// app or a recovery code: the server refuses them otherwise (-8024..-8026). A key that may
// withdraw is refused outright while two-factor login is off (-8028).
//
// Secrets pass through this page without being kept: the TOTP secret lives only while the
// set-up is open, recovery codes and an HMAC API secret only in the box that shows them
// once, and none is ever written to storage. Every text from the server goes in as text,
// never as HTML.
import QRCode from "qrcode";
import { account, rest } from "../lib/api.js";
import { MIN_PASSWORD, busy, clearMessage, mailboxLink, messageBox, passwordLength, showMessage } from "../lib/account_common.js";
import { errorText } from "../lib/errors.js";
import { grouped, trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, formatDateTime, onLanguageChange, t, translate } from "../lib/i18n.js";
import { isSandbox, notify, startPage } from "../lib/layout.js";
import messages from "../messages/account.js";

addMessages(messages);

const ANTI_PHISHING = /^[A-Za-z0-9]{4,20}$/;
// Recovery codes left at which the page suggests making new ones.
const FEW_CODES_LEFT = 3;

let session = null;
let enrolment = null; // {secret, otpauthUri} while the two-factor set-up is open
let shownCodes = null; // recovery codes just made, until the person says they saved them
let keys = [];

function goToLogin() {
  location.replace("/login?" + new URLSearchParams({ next: "/account" }).toString());
}

// Shows an error of an account call in `box`. An ended session is said there too, and the
// shared header offers the way back to log in (lib/layout.js): the page stays as it is, with
// what was typed.
function failed(box, error) {
  showMessage(box, errorText(error));
}

// ---- re-authentication ------------------------------------------------------------------

// A field for a second factor: a 6-digit code from the app or a recovery code
// (xxxx-xxxx-xxxx), so letters are allowed and the keyboard is the full one.
function secondFactorInput(id) {
  return el("input", {
    id,
    type: "text",
    autocomplete: "one-time-code",
    autocapitalize: "off",
    spellcheck: "false",
    maxlength: "20",
    class: "code-input",
  });
}

// What the server reads of a typed second factor: a TOTP code without the spaces people
// type in the middle; a recovery code as typed (the server ignores case, spaces, hyphens).
function secondFactorValue(input) {
  const typed = input.value.trim();
  return /^[\d\s]+$/.test(typed) ? typed.replace(/\s/g, "") : typed;
}

// The password, and a second factor while two-factor login is on: the fields a sensitive
// change asks for. `withPassword` false for the password form, which has its own.
// `.body(message)` is the fields to send, or null after saying in `message` what is missing.
function reauthFields(prefix, { withPassword = true } = {}) {
  const password = el("input", { id: `${prefix}-password`, type: "password", autocomplete: "current-password" });
  const code = secondFactorInput(`${prefix}-code`);
  const codeRow = el("div", { class: "reauth-code", hidden: !session.totpEnabled }, [
    el("label", { for: code.id, dataset: { i18n: "reauth.code" } }),
    code,
    el("p", { class: "field-hint", dataset: { i18n: "reauth.codeHint" } }),
  ]);
  const node = el("div", { id: `${prefix}-reauth`, class: "reauth" }, [
    withPassword ? el("p", { class: "reauth-intro", dataset: { i18n: "reauth.intro" } }) : null,
    withPassword ? el("label", { for: password.id, dataset: { i18n: "reauth.password" } }) : null,
    withPassword ? password : null,
    codeRow,
  ]);
  return {
    node,
    body(message) {
      const body = {};
      if (withPassword) {
        if (!password.value) {
          password.focus();
          showMessage(message, t("reauth.passwordMissing"));
          return null;
        }
        body.password = password.value;
      }
      if (session.totpEnabled) {
        const second = secondFactorValue(code);
        if (!second) {
          code.focus();
          showMessage(message, t("reauth.codeMissing"));
          return null;
        }
        body.twoFactorCode = second;
      }
      return body;
    },
    clear() {
      password.value = "";
      code.value = "";
    },
  };
}

// Two-factor login was turned on or off: every re-authentication asks for a code or not.
function syncReauth() {
  for (const row of document.querySelectorAll(".reauth-code")) row.hidden = !session.totpEnabled;
}

function section(id, titleKey, children) {
  return el("section", { id, class: "panel account-card" }, [el("h2", { dataset: { i18n: titleKey } }), ...children]);
}

function text(key, attributes = {}) {
  return el("p", { class: "muted", ...attributes, dataset: { i18n: key } });
}

function drawSkeleton() {
  clear(byId("main")).append(
    el("h1", { dataset: { i18n: "account.title" } }),
    el("div", { class: "account-grid" }, [
      el("div", { class: "account-column" }, [
        el("div", { id: "profile-card" }),
        el("div", { id: "funds-card" }),
        el("div", { id: "password-card" }),
        el("div", { id: "phishing-card" }),
        el("div", { id: "sessions-card" }),
      ]),
      el("div", { class: "account-column" }, [el("div", { id: "totp-card" }), el("div", { id: "keys-card" })]),
    ]),
  );
}

// ---- profile ----------------------------------------------------------------------------

function onOff(on) {
  return el("span", { class: on ? "status on" : "status off", dataset: { i18n: on ? "account.on" : "account.off" } });
}

function drawProfile() {
  const row = (key, value) => [el("dt", { dataset: { i18n: key } }), el("dd", {}, [value])];
  const code = session.antiPhishingCode
    ? el("strong", { id: "profile-anti-phishing", class: "anti-phishing-code", text: session.antiPhishingCode })
    : el("span", { id: "profile-anti-phishing", class: "muted", dataset: { i18n: "account.notSet" } });
  const verified = el("span", {
    id: "profile-verified",
    class: session.emailVerified ? "status on" : "status off",
    dataset: { i18n: session.emailVerified ? "account.verified" : "account.unverified" },
  });
  clear(byId("profile-card")).append(
    section("profile", "account.profile", [
      el("dl", { class: "profile-list" }, [
        ...row("account.email", el("span", { id: "profile-email", text: session.email })),
        ...row("account.emailStatus", verified),
        ...row("account.userId", el("span", { id: "profile-user-id", class: "mono", text: String(session.userId) })),
        ...row("account.twoFactorStatus", el("span", { id: "profile-totp" }, [onOff(session.totpEnabled)])),
        ...row("account.antiPhishingStatus", code),
      ]),
      session.emailVerified ? null : drawUnverified(),
    ]),
  );
}

// Until the address is verified the account cannot trade: say so, offer the link again
// (and in the sandbox, the way to its mailbox).
function drawUnverified() {
  const message = messageBox("resend-message");
  const button = el("button", { id: "resend-verification", type: "button", dataset: { i18n: "account.resend" } });
  button.addEventListener("click", () =>
    busy(button, async () => {
      clearMessage(message);
      try {
        const answer = await account("POST", "verify/resend");
        if (answer.emailVerified) return refreshSession();
        showMessage(message, t(answer.mailSent ? "account.resent" : "signup.noMail", { email: session.email }), "success");
      } catch (error) {
        failed(message, error);
      }
    }),
  );
  return el("div", { id: "unverified", class: "unverified" }, [
    el("p", { class: "confirm-text", dataset: { i18n: "account.unverifiedText" } }),
    el("div", { class: "card-actions" }, [button]),
    mailboxLink(),
    message,
  ]);
}

// ---- password ---------------------------------------------------------------------------

function drawPassword() {
  const message = messageBox("password-message");
  const input = (id, autocomplete) => el("input", { id, type: "password", autocomplete, required: true });
  const current = input("password-current", "current-password");
  const fresh = input("password-new", "new-password");
  const confirm = input("password-new-confirm", "new-password");
  const reauth = reauthFields("password", { withPassword: false });
  const label = (target, key) => el("label", { for: target.id, dataset: { i18n: key } });
  const button = el("button", { id: "password-change", type: "submit", class: "primary", dataset: { i18n: "password.submit" } });
  const form = el("form", { id: "password-form", class: "key-form password-form", novalidate: true }, [
    label(current, "password.current"),
    current,
    label(fresh, "password.new"),
    fresh,
    el("p", { class: "field-hint", dataset: { i18n: "signup.passwordRule" } }),
    label(confirm, "password.confirm"),
    confirm,
    reauth.node,
    button,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    if (!current.value || !fresh.value) return showMessage(message, t("password.missing"));
    if (passwordLength(fresh.value) < MIN_PASSWORD) return showMessage(message, t("signup.tooShort"));
    if (fresh.value !== confirm.value) return showMessage(message, t("password.mismatch"));
    const second = reauth.body(message);
    if (!second) return;
    await busy(button, async () => {
      try {
        const answer = await account("POST", "password/change", { currentPassword: current.value, newPassword: fresh.value, ...second });
        for (const node of [current, fresh, confirm]) node.value = "";
        reauth.clear();
        showMessage(message, t("password.changed", { count: answer.sessionsEnded }), "success");
      } catch (error) {
        failed(message, error);
      }
    });
  });
  clear(byId("password-card")).append(section("password", "password.title", [text("password.text"), form, message]));
}

// The header shows the anti-phishing code from the session: it is drawn again with the
// profile after a change.
async function refreshSession() {
  const fresh = await startPage({ active: "account" });
  if (!fresh) return goToLogin();
  session = fresh;
  drawProfile();
  translate();
}

// ---- test funds (sandbox) ---------------------------------------------------------------

function drawFunds() {
  if (!isSandbox()) return;
  const message = el("p", { id: "account-faucet-message", class: "form-message", role: "status" });
  const button = el("button", { id: "account-faucet", class: "primary", dataset: { i18n: "funds.get" } });
  button.addEventListener("click", () =>
    busy(button, async () => {
      clearMessage(message);
      try {
        const answer = await rest("POST", "/api/v1/sandbox/faucet");
        const given = answer.given.map((row) => `${grouped(trim(row.amount))} ${row.asset}`).join(", ");
        showMessage(message, t("funds.given", { given }), "success");
        document.dispatchEvent(new CustomEvent("assetport:balances-changed"));
      } catch (error) {
        failed(message, error);
      }
    }),
  );
  clear(byId("funds-card")).append(
    section("funds", "funds.title", [
      text("funds.text"),
      el("div", { class: "card-actions" }, [button]),
      message,
      el("h3", { dataset: { i18n: "funds.balances" } }),
      el("table", { id: "account-balances", class: "balances-table" }, [
        el("thead", {}, [
          el("tr", {}, [
            el("th", { dataset: { i18n: "funds.asset" } }),
            el("th", { class: "num", dataset: { i18n: "funds.free" } }),
            el("th", { class: "num", dataset: { i18n: "funds.locked" } }),
          ]),
        ]),
        el("tbody", { id: "account-balances-body" }),
      ]),
    ]),
  );
  loadBalances();
  document.addEventListener("assetport:balances-changed", loadBalances);
}

async function loadBalances() {
  const body = byId("account-balances-body");
  if (!body) return;
  let balances;
  try {
    balances = (await rest("GET", "/api/v3/account")).balances;
  } catch (error) {
    // An ended session included: the header says so and offers the login (lib/layout.js).
    clear(body).append(el("tr", {}, [el("td", { colspan: "3", class: "error-text", text: errorText(error) })]));
    return;
  }
  const held = balances.filter((row) => /[1-9]/.test(row.free) || /[1-9]/.test(row.locked));
  clear(body);
  if (!held.length) {
    body.append(el("tr", {}, [el("td", { colspan: "3", class: "muted", dataset: { i18n: "funds.none" }, text: t("funds.none") })]));
    return;
  }
  for (const row of held) {
    body.append(
      el("tr", { class: "balance-row", dataset: { asset: row.asset } }, [
        el("td", { text: row.asset }),
        el("td", { class: "num free", text: grouped(trim(row.free)) }),
        el("td", { class: "num locked", text: grouped(trim(row.locked)) }),
      ]),
    );
  }
}

// ---- two-factor login -------------------------------------------------------------------

function codeInput(id) {
  return el("input", {
    id,
    type: "text",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    pattern: "[0-9]{6}",
    maxlength: "6",
    class: "code-input",
    dataset: { i18nPlaceholder: "totp.code" },
    "aria-label": t("totp.code"),
  });
}

// The secret in groups of four, as authenticator apps show keys for typing.
function groupedSecret(secret) {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

function drawTotp() {
  const message = messageBox("totp-message");
  const card = clear(byId("totp-card"));
  if (session.totpEnabled) {
    card.append(
      section("two-factor", "totp.title", [
        el("p", { id: "totp-state", class: "totp-state on" }, [onOff(true), " ", el("span", { dataset: { i18n: "totp.onText" } })]),
        shownCodes ? drawShownCodes() : null,
        drawRecoveryStatus(),
        drawTotpOff(message),
        message,
      ]),
    );
  } else if (enrolment) {
    const qr = el("img", { id: "totp-qr", class: "totp-qr", width: "220", height: "220", dataset: { i18nTitle: "totp.qrAlt" } });
    qr.alt = t("totp.qrAlt");
    QRCode.toDataURL(enrolment.otpauthUri, { errorCorrectionLevel: "M", margin: 2, width: 220 })
      .then((url) => (qr.src = url))
      .catch(() => showMessage(message, t("totp.qrFailed")));
    const code = codeInput("totp-confirm-code");
    const button = el("button", { id: "totp-confirm", type: "submit", class: "primary", dataset: { i18n: "totp.confirm" } });
    const cancel = el("button", {
      id: "totp-cancel",
      type: "button",
      class: "ghost",
      dataset: { i18n: "totp.cancel" },
      onclick: () => {
        enrolment = null;
        drawTotp();
        translate();
      },
    });
    const form = el("form", { id: "totp-confirm-form", class: "inline-form", novalidate: true }, [code, button, cancel]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      confirmTotp(code, button, message);
    });
    card.append(
      section("two-factor", "totp.title", [
        text("totp.scan"),
        el("div", { class: "totp-setup" }, [
          qr,
          el("div", { class: "totp-manual" }, [
            text("totp.manual"),
            el("code", { id: "totp-secret", class: "secret-text", text: groupedSecret(enrolment.secret) }),
          ]),
        ]),
        text("totp.enterCode"),
        form,
        message,
      ]),
    );
    code.focus();
  } else {
    const button = el("button", { id: "totp-enroll", class: "primary", dataset: { i18n: "totp.enroll" } });
    button.addEventListener("click", () =>
      busy(button, async () => {
        try {
          const answer = await account("POST", "totp/enroll");
          enrolment = { secret: answer.secret, otpauthUri: answer.otpauthUri };
          drawTotp();
          translate();
        } catch (error) {
          failed(message, error);
        }
      }),
    );
    card.append(
      section("two-factor", "totp.title", [
        el("p", { id: "totp-state", class: "totp-state off" }, [onOff(false), " ", el("span", { dataset: { i18n: "totp.offText" } })]),
        el("div", { class: "card-actions" }, [button]),
        message,
      ]),
    );
  }
}

// Two-factor state changed: the card, the profile and every re-authentication follow.
function twoFactorChanged(doneKey) {
  enrolment = null;
  drawTotp();
  drawProfile();
  syncReauth();
  translate();
  const done = messageBox("totp-done");
  byId("two-factor").append(done);
  showMessage(done, t(doneKey), "success");
}

async function confirmTotp(input, button, message) {
  clearMessage(message);
  const code = input.value.replace(/\s/g, "");
  if (!/^\d{6}$/.test(code)) {
    input.focus();
    return showMessage(message, t("totp.codeMissing"));
  }
  await busy(button, async () => {
    try {
      const answer = await account("POST", "totp/confirm", { code });
      session.totpEnabled = answer.totpEnabled;
      session.recoveryCodesLeft = answer.recoveryCodesLeft;
      shownCodes = answer.recoveryCodes;
      twoFactorChanged("totp.enabled");
      byId("recovery-codes").scrollIntoView({ block: "nearest" });
    } catch (error) {
      input.value = "";
      failed(message, error);
    }
  });
}

// A form whose only fields confirm the person (`reauthFields`): on submit, `send(body)` with
// the password and second factor; a refusal clears them (a code is used once) and says why.
function sendConfirmed(form, reauth, message, button, send) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    const body = reauth.body(message);
    if (!body) return;
    await busy(button, async () => {
      try {
        await send(body);
      } catch (error) {
        reauth.clear();
        failed(message, error);
      }
    });
  });
}

// Turning two-factor login off: the password and a code from the app or a recovery code.
function drawTotpOff(message) {
  const reauth = reauthFields("totp-disable");
  const button = el("button", { id: "totp-disable", type: "submit", class: "danger", dataset: { i18n: "totp.disable" } });
  const form = el("form", { id: "totp-disable-form", class: "stacked-form", novalidate: true }, [reauth.node, button]);
  sendConfirmed(form, reauth, message, button, async (body) => {
    const answer = await account("POST", "totp/disable", body);
    session.totpEnabled = answer.totpEnabled;
    session.recoveryCodesLeft = 0;
    shownCodes = null;
    twoFactorChanged("totp.disabled");
  });
  return el("div", { class: "totp-off" }, [el("h3", { dataset: { i18n: "totp.disableTitle" } }), text("totp.disableText"), form]);
}

// How many recovery codes are left, and a new set (after re-authentication).
function drawRecoveryStatus() {
  const left = session.recoveryCodesLeft || 0;
  const message = messageBox("recovery-message");
  const reauth = reauthFields("recovery-new");
  const button = el("button", { id: "recovery-new", type: "submit", dataset: { i18n: "recovery.new" } });
  const form = el("form", { id: "recovery-new-form", class: "stacked-form", novalidate: true, hidden: true }, [reauth.node, button]);
  const open = el("button", {
    id: "recovery-new-open",
    type: "button",
    dataset: { i18n: "recovery.newOpen" },
    onclick: () => {
      form.hidden = false;
      open.hidden = true;
      byId("recovery-new-password").focus();
    },
  });
  sendConfirmed(form, reauth, message, button, async (body) => {
    const answer = await account("POST", "totp/recovery-codes", body);
    session.recoveryCodesLeft = answer.recoveryCodesLeft;
    shownCodes = answer.recoveryCodes;
    drawTotp();
    translate();
    byId("recovery-codes").scrollIntoView({ block: "nearest" });
  });
  const few = left <= FEW_CODES_LEFT;
  return el("div", { id: "recovery-status", class: "recovery-status" }, [
    el("h3", { dataset: { i18n: "recovery.title" } }),
    el("p", {
      id: "recovery-left",
      class: few ? "recovery-left few" : "recovery-left",
      dataset: { i18n: few ? "recovery.leftFew" : "recovery.left", i18nVars: JSON.stringify({ count: left }) },
    }),
    el("div", { class: "card-actions" }, [open]),
    form,
    message,
  ]);
}

// Recovery codes just made: shown this once, to copy, download or write down.
function drawShownCodes() {
  const list = el("ol", { id: "recovery-code-list", class: "recovery-code-list" }, shownCodes.map((code) => el("li", {}, [el("code", { text: code })])));
  const plain = shownCodes.join("\n") + "\n";
  const download = el("a", {
    id: "recovery-download",
    class: "button small",
    download: "assetport-recovery-codes.txt",
    href: URL.createObjectURL(new Blob([plain], { type: "text/plain" })),
    dataset: { i18n: "recovery.download" },
  });
  return el("div", { id: "recovery-codes", class: "key-created-box recovery-codes" }, [
    el("h3", { dataset: { i18n: "recovery.shownTitle" } }),
    el("p", { class: "secret-warning", role: "alert", dataset: { i18n: "recovery.shownWarning" } }),
    list,
    el("div", { class: "card-actions" }, [
      el("button", { id: "recovery-copy", type: "button", class: "small", dataset: { i18n: "keys.copy" }, onclick: () => copyText(plain, list) }),
      download,
    ]),
    el("button", {
      id: "recovery-saved",
      type: "button",
      class: "primary",
      dataset: { i18n: "recovery.saved" },
      onclick: () => {
        URL.revokeObjectURL(download.href);
        shownCodes = null;
        drawTotp();
        translate();
      },
    }),
  ]);
}

// ---- anti-phishing code -----------------------------------------------------------------

function drawPhishing() {
  const message = messageBox("phishing-message");
  const input = el("input", {
    id: "phishing-code",
    type: "text",
    maxlength: "20",
    autocomplete: "off",
    spellcheck: "false",
    pattern: "[A-Za-z0-9]{4,20}",
  });
  const button = el("button", { id: "phishing-save", type: "submit", class: "primary", dataset: { i18n: "phishing.save" } });
  const reauth = reauthFields("phishing-confirm");
  const form = el("form", { id: "phishing-form", class: "stacked-form", novalidate: true }, [
    el("label", { for: "phishing-code", dataset: { i18n: "phishing.code" } }),
    input,
    reauth.node,
    button,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    const code = input.value.trim();
    if (!ANTI_PHISHING.test(code)) {
      input.focus();
      return showMessage(message, t("error.-8012"));
    }
    const confirmation = reauth.body(message);
    if (!confirmation) return;
    await busy(button, async () => {
      try {
        await account("POST", "anti-phishing", { code, ...confirmation });
        input.value = "";
        reauth.clear();
        await refreshSession();
        drawPhishing();
        translate();
        showMessage(byId("phishing-message"), t("phishing.saved"), "success");
      } catch (error) {
        failed(message, error);
      }
    });
  });
  clear(byId("phishing-card")).append(
    section("anti-phishing-section", "phishing.title", [
      text("phishing.text"),
      session.antiPhishingCode
        ? el("p", { class: "phishing-current" }, [
            el("span", { dataset: { i18n: "phishing.current" } }),
            " ",
            el("strong", { id: "phishing-current", class: "anti-phishing-code", text: session.antiPhishingCode }),
          ])
        : null,
      form,
      message,
    ]),
  );
}

// ---- log out everywhere -----------------------------------------------------------------

function drawSessions() {
  const message = messageBox("sessions-message");
  const actions = el("div", { class: "card-actions" });
  const ask = () => {
    clear(actions).append(
      el("span", { class: "confirm-text", dataset: { i18n: "sessions.confirm" }, text: t("sessions.confirm") }),
      el("button", {
        id: "logout-all-confirm",
        class: "danger",
        dataset: { i18n: "sessions.logoutAll" },
        text: t("sessions.logoutAll"),
        onclick: async (event) => {
          event.target.disabled = true;
          try {
            await account("POST", "logout-all");
            location.assign("/login");
          } catch (error) {
            event.target.disabled = false;
            failed(message, error);
          }
        },
      }),
      el("button", { id: "logout-all-cancel", class: "ghost", dataset: { i18n: "keys.no" }, text: t("keys.no"), onclick: idle }),
    );
  };
  const idle = () => {
    clear(actions).append(
      el("button", { id: "logout-all", class: "danger", dataset: { i18n: "sessions.logoutAll" }, text: t("sessions.logoutAll"), onclick: ask }),
    );
  };
  idle();
  clear(byId("sessions-card")).append(section("sessions", "sessions.title", [text("sessions.text"), actions, message]));
}

// ---- API keys ---------------------------------------------------------------------------

async function loadKeys() {
  try {
    keys = (await account("GET", "apikeys")).apiKeys;
  } catch (error) {
    failed(byId("api-key-list-message"), error);
    return;
  }
  drawKeyList();
}

function drawKeyList() {
  const body = clear(byId("api-keys-body"));
  if (!keys.length) {
    body.append(el("tr", { id: "api-keys-empty" }, [el("td", { colspan: "6", class: "muted", dataset: { i18n: "keys.none" }, text: t("keys.none") })]));
    return;
  }
  for (const key of keys) {
    const actions = el("td", { class: "key-actions" });
    const idle = () =>
      clear(actions).append(
        el("button", {
          class: "small ghost api-key-delete",
          dataset: { i18n: "keys.delete" },
          text: t("keys.delete"),
          onclick: () => ask(),
        }),
      );
    const ask = () =>
      clear(actions).append(
        el("span", { class: "confirm-text", dataset: { i18n: "keys.confirmDelete" }, text: t("keys.confirmDelete") }),
        el("button", {
          class: "small danger api-key-delete-confirm",
          dataset: { i18n: "keys.yesDelete" },
          text: t("keys.yesDelete"),
          onclick: (event) => deleteKey(key.apiKey, event.target),
        }),
        el("button", { class: "small ghost api-key-delete-cancel", dataset: { i18n: "keys.no" }, text: t("keys.no"), onclick: idle }),
      );
    idle();
    body.append(
      el("tr", { class: key.unrestricted ? "api-key-row unrestricted" : "api-key-row", dataset: { apiKey: key.apiKey } }, [
        el("td", {}, [
          el("div", { class: "key-label", text: key.label || "–" }),
          el("code", { class: "key-value", title: key.apiKey, text: key.apiKey }),
          // Said in the first column, which a phone shows too (the IP column is hidden there).
          key.unrestricted ? el("p", { class: "key-warning", role: "note", dataset: { i18n: "keys.unrestricted" }, text: t("keys.unrestricted") }) : null,
        ]),
        el("td", { class: "key-type", text: key.type }),
        el("td", { class: "key-permissions" }, key.permissions.map((p) => el("span", { class: `badge perm-${p}`, text: p }))),
        el(
          "td",
          { class: "key-ips" },
          key.ipAllowlist.length
            ? key.ipAllowlist.map((ip) => el("div", { class: "mono", text: ip }))
            : [el("span", { class: "muted", dataset: { i18n: "keys.anyIp" }, text: t("keys.anyIp") })],
        ),
        el("td", { class: "key-created", text: formatDateTime(key.createTime, { seconds: false }) }),
        actions,
      ]),
    );
  }
}

async function deleteKey(apiKey, button) {
  button.disabled = true;
  const message = byId("api-key-list-message");
  clearMessage(message);
  try {
    await account("DELETE", `apikeys/${encodeURIComponent(apiKey)}`);
    notify(t("keys.deleted"), "success");
  } catch (error) {
    failed(message, error);
  }
  await loadKeys();
}

function copy(node) {
  return copyText(node.textContent, node);
}

// Copies `value`; where the clipboard is blocked, selects `node` for the person to copy.
async function copyText(value, node) {
  try {
    await navigator.clipboard.writeText(value);
    notify(t("keys.copied"), "success");
  } catch (error) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    notify(t("keys.copyFailed"), "error");
  }
}

function copyable(id, value) {
  const node = el("code", { id, class: "secret-text", text: value });
  return el("div", { class: "copy-row" }, [
    node,
    el("button", { id: `copy-${id}`, type: "button", class: "small", dataset: { i18n: "keys.copy" }, text: t("keys.copy"), onclick: () => copy(node) }),
  ]);
}

// The new key, and for HMAC its secret: in this box only, until the user closes it.
function showCreated(created) {
  const box = clear(byId("api-key-created"));
  box.hidden = false;
  const secret = created.secretKey;
  box.append(
    el("h3", { dataset: { i18n: "keys.createdTitle" } }),
    secret ? el("p", { class: "secret-warning", role: "alert", dataset: { i18n: "keys.secretWarning" } }) : el("p", { dataset: { i18n: "keys.registered" } }),
    created.unrestricted ? el("p", { id: "new-api-key-warning", class: "key-warning", dataset: { i18n: "keys.unrestricted" } }) : null,
    el("label", { dataset: { i18n: "keys.key" } }),
    copyable("new-api-key", created.apiKey),
    secret ? el("label", { dataset: { i18n: "keys.secret" } }) : null,
    secret ? copyable("new-api-secret", secret) : null,
    el("button", {
      id: "api-key-created-done",
      type: "button",
      class: "primary",
      dataset: { i18n: "keys.done" },
      onclick: () => {
        clear(box).hidden = true;
      },
    }),
  );
  translate(box);
}

function drawKeys() {
  const message = messageBox("api-key-message");
  const type = el("select", { id: "api-key-type", name: "type" }, [
    el("option", { value: "HMAC", dataset: { i18n: "keys.typeHmac" } }),
    el("option", { value: "ED25519", dataset: { i18n: "keys.typeEd25519" } }),
  ]);
  const label = el("input", { id: "api-key-label", type: "text", maxlength: "64", autocomplete: "off", dataset: { i18nPlaceholder: "keys.labelPlaceholder" } });
  const read = el("input", { id: "api-key-read", type: "checkbox", checked: true });
  const trade = el("input", { id: "api-key-trade", type: "checkbox" });
  const withdraw = el("input", { id: "api-key-withdraw", type: "checkbox" });
  const ips = el("input", { id: "api-key-ips", type: "text", autocomplete: "off", spellcheck: "false", dataset: { i18nPlaceholder: "keys.ipsPlaceholder" } });
  const pem = el("textarea", {
    id: "api-key-public-key",
    rows: "5",
    spellcheck: "false",
    placeholder: "-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----",
  });
  const pemRow = el("div", { id: "public-key-row", hidden: true }, [el("label", { for: "api-key-public-key", dataset: { i18n: "keys.publicKey" } }), pem]);
  type.addEventListener("change", () => (pemRow.hidden = type.value !== "ED25519"));
  const submit = el("button", { id: "api-key-create", type: "submit", class: "primary", dataset: { i18n: "keys.create" } });
  const checkbox = (input, key) => el("label", { class: "check", for: input.id }, [input, " ", el("span", { dataset: { i18n: key } })]);
  // A key that may trade or withdraw: the password (and code) again, and a warning while a
  // trading key would be open to every address. One that may withdraw moves money off the
  // platform: the server makes it only with an IP allowlist and two-factor login on (then
  // the code is always asked), which the page says before it is sent.
  const reauth = reauthFields("api-key");
  const openWarning = el("p", { id: "api-key-open-warning", class: "key-warning", role: "note", hidden: true, dataset: { i18n: "keys.openWarning" } });
  const withdrawNote = el("p", { id: "api-key-withdraw-note", class: "key-warning", role: "note", hidden: true, dataset: { i18n: "keys.withdrawNote" } });
  const tradeOnly = el("div", { id: "api-key-trade-confirm", hidden: true }, [openWarning, withdrawNote, reauth.node]);
  const showTradeParts = () => {
    tradeOnly.hidden = !(trade.checked || withdraw.checked);
    openWarning.hidden = !(trade.checked && !ips.value.trim());
    withdrawNote.hidden = !withdraw.checked;
  };
  trade.addEventListener("change", showTradeParts);
  withdraw.addEventListener("change", showTradeParts);
  ips.addEventListener("input", showTradeParts);

  const form = el("form", { id: "api-key-form", class: "key-form", novalidate: true }, [
    el("h3", { dataset: { i18n: "keys.new" } }),
    el("label", { for: "api-key-type", dataset: { i18n: "keys.type" } }),
    type,
    el("label", { for: "api-key-label", dataset: { i18n: "keys.label" } }),
    label,
    el("fieldset", { class: "permissions" }, [el("legend", { dataset: { i18n: "keys.permissions" } }), checkbox(read, "keys.read"), checkbox(trade, "keys.trade"), checkbox(withdraw, "keys.withdraw")]),
    el("label", { for: "api-key-ips", dataset: { i18n: "keys.ips" } }),
    ips,
    pemRow,
    tradeOnly,
    message,
    submit,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    const permissions = [read.checked ? "read" : null, trade.checked ? "trade" : null, withdraw.checked ? "withdraw" : null].filter(Boolean);
    if (!permissions.length) return showMessage(message, t("keys.permissionMissing"));
    const body = {
      type: type.value,
      label: label.value.trim(),
      permissions,
      ipAllowlist: ips.value.split(/[\s,]+/).filter(Boolean),
    };
    // Said at once, in words that name the fix (the server refuses it too, -8014).
    if (withdraw.checked && !body.ipAllowlist.length) {
      ips.focus();
      return showMessage(message, t("keys.withdrawIpsMissing"));
    }
    if (type.value === "ED25519") {
      if (!pem.value.trim()) return showMessage(message, t("keys.publicKeyMissing"));
      body.publicKey = pem.value.trim();
    }
    if (trade.checked || withdraw.checked) {
      const confirmation = reauth.body(message);
      if (!confirmation) return;
      Object.assign(body, confirmation);
    }
    await busy(submit, async () => {
      try {
        showCreated(await account("POST", "apikeys", body));
        label.value = "";
        ips.value = "";
        pem.value = "";
        reauth.clear();
        showTradeParts();
        await loadKeys();
      } catch (error) {
        failed(message, error);
      }
    });
  });

  clear(byId("keys-card")).append(
    section("api-keys", "keys.title", [
      text("keys.text"),
      el("div", { id: "api-key-created", class: "key-created-box", hidden: true }),
      el("div", { class: "table-scroll" }, [
        el("table", { id: "api-keys-table", class: "keys-table" }, [
          el("thead", {}, [
            el("tr", {}, [
              el("th", { dataset: { i18n: "keys.key" } }),
              el("th", { dataset: { i18n: "keys.type" } }),
              el("th", { dataset: { i18n: "keys.permissions" } }),
              el("th", { dataset: { i18n: "keys.ips" } }),
              el("th", { dataset: { i18n: "keys.created" } }),
              el("th", {}, [el("span", { class: "sr-only", dataset: { i18n: "keys.actions" } })]),
            ]),
          ]),
          el("tbody", { id: "api-keys-body" }),
        ]),
      ]),
      messageBox("api-key-list-message"),
      form,
    ]),
  );
}

// ---- the page ---------------------------------------------------------------------------

async function main() {
  clear(byId("main")).append(el("p", { class: "muted", dataset: { i18n: "common.loading" } }));
  translate();
  session = await startPage({ active: "account" });
  if (!session) return goToLogin();
  drawSkeleton();
  drawProfile();
  drawFunds();
  drawPassword();
  drawTotp();
  drawPhishing();
  drawSessions();
  drawKeys();
  translate();
  onLanguageChange(drawKeyList);
  await loadKeys();
}

main();
