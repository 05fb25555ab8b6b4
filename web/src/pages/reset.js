// Password reset. Without a token: the email form, whose answer is the same whether or not
// the address has an account. With the token of the mail's link (after `#`): the new
// password and its confirmation; then every session is logged out and the user logs in.
import { account } from "../lib/api.js";
import { MIN_PASSWORD, busy, clearMessage, field, linkToken, mailboxLink, messageBox, passwordLength, showMessage } from "../lib/account_common.js";
import { errorText } from "../lib/errors.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, t, translate } from "../lib/i18n.js";
import { startPage } from "../lib/layout.js";
import messages from "../messages/account.js";

addMessages(messages);

function panel(titleKey, children) {
  clear(byId("main")).append(el("section", { id: "reset", class: "entry panel" }, [el("h1", { dataset: { i18n: titleKey } }), ...children]));
  translate();
}

function drawRequest() {
  const email = field("email", "reset.email", { type: "email", autocomplete: "email", required: true, autofocus: true });
  const message = messageBox("form-error");
  const submit = el("button", { id: "reset-send", type: "submit", class: "primary wide", dataset: { i18n: "reset.send" } });
  const form = el("form", { id: "reset-request-form", class: "entry-form", novalidate: true }, [email.label, email.input, message, submit]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    const address = email.input.value.trim();
    if (!address) return showMessage(message, t("signup.emailMissing"));
    await busy(submit, async () => {
      try {
        showMessage(message, t("reset.sending"), "info");
        const answer = await account("POST", "password/forgot", { email: address });
        const sent = answer.status === "CHECK_MAIL";
        panel("reset.title", [
          el("p", { id: "reset-sent", dataset: { i18n: sent ? "reset.sent" : "reset.noMail", i18nVars: JSON.stringify({ email: address }) } }),
          sent ? mailboxLink() : null,
        ]);
      } catch (error) {
        showMessage(message, errorText(error));
      }
    });
  });
  panel("reset.title", [el("p", { class: "muted", dataset: { i18n: "reset.lead" } }), form]);
}

function drawNewPassword(token) {
  const password = field("password", "reset.password", { type: "password", autocomplete: "new-password", required: true, minlength: String(MIN_PASSWORD), autofocus: true });
  const confirm = field("password-confirm", "reset.confirm", { type: "password", autocomplete: "new-password", required: true });
  const message = messageBox("form-error");
  const submit = el("button", { id: "reset-submit", type: "submit", class: "primary wide", dataset: { i18n: "reset.submit" } });
  const form = el("form", { id: "reset-form", class: "entry-form", novalidate: true }, [
    password.label,
    password.input,
    el("p", { class: "field-hint", dataset: { i18n: "signup.passwordRule" } }),
    confirm.label,
    confirm.input,
    message,
    submit,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    if (passwordLength(password.input.value) < MIN_PASSWORD) return showMessage(message, t("signup.tooShort"));
    if (password.input.value !== confirm.input.value) return showMessage(message, t("signup.mismatch"));
    await busy(submit, async () => {
      try {
        showMessage(message, t("reset.working"), "info");
        await account("POST", "password/reset", { token, password: password.input.value });
        password.input.value = "";
        confirm.input.value = "";
        history.replaceState(null, "", "/reset-password"); // the token is spent: off the address bar
        panel("reset.newTitle", [
          el("p", { id: "reset-done", dataset: { i18n: "reset.done" } }),
          el("p", { class: "entry-switch" }, [el("a", { id: "to-login", class: "button primary", href: "/login", dataset: { i18n: "reset.toLogin" } })]),
        ]);
      } catch (error) {
        showMessage(message, errorText(error));
        if (error.code === -8018) {
          form.append(el("p", { class: "entry-switch" }, [el("a", { id: "reset-again", href: "/reset-password", dataset: { i18n: "reset.another" }, text: t("reset.another") })]));
        }
      }
    });
  });
  panel("reset.newTitle", [form]);
}

async function main() {
  const token = linkToken();
  if (token) drawNewPassword(token);
  else drawRequest();
  await startPage({ active: "reset" });
}

main();
window.addEventListener("hashchange", main);
