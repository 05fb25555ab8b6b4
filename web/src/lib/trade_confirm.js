// The trading page's "are you sure?" dialog: an order's figures before it is sent, and
// "Cancel all" before every open order goes. A native modal <dialog>: the rest of the page
// is inert while it is open, Escape cancels, and focus returns to where it was.
import { el } from "./dom.js";
import { t } from "./i18n.js";

let dialog = null;

function ensureDialog() {
  if (dialog) return dialog;
  dialog = el("dialog", { id: "confirm-dialog", class: "confirm-dialog", "aria-labelledby": "confirm-title" }, [
    el("h2", { id: "confirm-title" }),
    el("p", { id: "confirm-text", class: "confirm-text" }),
    el("dl", { id: "confirm-rows", class: "confirm-rows" }),
    el("div", { class: "confirm-buttons" }, [
      el("button", { type: "button", id: "confirm-cancel", class: "button" }),
      el("button", { type: "button", id: "confirm-ok" }),
    ]),
  ]);
  document.body.append(dialog);
  return dialog;
}

// Opens the dialog and resolves true when the person confirms, false when they cancel (the
// button, Escape). `rows` are [label, value] pairs; `kind` colours the confirm button
// ("buy", "sell", "danger" or "primary"); `back` names the cancel button (the trading page's
// "Back" by default: other pages bring their own words).
export function askToConfirm({ title, text = "", rows = [], confirm, kind = "", id = "", back = null }) {
  const box = ensureDialog();
  box.dataset.purpose = id;
  box.querySelector("#confirm-title").textContent = title;
  const paragraph = box.querySelector("#confirm-text");
  paragraph.textContent = text;
  paragraph.hidden = !text;
  const list = box.querySelector("#confirm-rows");
  list.replaceChildren(
    ...rows.flatMap(([label, value, key]) => [
      el("dt", { text: label }),
      el("dd", { class: "num", dataset: key ? { field: key } : {}, text: value }),
    ]),
  );
  list.hidden = rows.length === 0;
  const ok = box.querySelector("#confirm-ok");
  const cancel = box.querySelector("#confirm-cancel");
  ok.textContent = confirm;
  ok.className = `confirm-ok ${kind}`;
  cancel.textContent = back ?? t("trade.confirm.back");

  return new Promise((resolve) => {
    const finish = (answer) => {
      ok.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      box.removeEventListener("close", onClose);
      if (box.open) box.close();
      resolve(answer);
    };
    const onOk = () => finish(true);
    const onCancel = () => finish(false);
    const onClose = () => finish(false); // Escape closes a modal dialog
    ok.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    box.addEventListener("close", onClose);
    box.showModal();
    ok.focus();
  });
}
