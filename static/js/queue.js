// The moderator's comment queue: approve, hide, show on the projector; a selected comment
// that the keyboard shortcuts act on.
import { format, text } from "./text.js";

export function commentQueue(section, { send }) {
  const list = section.querySelector("[data-queue]");
  const badge = section.querySelector("[data-pending-count]");
  let items = [];
  let highlight = null;
  let selected = null;

  function button(label, action, id, extra = "") {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    element.dataset.queueAction = action;
    element.dataset.id = id;
    if (extra) element.className = extra;
    return element;
  }

  function render() {
    // Keep the keyboard focus on the same button across re-renders.
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused && focused.dataset.queueAction
      ? `button[data-queue-action="${focused.dataset.queueAction}"][data-id="${focused.dataset.id}"]` : null;
    const ordered = [...items].reverse(); // newest first
    if (!ordered.some((item) => item.id === selected)) {
      const firstPending = ordered.find((item) => item.status === "pending");
      selected = firstPending ? firstPending.id : ordered.length ? ordered[0].id : null;
    }
    list.replaceChildren(...ordered.map((item) => {
      const li = document.createElement("li");
      li.dataset.id = item.id;
      li.dataset.status = item.status;
      li.tabIndex = -1;
      if (item.id === selected) li.setAttribute("aria-current", "true");
      const quote = document.createElement("p");
      quote.className = "comment-text";
      quote.dir = "auto";
      quote.textContent = item.text;
      const meta = document.createElement("p");
      meta.className = "comment-meta";
      const onScreen = item.id === highlight;
      meta.textContent = [
        item.name || text.anonymous,
        text[`status_${item.status}`],
        format(text.supporters, { n: item.support }),
        onScreen ? text.on_screen : "",
      ].filter(Boolean).join(" · ");
      const tools = document.createElement("span");
      tools.className = "tools";
      if (item.status !== "published") tools.append(button(text.approve, "approve", item.id, "primary"));
      if (item.status !== "hidden") tools.append(button(text.hide, "hide", item.id));
      if (item.status !== "hidden") {
        tools.append(button(onScreen ? text.off_screen : text.show_on_screen, "screen", item.id));
      }
      li.append(quote, meta, tools);
      return li;
    }));
    section.querySelector("[data-queue-empty]").hidden = ordered.length > 0;
    const again = focusKey && list.querySelector(focusKey);
    if (again) again.focus();
  }

  const act = {
    approve: (id) => send({ type: "comment.status", comment: id, status: "published" }),
    hide: (id) => send({ type: "comment.status", comment: id, status: "hidden" }),
    screen: (id) => send({ type: "highlight", comment: highlight === id ? null : id }),
  };

  list.addEventListener("click", (event) => {
    const target = event.target.closest("button[data-queue-action]");
    const item = event.target.closest("li[data-id]");
    if (item) {
      selected = Number(item.dataset.id);
    }
    if (target) act[target.dataset.queueAction](Number(target.dataset.id));
    render();
  });

  return {
    setState(state) {
      highlight = state.highlight ? state.highlight.id : null;
      for (const name of ["comments", "premoderation", "ticker"]) {
        section.querySelector(`[data-setting=${name}]`).checked = state[name];
      }
      render();
    },
    setComments(message) {
      items = message.items;
      const pending = Object.values(message.pending || {}).reduce((a, b) => a + b, 0);
      badge.hidden = pending === 0;
      badge.textContent = format(text.pending_count, { n: pending });
      render();
      return message.pending || {};
    },
    move(delta) {
      const ordered = [...items].reverse();
      const index = ordered.findIndex((item) => item.id === selected);
      const next = ordered[Math.min(ordered.length - 1, Math.max(0, index + delta))];
      if (next) selected = next.id;
      render();
      const row = list.querySelector(`li[data-id="${selected}"]`);
      if (row) row.scrollIntoView({ block: "nearest" });
    },
    actOnSelected(action) {
      const item = items.find((i) => i.id === selected);
      if (item && !(item.status === "hidden" && action === "screen")) act[action](item.id);
    },
  };
}
