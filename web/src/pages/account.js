// The account page: profile (with the email's verification), test funds (sandbox), the
// password, two-factor login, the anti-phishing code, log out everywhere and API keys. A
// logged-out visitor is sent to /login.
//
// Secrets pass through this page without being kept: the TOTP secret lives only while the
// set-up is open, an HMAC API secret only in the box that shows it once, and neither is
// ever written to storage. Every text from the server goes in as text, never as HTML.
import QRCode from "qrcode";
import { ApiError, account, rest } from "../lib/api.js";
import { MIN_PASSWORD, busy, clearMessage, errorText, mailboxLink, messageBox, passwordLength, showMessage } from "../lib/account_common.js";
import { grouped, trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, language, onLanguageChange, t, translate } from "../lib/i18n.js";
import { isSandbox, notify, startPage } from "../lib/layout.js";
import messages from "../messages/account.js";

addMessages(messages);

const SESSION_ENDED = -8008;
const ANTI_PHISHING = /^[A-Za-z0-9]{4,20}$/;

let session = null;
let enrolment = null; // {secret, otpauthUri} while the two-factor set-up is open
let keys = [];

function goToLogin() {
  location.replace("/login?" + new URLSearchParams({ next: "/account" }).toString());
}

// Shows an error of an account call in `box`; an ended session goes to the login page.
function failed(box, error) {
  if (error instanceof ApiError && error.code === SESSION_ENDED) return goToLogin();
  showMessage(box, errorText(error));
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
    button,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    if (!current.value || !fresh.value) return showMessage(message, t("password.missing"));
    if (passwordLength(fresh.value) < MIN_PASSWORD) return showMessage(message, t("signup.tooShort"));
    if (fresh.value !== confirm.value) return showMessage(message, t("password.mismatch"));
    await busy(button, async () => {
      try {
        const answer = await account("POST", "password/change", { currentPassword: current.value, newPassword: fresh.value });
        for (const node of [current, fresh, confirm]) node.value = "";
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
    if (error instanceof ApiError && error.status === 401) return goToLogin();
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
    const code = codeInput("totp-disable-code");
    const button = el("button", { id: "totp-disable", type: "submit", dataset: { i18n: "totp.disable" } });
    const form = el("form", { id: "totp-disable-form", class: "inline-form", novalidate: true }, [code, button]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitCode("disable", code, button, message);
    });
    card.append(
      section("two-factor", "totp.title", [
        el("p", { id: "totp-state", class: "totp-state on" }, [onOff(true), " ", el("span", { dataset: { i18n: "totp.onText" } })]),
        text("totp.disableText"),
        form,
        message,
      ]),
    );
  } else if (enrolment) {
    const qr = el("img", { id: "totp-qr", class: "totp-qr", width: "220", height: "220", dataset: { i18nTitle: "totp.qrAlt" } });
    qr.alt = t("totp.qrAlt");
    QRCode.toDataURL(enrolment.otpauthUri, { errorCorrectionLevel: "M", margin: 2, width: 220 })
      .then((url) => (qr.src = url))
      .catch((error) => showMessage(message, errorText(error)));
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
      submitCode("confirm", code, button, message);
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

async function submitCode(action, input, button, message) {
  clearMessage(message);
  const code = input.value.replace(/\s/g, "");
  if (!/^\d{6}$/.test(code)) {
    input.focus();
    return showMessage(message, t("totp.codeMissing"));
  }
  await busy(button, async () => {
    try {
      const answer = await account("POST", `totp/${action}`, { code });
      session.totpEnabled = answer.totpEnabled;
      enrolment = null;
      drawTotp();
      drawProfile();
      translate();
      const done = messageBox("totp-done");
      byId("two-factor").append(done);
      showMessage(done, t(answer.totpEnabled ? "totp.enabled" : "totp.disabled"), "success");
    } catch (error) {
      input.value = "";
      failed(message, error);
    }
  });
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
  const form = el("form", { id: "phishing-form", class: "inline-form", novalidate: true }, [input, button]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    const code = input.value.trim();
    if (!ANTI_PHISHING.test(code)) {
      input.focus();
      return showMessage(message, t("error.-8012"));
    }
    await busy(button, async () => {
      try {
        await account("POST", "anti-phishing", { code });
        input.value = "";
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
      el("label", { for: "phishing-code", dataset: { i18n: "phishing.code" } }),
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
  const dates = new Intl.DateTimeFormat(language() === "ko" ? "ko-KR" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
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
      el("tr", { class: "api-key-row", dataset: { apiKey: key.apiKey } }, [
        el("td", {}, [
          el("div", { class: "key-label", text: key.label || "–" }),
          el("code", { class: "key-value", title: key.apiKey, text: key.apiKey }),
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
        el("td", { class: "key-created", text: dates.format(new Date(key.createTime)) }),
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

async function copy(node) {
  try {
    await navigator.clipboard.writeText(node.textContent);
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

  const form = el("form", { id: "api-key-form", class: "key-form", novalidate: true }, [
    el("h3", { dataset: { i18n: "keys.new" } }),
    el("label", { for: "api-key-type", dataset: { i18n: "keys.type" } }),
    type,
    el("label", { for: "api-key-label", dataset: { i18n: "keys.label" } }),
    label,
    el("fieldset", { class: "permissions" }, [el("legend", { dataset: { i18n: "keys.permissions" } }), checkbox(read, "keys.read"), checkbox(trade, "keys.trade")]),
    el("label", { for: "api-key-ips", dataset: { i18n: "keys.ips" } }),
    ips,
    pemRow,
    message,
    submit,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    const permissions = [read.checked ? "read" : null, trade.checked ? "trade" : null].filter(Boolean);
    if (!permissions.length) return showMessage(message, t("keys.permissionMissing"));
    const body = {
      type: type.value,
      label: label.value.trim(),
      permissions,
      ipAllowlist: ips.value.split(/[\s,]+/).filter(Boolean),
    };
    if (type.value === "ED25519") {
      if (!pem.value.trim()) return showMessage(message, t("keys.publicKeyMissing"));
      body.publicKey = pem.value.trim();
    }
    await busy(submit, async () => {
      try {
        showCreated(await account("POST", "apikeys", body));
        label.value = "";
        ips.value = "";
        pem.value = "";
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
              el("th"),
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
