// Log in: email and password, and the two-factor code once the server asks for it (-8006).
import { account } from "../lib/api.js";
import { busy, clearMessage, field, messageBox, nextQuery, nextTarget, showMessage, startEntryPage } from "../lib/account_common.js";
import { errorText } from "../lib/errors.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, t } from "../lib/i18n.js";
import messages from "../messages/account.js";

addMessages(messages);

const TOTP_REQUIRED = -8006;
const TOTP_INVALID = -8007;
const BAD_CREDENTIALS = -8004;

function drawForm() {
  const email = field("email", "login.email", { type: "email", autocomplete: "username", required: true, autofocus: true });
  const password = field("password", "login.password", { type: "password", autocomplete: "current-password", required: true });
  const code = field("totp-code", "login.totp", {
    // A 6-digit code from the app, or a recovery code (xxxx-xxxx-xxxx): not numeric only.
    type: "text",
    autocomplete: "one-time-code",
    maxlength: "20",
    "aria-describedby": "totp-hint",
  });
  const totpRow = el("div", { id: "totp-row", class: "totp-row", hidden: true }, [
    code.label,
    code.input,
    el("p", { id: "totp-hint", class: "field-hint", dataset: { i18n: "login.totpHint" } }),
  ]);
  const message = messageBox("form-error");
  const submit = el("button", { id: "login-submit", type: "submit", class: "primary wide", dataset: { i18n: "login.submit" } });

  const askForCode = () => {
    totpRow.hidden = false;
    code.input.required = true;
    code.input.value = "";
    code.input.focus();
  };

  const form = el("form", { id: "login-form", class: "entry-form", novalidate: true }, [
    email.label,
    email.input,
    password.label,
    password.input,
    totpRow,
    message,
    submit,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    const address = email.input.value.trim();
    if (!address || !password.input.value) return showMessage(message, t("login.missing"));
    const body = { email: address, password: password.input.value };
    if (!totpRow.hidden) {
      const totp = code.input.value.replace(/\s/g, "");
      if (!totp) {
        code.input.focus();
        return showMessage(message, t("login.totpMissing"));
      }
      body.totpCode = totp;
    }
    await busy(submit, async () => {
      try {
        showMessage(message, t("login.working"), "info");
        await account("POST", "login", body);
        password.input.value = "";
        location.assign(nextTarget());
      } catch (error) {
        showMessage(message, errorText(error), error.code === TOTP_REQUIRED ? "info" : "error");
        if (error.code === TOTP_REQUIRED || error.code === TOTP_INVALID) askForCode();
        if (error.code === BAD_CREDENTIALS) {
          password.input.value = "";
          password.input.focus();
        }
      }
    });
  });

  clear(byId("main")).append(
    el("section", { class: "entry panel" }, [
      el("h1", { dataset: { i18n: "login.title" } }),
      el("p", { class: "muted", dataset: { i18n: "login.lead" } }),
      form,
      el("p", { class: "entry-forgot" }, [el("a", { id: "forgot-password", href: "/reset-password", dataset: { i18n: "login.forgot" } })]),
      el("p", { class: "entry-switch" }, [
        el("span", { dataset: { i18n: "login.noAccount" } }),
        " ",
        el("a", { id: "to-signup", href: "/signup" + nextQuery(), dataset: { i18n: "login.signupLink" } }),
      ]),
    ]),
  );
}

startEntryPage("login", drawForm);
