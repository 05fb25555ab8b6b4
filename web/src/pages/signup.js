// Sign up: email, password (10 characters at least, shown as the user types; the server
// also refuses common and easy ones), its confirmation, and consent to the terms of use and
// the risk disclosure (a required box; the server refuses a sign-up without it, -8027).
// The answer is "check your mail" whether or not the address had an account (the server
// never tells); the mail's link verifies the address, and the user logs in meanwhile if they
// like. In the sandbox the answer also says how to get test funds, the next step.
import { account } from "../lib/api.js";
import { MIN_PASSWORD, busy, clearMessage, field, mailboxLink, messageBox, nextQuery, passwordLength, showMessage, startEntryPage } from "../lib/account_common.js";
import { errorText } from "../lib/errors.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, language, onLanguageChange, t, translate } from "../lib/i18n.js";
import { TERMS_VERSION, signUpWelcome, termsConsent } from "../lib/welcome.js";
import messages from "../messages/account.js";

addMessages(messages);

function drawForm() {
  const email = field("email", "signup.email", { type: "email", autocomplete: "email", required: true, autofocus: true });
  const password = field("password", "signup.password", {
    type: "password",
    autocomplete: "new-password",
    required: true,
    minlength: String(MIN_PASSWORD),
    "aria-describedby": "password-rule password-count",
  });
  const confirm = field("password-confirm", "signup.confirm", { type: "password", autocomplete: "new-password", required: true });
  const consent = termsConsent();
  const count = el("span", { id: "password-count", class: "password-count muted" });
  const message = messageBox("form-error");
  const submit = el("button", { id: "signup-submit", type: "submit", class: "primary wide", dataset: { i18n: "signup.submit" } });

  const showCount = () => {
    const n = passwordLength(password.input.value);
    count.textContent = n >= MIN_PASSWORD ? "✓ " + t("signup.passwordOk") : t("signup.passwordCount", { count: n });
    count.className = n >= MIN_PASSWORD ? "password-count ok" : "password-count muted";
  };
  password.input.addEventListener("input", showCount);
  onLanguageChange(showCount);

  const form = el("form", { id: "signup-form", class: "entry-form", novalidate: true }, [
    email.label,
    email.input,
    password.label,
    password.input,
    el("p", { class: "field-hint" }, [
      el("span", { id: "password-rule", dataset: { i18n: "signup.passwordRule" } }),
      " ",
      count,
    ]),
    confirm.label,
    confirm.input,
    consent.node,
    message,
    submit,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(message);
    const address = email.input.value.trim();
    if (!address) return showMessage(message, t("signup.emailMissing"));
    if (passwordLength(password.input.value) < MIN_PASSWORD) {
      password.input.focus();
      return showMessage(message, t("signup.tooShort"));
    }
    if (password.input.value !== confirm.input.value) {
      confirm.input.focus();
      return showMessage(message, t("signup.mismatch"));
    }
    if (!consent.input.checked) {
      consent.input.focus();
      return showMessage(message, t("consent.missing"));
    }
    await busy(submit, async () => {
      try {
        showMessage(message, t("signup.working"), "info");
        const answer = await account("POST", "signup", {
          email: address,
          password: password.input.value,
          language: language(),
          termsVersion: TERMS_VERSION,
        });
        password.input.value = "";
        confirm.input.value = "";
        drawCheckMail(answer);
      } catch (error) {
        showMessage(message, errorText(error));
      }
    });
  });

  const main = clear(byId("main"));
  main.append(
    el("section", { class: "entry panel" }, [
      el("h1", { dataset: { i18n: "signup.title" } }),
      el("p", { class: "muted", dataset: { i18n: "signup.lead" } }),
      form,
      el("p", { class: "entry-switch" }, [
        el("span", { dataset: { i18n: "signup.haveAccount" } }),
        " ",
        el("a", { id: "to-login", href: "/login" + nextQuery(), dataset: { i18n: "signup.loginLink" } }),
      ]),
    ]),
  );
  showCount();
}

// What comes after a sign-up: the mail to open (in the sandbox, its mailbox), or, on a
// server that sends none, whom to ask; and the way to log in meanwhile.
function drawCheckMail(answer) {
  const sent = answer.status === "CHECK_MAIL";
  const vars = JSON.stringify({ email: answer.email });
  clear(byId("main")).append(
    el("section", { id: "signup-done", class: "entry panel" }, [
      el("h1", { dataset: { i18n: "signup.checkMailTitle" } }),
      el("p", { id: "signup-check-mail", dataset: { i18n: sent ? "signup.checkMail" : "signup.noMail", i18nVars: vars } }),
      sent ? mailboxLink() : null,
      signUpWelcome(),
      el("p", { class: "entry-switch" }, [el("a", { id: "to-login", class: "button primary", href: "/login" + nextQuery(), dataset: { i18n: "signup.toLogin" } })]),
    ]),
  );
  translate();
}

startEntryPage("signup", drawForm);
