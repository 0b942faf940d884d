// The moderator console: drive the room, edit the statement list, watch the live tally.
import { createChart, renderChart, renderRoleCharts } from "./chart.js";
import { bindPresenterKeys } from "./keys.js";
import { bilingualConsole } from "./console_languages.js";
import { commentQueue } from "./queue.js";
import { opinionMapView } from "./opinion_map.js";
import { connectLive, showConnection } from "./socket.js";
import { decimal, format, readData, roleLabel, text } from "./text.js";

const main = document.getElementById("moderator");
const list = main.querySelector("[data-statements]");
const feedback = main.querySelector("[data-feedback]");
let state = readData(main, "state");
let tally = readData(main, "tally");
let editing = null; // id of the statement being edited inline
let requestId = 0;
let lastSent = null;
let pendingByStatement = {};
let commentCount = { statement: null, n: 0 }; // comments on the current statement (the queue's items)
let clockOffset = 0; // server clock minus ours, in seconds (from state.server_time)
const edits = new Map(); // request id → the statement.edit message, to send again once confirmed
const plural = new Intl.PluralRules(document.documentElement.lang || "nl");
const LANGUAGE_NAMES = { nl: "Nederlands", fr: "Français", en: "English" };
const queue = commentQueue(document.querySelector(".queue"), { send });
const ticketBox = document.querySelector("[data-tickets]"); // attendance tickets, in the top bar
const opinion = opinionMapView(document.querySelector("[data-map-view]"), { code: main.dataset.code, send, roleLabel });

function send(message) {
  requestId += 1;
  lastSent = message;
  if (!live.send({ ...message, id: requestId })) {
    showFeedback(text.offline, true);
  }
  return requestId;
}

// "1 vote", "2 votes": the form the page's language uses for n (text keys `<base>_one`,
// `<base>_other`; French "many" and the like fall back to "other").
function counted(base, n) {
  const form = text[`${base}_${plural.select(n)}`] || text[`${base}_other`] || `{n}`;
  return format(form, { n });
}

function serverNow() {
  return Date.now() / 1000 + clockOffset;
}

// What the statement list shows as a statement's vote count: live from the tally for the
// statement on screen, from the state for the others.
function votesOf(statement) {
  const live = tally && state.statement && tally.statement === statement.id && statement.id === state.statement.id;
  return live ? tally.voters : statement.voters;
}

function quoted(statementText) {
  const short = statementText.length > 80 ? `${statementText.slice(0, 77)}…` : statementText;
  return short;
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
  return counted("votes", votesOf(statement)) +
    (waiting ? ` · ${format(text.pending_count, { n: waiting })}` : "");
}

// Marks on a statement: its text changed after votes, a translation older than the text,
// a language of the room without a translation.
function flags(statement) {
  const marks = [];
  if (statement.edited) marks.push(["edited", text.flag_edited]);
  for (const code of statement.stale || []) marks.push(["stale", format(text.flag_stale, { language: code.toUpperCase() })]);
  for (const code of statement.missing || []) marks.push(["missing", format(text.flag_missing, { language: code.toUpperCase() })]);
  return marks.map(([kind, label]) => {
    const mark = document.createElement("span");
    mark.className = `flag flag-${kind}`;
    mark.dataset.flag = kind;
    mark.textContent = label;
    return mark;
  });
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
    const marks = document.createElement("span");
    marks.className = "flags";
    marks.append(...flags(statement));
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
    item.append(body, meta, marks, tools);
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
  main.querySelector("[data-action=toggle-projector]").setAttribute("aria-pressed", String(state.results_projector));
  main.querySelector("[data-action=toggle-phones]").setAttribute("aria-pressed", String(state.results_phones));
  main.querySelector("[data-action=prev]").disabled = !statement || state.index === 0;
  main.querySelector("[data-action=back]").disabled = !statement;
  main.querySelector("[data-action=next]").disabled = state.index === state.count - 1 || !state.count;
  main.querySelector("[data-action=blank]").setAttribute("aria-pressed", String(Boolean(state.blank)));
  main.querySelector("[data-action=end]").setAttribute("aria-pressed", String(Boolean(state.ended)));
  renderNextStep();
  renderScreen();
  renderCountdown();
  renderUndo();
  main.querySelector("[data-action=reset]").disabled = !statement;
  main.querySelector("[data-action=round]").disabled = !statement || statement.round === 2;
  const byRole = main.querySelector("[data-action=toggle-by-role]");
  byRole.hidden = !state.roles.length;
  byRole.setAttribute("aria-pressed", String(state.by_role));
  // The projector shows a highlighted comment in place of the results: say so at the toggle.
  main.querySelector("[data-results-note]").hidden = !(statement && state.highlight);
  queue.setState(state);
  opinion.update(state);
  languages.setState(state);
  for (const box of main.querySelectorAll(".projector-settings [data-setting]")) {
    box.checked = Boolean(state[box.dataset.setting]);
  }
  main.querySelector("[data-second-language]").value = state.second_language || "";
  renderList();
  renderTally();
}

// The one obvious next step, as the server would take it (state.can_advance), else derived.
const STEP_LABELS = {
  show: () => format(text.step_show, { n: 1 }),
  open: () => text.step_open,
  close_and_show: () => text.step_close_and_show,
  next: () => text.step_next,
  end: () => text.step_end,
};

function nextStep() {
  if (state.can_advance !== undefined) return state.can_advance;
  if (state.ended) return null;
  const statement = state.statement;
  if (!statement) return state.count ? "show" : null;
  if (state.voting) return "close_and_show";
  const votes = votesOf(statement);
  if (!votes && !state.results_projector) return "open";
  return state.index < state.count - 1 ? "next" : "end";
}

function renderNextStep() {
  const step = nextStep();
  const primary = main.querySelector("[data-next-step]");
  primary.dataset.step = step || "";
  primary.disabled = !step;
  primary.textContent = step && STEP_LABELS[step] ? STEP_LABELS[step]() : state.ended ? text.step_done : text.step_none;
}

function nextStatement() {
  if (state.ended) return null;
  const index = state.statement ? state.index + 1 : 0;
  return state.statements[index] || null;
}

function renderScreen() {
  const upcoming = nextStatement();
  const next = main.querySelector("[data-next-statement]");
  next.textContent = upcoming
    ? `${format(text.statement_of, { n: upcoming.position + 1, total: state.count })}: ${upcoming.text}`
    : state.ended ? "" : text.next_end;
  const mode = state.ended ? text.screen_end : state.blank ? text.screen_blank : "";
  main.querySelector("[data-screen-state]").textContent = mode ? `· ${mode}` : "";
}

// The countdown's remaining time, from its end on the server's clock.
let countdownTimer = null;
function renderCountdown() {
  const left = main.querySelector("[data-countdown-left]");
  const stop = main.querySelector("[data-action=countdown-stop]");
  const countdown = state.countdown;
  stop.hidden = !countdown;
  left.hidden = !countdown;
  for (const preset of main.querySelectorAll("[data-action=countdown]")) preset.disabled = !state.statement;
  clearInterval(countdownTimer);
  if (!countdown) return;
  const tick = () => {
    const seconds = Math.max(0, Math.ceil(countdown.ends_at - serverNow()));
    left.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    left.title = format(text.countdown_left, { time: left.textContent });
    if (!seconds) clearInterval(countdownTimer);
  };
  tick();
  countdownTimer = setInterval(tick, 250);
}

// Undo for a reset or a deleted statement, while the server still offers it.
const undoBar = document.querySelector("[data-undo-bar]");
let undoTimer = null;
function renderUndo() {
  clearInterval(undoTimer);
  let shown = null;
  const draw = () => {
    const offers = (state.undo || []).filter((offer) => offer.expires_at > serverNow());
    const ids = offers.map((offer) => offer.id).join(" ");
    if (ids !== shown) { // rebuilt only when the offers change, so a focused Undo keeps its focus
      shown = ids;
      undoBar.hidden = !offers.length;
      undoBar.replaceChildren(...offers.map((offer) => {
        const row = document.createElement("p");
        row.className = "undo";
        row.dataset.undo = offer.id;
        const what = document.createElement("span");
        what.textContent = format(offer.action === "delete" ? text.undo_delete : text.undo_reset,
          { text: quoted(offer.label) });
        const left = document.createElement("span");
        left.className = "left";
        row.append(what, button(text.undo, "undo", { undo: offer.id }), left);
        return row;
      }));
    }
    for (const offer of offers) {
      undoBar.querySelector(`[data-undo="${offer.id}"] .left`).textContent =
        format(text.seconds_left, { n: Math.ceil(offer.expires_at - serverNow()) });
    }
    if (!offers.length) clearInterval(undoTimer);
  };
  draw();
  if (!undoBar.hidden) undoTimer = setInterval(draw, 1000);
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
  renderCounts(fresh ? tally.voters : 0);
  renderMeta();
  renderNextStep();
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

// "42 of 51 voted": voters against the people who joined the event (tally.joined).
function renderCounts(voters) {
  const counts = main.querySelector("[data-counts]");
  const number = document.createElement("strong");
  number.dataset.voters = "";
  number.textContent = voters;
  const joined = tally && tally.joined;
  const sentence = joined !== undefined && joined !== null
    ? format(text.voted_of, { joined })
    : (text[`votes_${plural.select(voters)}`] || text.votes_other).replace("{n}", "{voters}");
  const [before, after = ""] = sentence.split("{voters}");
  const voting = document.createElement("span");
  voting.dataset.voting = "";
  voting.textContent = state.voting ? text.voting_open : text.voting_closed;
  counts.replaceChildren(before, number, `${after} · `, voting);
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
    ? format(text.gap, { a: roleLabel(gap.roles[0]), b: roleLabel(gap.roles[1]), gap: decimal(gap.mean_gap) })
    : text.no_gap;
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

// What a reset or a deletion takes away, said in the confirmation.
function losses(statement) {
  const current = state.statement && state.statement.id === statement.id;
  const comments = statement.comments ?? (current ? commentCount.n : pendingByStatement[String(statement.id)] || 0);
  return { text: quoted(statement.text), votes: counted("votes", votesOf(statement)), comments: counted("comments", comments) };
}

function listed(id) {
  return state.statements.find((s) => s.id === id) || (state.statement && state.statement.id === id ? state.statement : null);
}

// On a tablet the statement list is a side panel over the cockpit (CSS), opened from the top bar.
function toggleList(open = !document.body.classList.contains("list-open")) {
  document.body.classList.toggle("list-open", open);
  document.querySelector(".list-toggle").setAttribute("aria-expanded", String(open));
}

const actions = {
  advance: () => send({ type: "advance" }),
  back: () => send({ type: "back" }),
  prev: () => send({ type: "prev" }),
  next: () => send({ type: "next" }),
  blank: () => send({ type: "settings", blank: !state.blank }),
  end: () => send({ type: "end", on: !state.ended }),
  countdown: (data) => send({ type: "countdown", seconds: Number(data.seconds) }),
  "countdown-stop": () => send({ type: "countdown", seconds: null }),
  undo: (data) => send({ type: "undo", undo: data.undo }),
  "toggle-list": () => toggleList(),
  welcome: () => send({ type: "goto", statement: null }),
  "toggle-voting": () => send({ type: "voting", open: !state.voting }),
  "toggle-projector": () => send({ type: "results", target: "projector", shown: !state.results_projector }),
  "toggle-phones": () => send({ type: "results", target: "phones", shown: !state.results_phones }),
  reset: () => {
    const statement = state.statement && listed(state.statement.id);
    if (statement && confirm(format(text.confirm_reset, losses(statement)))) {
      send({ type: "reset", statement: statement.id });
    }
  },
  goto: (data) => {
    send({ type: "goto", statement: Number(data.id) });
    toggleList(false); // on a tablet the list is a side panel: out of the way once picked
  },
  move: (data) => send({ type: "statement.move", statement: Number(data.id), position: Number(data.position) }),
  edit: (data) => { editing = Number(data.id); renderList(); list.querySelector("[data-edit-text]").focus(); },
  "cancel-edit": () => { editing = null; renderList(); },
  "save-edit": (data) => {
    const item = list.querySelector(`li[data-id="${data.id}"]`);
    const id = send({
      type: "statement.edit", statement: Number(data.id),
      text: item.querySelector("[data-edit-text]").value,
      scale: item.querySelector("[data-edit-scale]").value,
      translations: Object.fromEntries([...item.querySelectorAll("[data-edit-translation]")]
        .map((field) => [field.dataset.editTranslation, field.value])),
    });
    edits.set(id, lastSent);
    editing = null;
  },
  delete: (data) => {
    const statement = listed(Number(data.id));
    if (statement && confirm(format(text.confirm_delete, losses(statement)))) {
      send({ type: "statement.delete", statement: statement.id });
    }
  },
  help: () => document.querySelector("[data-help]").showModal(),
  round: () => {
    if (state.statement && confirm(text.confirm_round)) send({ type: "round", statement: state.statement.id });
  },
  "toggle-by-role": () => send({ type: "settings", by_role: !state.by_role }),
  "toggle-map-view": () => opinion.toggle(),
  "toggle-show-map": () => opinion.toggleProjector(),
};

main.querySelector("[data-sort]").addEventListener("change", () => renderList());
main.querySelector("[data-second-language]").addEventListener("change", (event) => {
  send({ type: "settings", second_language: event.target.value || null });
});

const languages = bilingualConsole(main, { send }); // the roles editor and the add box's preview

document.addEventListener("click", (event) => {
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

// Presenter keys (static/js/keys.js, as on the projector): PageDown, → and Space take the
// next step, PageUp and ← go back, B blacks the projector out. They never scroll the page.
bindPresenterKeys({
  send,
  isBlank: () => Boolean(state.blank),
  allowed: () => !document.querySelector("dialog[open]"),
});

// The console's own shortcuts (listed in the help dialog). Keys typed into a field stay
// there; the arrows keep their usual meaning on buttons and other controls.
const SHORTCUTS = {
  r: () => actions["toggle-projector"](),
  ArrowDown: () => queue.move(+1),
  ArrowUp: () => queue.move(-1),
  a: () => queue.actOnSelected("approve"),
  h: () => queue.actOnSelected("hide"),
  s: () => queue.actOnSelected("screen"),
  "?": () => actions.help(),
};
const NAVIGATION_KEYS = new Set(["ArrowDown", "ArrowUp"]);

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.body.classList.contains("list-open")) toggleList(false);
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
      if (typeof state.server_time === "number") clockOffset = state.server_time - Date.now() / 1000;
      render();
      break;
    case "tally":
      tally = message;
      renderTally();
      break;
    case "comments":
      pendingByStatement = queue.setComments(message);
      commentCount = { statement: message.statement, n: (message.items || []).length };
      renderMeta();
      break;
    case "ok": {
      showFeedback("", false);
      edits.delete(message.ref);
      const form = main.querySelector("[data-add]");
      if (form.dataset.pendingClear === String(message.ref)) {
        form.texts.value = "";
        delete form.dataset.pendingClear;
      }
      break;
    }
    case "error":
      if (message.code === "confirm_edit" && edits.has(message.ref)) {
        // The statement has votes: say what changing its text means, then send it again.
        const edit = edits.get(message.ref);
        edits.delete(message.ref);
        if (confirm(message.message)) send({ ...edit, confirm: true });
        break;
      }
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

// The mirror: the projector page drawn at 1920×1080 and scaled to its panel's width.
const mirror = main.querySelector("[data-mirror]");
new ResizeObserver(() => {
  mirror.style.setProperty("--mirror-scale", String(mirror.clientWidth / 1920));
}).observe(mirror);

main.querySelector("[data-countdown-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const field = event.currentTarget.seconds;
  const seconds = Number(field.value);
  if (!field.value || !Number.isFinite(seconds)) return;
  send({ type: "countdown", seconds: Math.round(seconds) });
});

const live = connectLive(main.dataset.code, "moderator", {
  onMessage,
  onStatus: (value) => showConnection(document.querySelector("[data-conn]"), value, text),
});
render();
