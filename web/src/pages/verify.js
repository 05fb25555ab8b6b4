// Opens an email verification link: the token after `#` goes to the server once; the page
// then says which address is verified and leads on (trading when logged in, else login).
import { account } from "../lib/api.js";
import { linkToken } from "../lib/account_common.js";
import { errorText } from "../lib/errors.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, t, translate } from "../lib/i18n.js";
import { startPage } from "../lib/layout.js";
import messages from "../messages/account.js";

addMessages(messages);

function panel(children) {
  clear(byId("main")).append(el("section", { id: "verify", class: "entry panel" }, [el("h1", { dataset: { i18n: "verify.title" } }), ...children]));
  translate();
}

async function main() {
  const token = linkToken();
  panel([el("p", { id: "verify-message", class: "muted", dataset: { i18n: token ? "verify.working" : "verify.noToken" } })]);
  const session = await startPage({ active: "verify" });
  if (!token) {
    if (session) panel([el("p", { id: "verify-message", dataset: { i18n: "verify.noToken" } }), el("a", { class: "button", href: "/account", dataset: { i18n: "verify.toAccount" } })]);
    return;
  }
  try {
    const answer = await account("POST", "verify", { token });
    history.replaceState(null, "", "/verify"); // the token is spent: off the address bar
    const next = session ? `/trade/${document.body.dataset.defaultSymbol || "KGLDKRW"}` : "/login";
    panel([
      el("p", { id: "verify-message", class: "form-message success", dataset: { i18n: "verify.done", i18nVars: JSON.stringify({ email: answer.email }) } }),
      el("p", { class: "entry-switch" }, [el("a", { id: "verify-continue", class: "button primary", href: next, dataset: { i18n: session ? "verify.continue" : "verify.toLogin" } })]),
    ]);
  } catch (error) {
    panel([
      el("p", { id: "verify-message", class: "form-message error", text: errorText(error) }),
      el("p", { class: "entry-switch" }, [el("a", { class: "button", href: session ? "/account" : "/login", dataset: { i18n: session ? "verify.toAccount" : "verify.toLogin" } })]),
    ]);
  }
}

main();
