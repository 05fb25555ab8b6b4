// The sandbox's mailbox: the mails the sandbox caught for the addresses this browser signed
// up or logged in with (the server keeps the list; see sandbox/mail.py). Mails are text:
// shown as text, their links to this site made into buttons, any other address left as
// plain text (a mail is not a way to send the learner elsewhere).
import { rest } from "../lib/api.js";
import { busy, messageBox, showMessage } from "../lib/account_common.js";
import { errorText } from "../lib/errors.js";
import { byId, clear, el } from "../lib/dom.js";
import { addMessages, formatDateTime, onLanguageChange, t, translate } from "../lib/i18n.js";
import { startPage } from "../lib/layout.js";
import messages from "../messages/account.js";

addMessages(messages);

let mails = [];

async function load() {
  mails = (await rest("GET", "/api/v1/sandbox/mail")).mails;
}

function sameSiteLinks(text) {
  const links = [];
  for (const match of text.matchAll(/https?:\/\/\S+/g)) {
    let url;
    try {
      url = new URL(match[0]);
    } catch (error) {
      continue;
    }
    if (url.origin === location.origin) links.push(url.pathname + url.search + url.hash);
  }
  return links;
}

function drawList() {
  const list = clear(byId("mail-list"));
  if (!mails.length) {
    list.append(el("p", { id: "mail-none", class: "muted", text: t("mail.none") }));
    return;
  }
  for (const mail of mails) {
    list.append(
      el("article", { class: "panel mail", dataset: { mailId: String(mail.id) } }, [
        el("h2", { class: "mail-subject", text: mail.subject }),
        el("p", { class: "mail-meta muted" }, [`${t("mail.to")}: `, el("span", { class: "mail-to", text: mail.to.join(", ") }), ` · ${formatDateTime(mail.time)}`]),
        el("pre", { class: "mail-text", text: mail.text }),
        el(
          "div",
          { class: "card-actions" },
          sameSiteLinks(mail.text).map((href) => el("a", { class: "button primary mail-link", href, text: `${t("mail.open")}: ${href.split("#")[0]}` })),
        ),
      ]),
    );
  }
}

async function refresh(box) {
  try {
    await load();
    drawList();
  } catch (error) {
    showMessage(box, errorText(error));
  }
}

async function main() {
  const message = messageBox("mail-message");
  const button = el("button", { id: "mail-refresh", type: "button", dataset: { i18n: "mail.refresh" } });
  button.addEventListener("click", () => busy(button, () => refresh(message)));
  clear(byId("main")).append(
    el("section", { class: "mailbox" }, [
      el("h1", { dataset: { i18n: "mail.title" } }),
      el("p", { class: "muted", dataset: { i18n: "mail.lead" } }),
      el("div", { class: "card-actions" }, [button]),
      message,
      el("div", { id: "mail-list" }),
    ]),
  );
  translate();
  onLanguageChange(drawList);
  await Promise.all([startPage({ active: "mail" }), refresh(message)]);
}

main();
