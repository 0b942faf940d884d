// The moderator console: drive the room, edit the statement list, watch the live tally.
import { createChart, renderChart, renderRoleCharts } from "./chart.js";
import { commentQueue } from "./queue.js";
import { connectLive, showConnection } from "./socket.js";
import { decimal, format, readData, text } from "./text.js";

const main = document.getElementById("moderator");
const list = main.querySelector("[data-statements]");
const feedback = main.querySelector("[data-feedback]");
let state = readData(main, "state");
let tally = readData(main, "tally");
let editing = null; // id of the statement being edited inline
let requestId = 0;
let pendingByStatement = {};
const LANGUAGE_NAMES = { nl: "Nederlands", fr: "Français", en: "English" };
const queue = commentQueue(document.querySelector(".queue"), { send });
const ticketBox = document.querySelector("[data-tickets]"); // attendance tickets, in the top bar

function send(message) {
  requestId += 1;
  if (!live.send({ ...message, id: requestId })) {
    showFeedback(text.offline, true);
  }
}

function showFeedback(message, isError) {
  feedback.textContent = message;
  feedback.classList.toggle("error", Boolean(isError));
}

function button(label, action, extra = {}) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.dataset.action = action;
  Object.assign(element.dataset, extra);
  return element;
}

function metaText(statement) {
  const waiting = pendingByStatement[String(statement.id)] || 0;
  return `${statement.voters} ${text.voters}` +
    (waiting ? ` · ${format(text.pending_count, { n: waiting })}` : "");
}

// Counts change often; rebuilding the list would take the focus (and any edit) away.
function renderMeta() {
  for (const statement of state.statements) {
    const meta = list.querySelector(`li[data-id="${statement.id}"] .meta`);
    if (meta) meta.textContent = metaText(statement);
  }
}

const SORTS = {
  position: () => 0,
  consensus: (a, b) => (a.consensus ?? 2) - (b.consensus ?? 2),
  polarisation: (a, b) => (b.polarisation ?? -1) - (a.polarisation ?? -1),
  gap: (a, b) => (b.gap ?? -1) - (a.gap ?? -1),
};

function renderList() {
  const order = main.querySelector("[data-sort]").value;
  const sorted = [...state.statements].sort((a, b) => SORTS[order](a, b) || a.position - b.position);
  const items = sorted.map((statement) => {
    const index = statement.position;
    const item = document.createElement("li");
    item.dataset.id = statement.id;
    const isCurrent = state.statement && state.statement.id === statement.id;
    if (isCurrent) item.setAttribute("aria-current", "true");
    if (editing === statement.id) {
      const area = document.createElement("textarea");
      area.value = statement.text;
      area.maxLength = 280;
      area.rows = 3;
      area.dataset.editText = "";
      const scale = main.querySelector("#add-scale").cloneNode(true);
      scale.removeAttribute("id");
      scale.value = statement.scale;
      scale.dataset.editScale = "";
      scale.setAttribute("aria-label", text.edit);
      const translations = Object.entries(LANGUAGE_NAMES).map(([code, name]) => {
        const field = document.createElement("input");
        field.dataset.editTranslation = code;
        field.lang = code;
        field.maxLength = 280;
        field.value = (statement.translations || {})[code] || "";
        field.placeholder = name;
        field.setAttribute("aria-label", format(text.text_in, { language: name }));
        return field;
      });
      item.append(area, ...translations, scale,
        button(text.save, "save-edit", { id: statement.id }),
        button(text.cancel, "cancel-edit"));
      return item;
    }
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = statement.text;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = metaText(statement);
    const tools = document.createElement("span");
    tools.className = "tools";
    tools.append(
      button(isCurrent ? text.on_screen : text.show, "goto", { id: statement.id }),
      button("↑", "move", { id: statement.id, position: index - 1 }),
      button("↓", "move", { id: statement.id, position: index + 1 }),
      button(text.edit, "edit", { id: statement.id }),
      button(text.delete, "delete", { id: statement.id }),
    );
    tools.children[0].disabled = isCurrent;
    tools.children[1].disabled = index === 0;
    tools.children[1].setAttribute("aria-label", text.move_up);
    tools.children[2].disabled = index === state.statements.length - 1;
    tools.children[2].setAttribute("aria-label", text.move_down);
    item.append(body, meta, tools);
    return item;
  });
  list.replaceChildren(...items);
}

function render() {
  const statement = state.statement;
  main.querySelector("[data-position]").textContent = statement
    ? format(text.statement_of, { n: state.index + 1, total: state.count })
    : main.dataset.welcomeLabel;
  main.querySelector("[data-statement]").textContent = statement ? statement.text : main.dataset.emptyLabel;
  const votingButton = main.querySelector("[data-voting-button]");
  votingButton.textContent = state.voting ? main.dataset.closeLabel : main.dataset.openLabel;
  votingButton.disabled = !statement;
  main.querySelector("[data-voting]").textContent = state.voting ? text.voting_open : text.voting_closed;
  main.querySelector("[data-action=toggle-projector]").setAttribute("aria-pressed", String(state.results_projector));
  main.querySelector("[data-action=toggle-phones]").setAttribute("aria-pressed", String(state.results_phones));
  main.querySelector("[data-action=prev]").disabled = state.index === 0;
  main.querySelector("[data-action=next]").disabled = state.index === state.count - 1;
  main.querySelector("[data-action=reset]").disabled = !statement;
  main.querySelector("[data-action=round]").disabled = !statement || statement.round === 2;
  const byRole = main.querySelector("[data-action=toggle-by-role]");
  byRole.hidden = !state.roles.length;
  byRole.setAttribute("aria-pressed", String(state.by_role));
  queue.setState(state);
  for (const box of main.querySelectorAll(".projector-settings [data-setting]")) {
    box.checked = state[box.dataset.setting];
  }
  main.querySelector("[data-second-language]").value = state.second_language || "";
  renderList();
  renderTally();
}

function renderTickets() {
  const counts = tally && tally.tickets;
  ticketBox.hidden = !counts && !state.tickets;
  ticketBox.querySelector("[data-tickets-required]").checked = Boolean(state.tickets);
  const count = ticketBox.querySelector("[data-ticket-count]");
  count.textContent = counts ? `${counts.redeemed}/${counts.printed}` : "";
  count.title = counts ? format(text.tickets_used, { redeemed: counts.redeemed, printed: counts.printed }) : "";
}

// New participants in the last minute, and a warning when that looks like a script.
function renderJoins() {
  const joins = tally && tally.joins;
  if (!joins) return;
  document.querySelector("[data-joins]").textContent = format(text.joins, { n: joins.last_minute });
  const warning = document.querySelector("[data-join-warning]");
  warning.hidden = !joins.warning;
  warning.textContent = joins.warning === "refused" ? format(text.join_refused, { n: joins.refused })
    : joins.warning ? text.join_surge : "";
}

function renderTally() {
  const statement = state.statement;
  renderTickets();
  if (tally) document.querySelector("[data-connected]").textContent = tally.connected;
  renderJoins();
  const fresh = tally && statement && tally.statement === statement.id;
  main.querySelector("[data-voters]").textContent = fresh ? tally.voters : 0;
  main.querySelector(".live").hidden = !statement;
  if (!statement) return;
  const results = fresh ? tally.results : null;
  renderChart(main.querySelector("[data-chart]"), statement.options, results);
  const metrics = main.querySelector("[data-metrics]");
  const rows = [
    [text.agreement, decimal(results && results.agreement)],
    [text.consensus, decimal(results && results.consensus)],
    [text.mean, decimal(results && results.mean)],
    ["", results ? format(text.pass_count, { n: results.pass }) : ""],
  ];
  metrics.replaceChildren(...rows.flatMap(([term, value]) => {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    return [dt, dd];
  }));
  renderRound(statement, fresh ? tally : null);
  renderRoles(statement, fresh ? tally : null);
}

function renderRound(statement, current) {
  const first = main.querySelector("[data-first-round]");
  const shift = main.querySelector("[data-shift]");
  const second = Boolean(current && current.first);
  first.hidden = !second;
  shift.hidden = !second;
  if (!second) return;
  const holder = first.querySelector("[data-first-chart]");
  if (!holder.firstChild) holder.append(createChart(false));
  renderChart(holder.firstChild, statement.options, current.first);
  const s = current.shift;
  shift.textContent = `${format(text.round_label, { n: 2 })}: ` + format(text.shift, {
    changed: s.changed, paired: s.paired, up: s.towards_agree, down: s.towards_disagree,
  });
}

function renderRoles(statement, current) {
  const section = main.querySelector("[data-by-role]");
  section.hidden = !(current && current.by_role);
  if (section.hidden) return;
  const turnout = new Map(current.turnout.map((t) => [t.role, t]));
  const gap = current.gap;
  section.querySelector("[data-gap]").textContent = gap
    ? format(text.gap, { a: gap.roles[0], b: gap.roles[1], gap: decimal(gap.mean_gap) }) : text.no_gap;
  renderRoleCharts(section.querySelector("[data-role-charts]"), statement.options, current.by_role,
    { none: text.role_none, tooFew: text.too_few });
  for (const row of section.querySelectorAll(".role-row")) {
    const t = turnout.get(row.dataset.role === "" ? null : row.dataset.role);
    if (!t) continue;
    const note = document.createElement("p");
    note.className = "turnout";
    note.textContent = format(text.turnout, { voters: t.voters, participants: t.participants });
    row.querySelector(".role-name").after(note);
  }
}

const actions = {
  prev: () => send({ type: "prev" }),
  next: () => send({ type: "next" }),
  welcome: () => send({ type: "goto", statement: null }),
  "toggle-voting": () => send({ type: "voting", open: !state.voting }),
  "toggle-projector": () => send({ type: "results", target: "projector", shown: !state.results_projector }),
  "toggle-phones": () => send({ type: "results", target: "phones", shown: !state.results_phones }),
  reset: () => {
    if (state.statement && confirm(text.confirm_reset)) send({ type: "reset", statement: state.statement.id });
  },
  goto: (data) => send({ type: "goto", statement: Number(data.id) }),
  move: (data) => send({ type: "statement.move", statement: Number(data.id), position: Number(data.position) }),
  edit: (data) => { editing = Number(data.id); renderList(); list.querySelector("[data-edit-text]").focus(); },
  "cancel-edit": () => { editing = null; renderList(); },
  "save-edit": (data) => {
    const item = list.querySelector(`li[data-id="${data.id}"]`);
    send({
      type: "statement.edit", statement: Number(data.id),
      text: item.querySelector("[data-edit-text]").value,
      scale: item.querySelector("[data-edit-scale]").value,
      translations: Object.fromEntries([...item.querySelectorAll("[data-edit-translation]")]
        .map((field) => [field.dataset.editTranslation, field.value])),
    });
    editing = null;
  },
  delete: (data) => {
    if (confirm(text.confirm_delete)) send({ type: "statement.delete", statement: Number(data.id) });
  },
  help: () => document.querySelector("[data-help]").showModal(),
  round: () => {
    if (state.statement && confirm(text.confirm_round)) send({ type: "round", statement: state.statement.id });
  },
  "toggle-by-role": () => send({ type: "settings", by_role: !state.by_role }),
};

main.querySelector("[data-sort]").addEventListener("change", () => renderList());
main.querySelector("[data-second-language]").addEventListener("change", (event) => {
  send({ type: "settings", second_language: event.target.value || null });
});

main.querySelector("[data-roles-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const roles = event.currentTarget.roles.value.split(",").map((r) => r.trim()).filter(Boolean);
  send({ type: "roles", roles });
});

main.addEventListener("click", (event) => {
  const target = event.target.closest("button[data-action]");
  if (!target || !actions[target.dataset.action]) return;
  actions[target.dataset.action](target.dataset);
});

ticketBox.addEventListener("change", (event) => {
  send({ type: "tickets", required: event.target.checked });
});

main.addEventListener("change", (event) => {
  const setting = event.target.dataset.setting;
  if (setting) send({ type: "settings", [setting]: event.target.checked });
});

// Keyboard shortcuts (listed in the help dialog). Keys typed into a field stay there;
// Space and the arrows keep their usual meaning on buttons and other controls.
const SHORTCUTS = {
  ArrowRight: () => !main.querySelector("[data-action=next]").disabled && actions.next(),
  ArrowLeft: () => !main.querySelector("[data-action=prev]").disabled && actions.prev(),
  " ": () => state.statement && actions["toggle-voting"](),
  r: () => actions["toggle-projector"](),
  ArrowDown: () => queue.move(+1),
  ArrowUp: () => queue.move(-1),
  a: () => queue.actOnSelected("approve"),
  h: () => queue.actOnSelected("hide"),
  s: () => queue.actOnSelected("screen"),
  "?": () => actions.help(),
};
const NAVIGATION_KEYS = new Set([" ", "ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp"]);

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target;
  if (target.closest("input, textarea, select, dialog[open]")) return;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (NAVIGATION_KEYS.has(key) && target.closest("button, a, [role=button]")) return;
  const shortcut = SHORTCUTS[key];
  if (!shortcut) return;
  event.preventDefault();
  shortcut();
});

main.querySelector("[data-add]").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const texts = form.texts.value.split("\n").map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  if (!texts.length) return;
  send({ type: "statement.add", texts, scale: form.scale.value });
  form.dataset.pendingClear = String(requestId);
});

// Writes failing (disk full, read-only database): said at the top until they work again.
function renderStorage(storage) {
  const alert = document.querySelector("[data-storage]");
  alert.hidden = storage.ok;
  alert.textContent = storage.ok ? "" : `${text.storage_failing} ${storage.message || ""}`;
}

function onMessage(message) {
  switch (message.type) {
    case "state":
      state = message;
      render();
      break;
    case "tally":
      tally = message;
      renderTally();
      break;
    case "comments":
      pendingByStatement = queue.setComments(message);
      renderMeta();
      break;
    case "ok": {
      showFeedback("", false);
      const form = main.querySelector("[data-add]");
      if (form.dataset.pendingClear === String(message.ref)) {
        form.texts.value = "";
        delete form.dataset.pendingClear;
      }
      break;
    }
    case "error":
      showFeedback(message.message, true);
      renderTickets(); // a refused switch goes back to what the room has
      break;
    case "welcome":
      if (message.storage) renderStorage(message.storage);
      break;
    case "health":
      renderStorage(message.storage);
      break;
    case "pong":
      break;
    default:
      console.warn("voting: unknown message", message.type);
  }
}

const live = connectLive(main.dataset.code, "moderator", {
  onMessage,
  onStatus: (value) => showConnection(document.querySelector("[data-conn]"), value, text),
});
render();
