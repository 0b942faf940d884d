// The phone's comment box and the published comments with their "me too" buttons.
import { format, text } from "./text.js";

const MAX = 280;
const NAME_KEY = "voting.name";

export function phoneComments(section, { send, statementId }) {
  const form = section.querySelector("[data-comment-form]");
  const list = section.querySelector("[data-comment-list]");
  const counter = section.querySelector("[data-counter]");
  const status = section.querySelector("[data-comment-status]");
  let items = [];
  let mine = new Map(); // id → {status, statement, text}
  let supported = new Set();
  let sending = null;

  form.name.value = localStorage.getItem(NAME_KEY) || "";
  const count = () => { counter.textContent = `${form.text.value.length} / ${MAX}`; };
  form.text.addEventListener("input", count);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = form.text.value.trim();
    if (!value) {
      showStatus(text.error_empty_comment, "warn");
      return;
    }
    localStorage.setItem(NAME_KEY, form.name.value.trim());
    sending = { statement: statementId(), text: value };
    if (!send({ type: "comment", ...sending, name: form.name.value.trim() || null })) {
      sending = null;
      showStatus(text.pending, "warn");
      return;
    }
    showStatus(text.sending_comment, "");
  });

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-support]");
    if (!button) return;
    const id = Number(button.dataset.support);
    send({ type: "support", comment: id, on: !supported.has(id) });
  });

  function showStatus(message, kind) {
    status.textContent = message;
    status.className = `comment-status ${kind}`;
  }

  function render() {
    const current = statementId();
    const waiting = [...mine.entries()]
      .filter(([id, c]) => c.statement === current && c.status === "pending" && !items.some((i) => i.id === id))
      .map(([id, c]) => ({ id, text: c.text, name: null, support: 0, waiting: true }));
    const rows = [...waiting, ...items].map((item) => {
      const li = document.createElement("li");
      li.dataset.id = item.id;
      const quote = document.createElement("p");
      quote.className = "comment-text";
      quote.dir = "auto";
      quote.textContent = item.text;
      const meta = document.createElement("p");
      meta.className = "comment-meta";
      meta.textContent = item.waiting ? text.comment_waiting : (item.name || text.anonymous);
      li.append(quote, meta);
      if (!item.waiting) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "support";
        button.dataset.support = item.id;
        button.setAttribute("aria-pressed", String(supported.has(item.id)));
        button.textContent = format(text.me_too, { n: item.support });
        li.append(button);
      }
      return li;
    });
    list.replaceChildren(...rows);
    section.querySelector("[data-no-comments]").hidden = rows.length > 0;
  }

  return {
    welcome(message) {
      mine = new Map((message.my_comments || []).map((c) => [c.id, c]));
      supported = new Set(message.supported || []);
      render();
    },
    comments(message) {
      items = message.items;
      for (const item of items) {
        const own = mine.get(item.id);
        if (own && own.status !== "published") {
          own.status = "published";
          if (own.statement === statementId()) showStatus(`✓ ${text.comment_published}`, "ok");
        }
      }
      render();
    },
    ack(message) {
      const comment = message.comment;
      mine.set(comment.id, comment);
      sending = null;
      form.text.value = "";
      count();
      showStatus(
        comment.status === "published" ? `✓ ${text.comment_published}` : `✓ ${text.comment_sent}`, "ok",
      );
      render();
    },
    supportAck(message) {
      if (message.on) supported.add(message.comment);
      else supported.delete(message.comment);
      const item = items.find((i) => i.id === message.comment);
      if (item) item.support = message.support;
      render();
    },
    error(message) {
      if (!sending) return false;
      sending = null;
      showStatus(text[`error_${message.code}`] || message.message, "warn");
      return true;
    },
    statementChanged() {
      items = [];
      showStatus("", "");
      render();
    },
    setEnabled(enabled) {
      section.hidden = !enabled;
    },
  };
}
