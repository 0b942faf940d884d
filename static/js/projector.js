// The beamer: statement in large type, counts, the chart when results are shown; the
// round-2 banner, the countdown, the end screen and black. A projector opened in the
// browser that holds the moderator's session also takes the presenter keys.
import { createChart, renderChart, renderRoleCharts } from "./chart.js";
import { bindPresenterKeys, toggleFullscreen } from "./keys.js";
import { connectLive, showConnection } from "./socket.js";
import { projectorMap } from "./projector_map.js";
import { format, readData, statementText, text } from "./text.js";

const main = document.getElementById("projector");
const conn = main.querySelector("[data-conn]");
const welcomeText = main.querySelector("[data-statement]").textContent;
const publicHost = main.dataset.public;
const plural = new Intl.PluralRules(document.documentElement.lang || "nl");
const opinionMap = projectorMap(main); // the opinion map, while the moderator shows it
let state = readData(main, "state");
let tally = readData(main, "tally");
let comments = null;
let live = null;
// The server's clock minus ours (ms), from the state's server_time: a countdown ends at the
// same moment on every screen even when this computer's clock is off.
let clockOffset = 0;
let countdownTimer = null;

function sizeClass(length) {
  if (length <= 70) return "size-xl";
  if (length <= 130) return "size-l";
  if (length <= 200) return "size-m";
  if (length <= 290) return "size-s";
  return "size-xs";
}

// The event may show every statement in a second language too (e.g. Dutch above, French
// below): its translation, or the original when the first line is a translation.
function secondText(statement, primary) {
  const language = state.second_language;
  if (!language || language === document.documentElement.lang) return null;
  const translated = statement.translations && statement.translations[language];
  const text = translated || (primary !== statement.text ? statement.text : null);
  return text && text !== primary ? text : null;
}

function syncClock() {
  if (typeof state.server_time === "number") clockOffset = state.server_time * 1000 - Date.now();
}

function render() {
  const statement = state.statement;
  main.classList.toggle("welcome", !statement);
  main.classList.toggle("has-statement", Boolean(statement));
  main.classList.toggle("qr-full", Boolean(state.show_qr));
  document.body.classList.toggle("high-contrast", Boolean(state.high_contrast));
  document.body.classList.toggle("blank", Boolean(state.blank));
  main.toggleAttribute("data-presenter", Boolean(state.presenter));
  const heading = main.querySelector("[data-statement]");
  const primary = statement ? statementText(statement) : welcomeText;
  const second = statement ? secondText(statement, primary) : null;
  heading.textContent = primary;
  const length = primary.length + (second ? second.length : 0);
  heading.className = `statement ${statement ? sizeClass(length) : "size-xl"}`;
  const other = main.querySelector("[data-statement-second]");
  other.hidden = !second;
  other.textContent = second || "";
  other.lang = state.second_language || "";
  other.className = `statement second-language ${sizeClass(length)}`;
  main.querySelector("[data-position]").textContent = statement
    ? format(text.statement_of, { n: state.index + 1, total: state.count }) : "";
  // A second round: the room is told to vote again while it is open.
  const banner = main.querySelector("[data-round-banner]");
  banner.hidden = !(statement && statement.round === 2 && state.voting);
  banner.textContent = format(text.round_again, { n: 2 });
  const voting = main.querySelector("[data-voting]");
  voting.textContent = state.voting ? text.voting_open : text.voting_closed;
  voting.classList.toggle("open", state.voting);
  renderEnd();
  opinionMap.render(state);
  renderCountdown();
  renderTally();
  renderComments();
}

function renderEnd() {
  const end = main.querySelector("[data-end]");
  end.hidden = !state.ended;
  if (!state.ended) return;
  const n = state.end ? state.end.participants : 0;
  const template = plural.select(n) === "one" ? text.took_part_one : text.took_part_other;
  end.querySelector("[data-end-count]").textContent = format(template, { n });
  const report = state.end && state.end.report;
  end.querySelector("[data-end-report]").textContent = report
    ? format(text.report_at, { url: `${publicHost}${report}` }) : text.report_later;
}

// -- the countdown: remaining time from the server's deadline and our clock offset --------

function remainingSeconds() {
  const countdown = state.countdown;
  return Math.max(0, Math.ceil((countdown.ends_at * 1000 - (Date.now() + clockOffset)) / 1000));
}

function clock(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function renderCountdown() {
  const box = main.querySelector("[data-countdown]");
  const running = Boolean(state.countdown && state.statement && !state.ended);
  box.hidden = !running;
  main.querySelector("[data-voting]").hidden = running;
  clearInterval(countdownTimer);
  countdownTimer = null;
  if (!running) return;
  const tick = () => {
    const left = remainingSeconds();
    const time = clock(left);
    const label = box.querySelector("[data-countdown-time]");
    if (label.textContent !== time) label.textContent = time;
    box.setAttribute("aria-label", format(text.countdown_left, { time }));
    const total = Math.max(1, state.countdown.seconds || left);
    box.querySelector("[data-countdown-ring]").style.strokeDashoffset = String(100 - (100 * left) / total);
    box.classList.toggle("ending", left <= 10);
    // At zero the server closes voting; until its state arrives the clock stays at 0:00.
    if (left === 0) {
      clearInterval(countdownTimer);
      countdownTimer = null;
    }
  };
  tick();
  if (remainingSeconds() > 0) countdownTimer = setInterval(tick, 250);
}

// -- counts and results ------------------------------------------------------------------

function renderTurnout(voters, joined) {
  // "42 of 51 voted": the people who joined the event, never fewer than those who voted.
  const people = Math.max(joined, voters);
  const parts = text.turnout.split(/(\{voters\}|\{participants\})/);
  main.querySelector("[data-turnout]").replaceChildren(...parts.filter(Boolean).map((part) => {
    if (part !== "{voters}" && part !== "{participants}") return document.createTextNode(part);
    const strong = document.createElement("strong");
    if (part === "{voters}") strong.dataset.voters = "";
    else strong.dataset.joined = "";
    strong.textContent = String(part === "{voters}" ? voters : people);
    return strong;
  }));
}

function renderTally() {
  const statement = state.statement;
  const fresh = tally && statement && tally.statement === statement.id;
  const joined = tally ? (tally.joined ?? tally.connected) : 0;
  renderTurnout(fresh ? tally.voters : 0, joined);
  // A highlighted comment takes the place of the results until the moderator removes it.
  const quoting = Boolean(statement && state.highlight);
  const showing = Boolean(fresh && tally.results) && !quoting;
  main.dataset.mode = state.ended ? "end" : showing ? "results" : statement ? "statement" : "welcome";
  // What the results look like: split by role, two rounds side by side, or one chart.
  const view = !showing ? "none"
    : state.by_role && tally.by_role ? "roles" : tally.first ? "rounds" : "chart";
  const results = main.querySelector("[data-results]");
  results.hidden = view !== "chart";
  main.querySelector("[data-results-hidden]").hidden = showing || quoting || !statement;
  main.querySelector("[data-rounds]").hidden = view !== "rounds";
  main.querySelector("[data-by-role]").hidden = view !== "roles";
  if (view === "chart") renderChart(results.querySelector("[data-chart]"), statement.options, tally.results);
  if (view === "rounds") renderRounds(statement);
  if (view === "roles") {
    renderRoleCharts(main.querySelector("[data-by-role]"), statement.options, tally.by_role,
      { none: text.role_none, tooFew: text.too_few });
  }
}

function renderRounds(statement) {
  for (const [round, results] of [["1", tally.first], ["2", tally.results]]) {
    const holder = main.querySelector(`[data-round-chart="${round}"]`);
    if (!holder.firstChild) holder.append(createChart(round === "2"));
    renderChart(holder.firstChild, statement.options, results);
  }
  const s = tally.shift;
  main.querySelector("[data-shift]").textContent = format(s.other ? text.shift_pass : text.shift, {
    changed: s.changed, paired: s.paired, up: s.towards_agree, down: s.towards_disagree, other: s.other,
  });
}

function renderComments() {
  const quote = main.querySelector("[data-highlight]");
  // Which comment: the state says; its latest support count comes with the comment frames.
  const fresher = comments && comments.highlight;
  const highlight = fresher && state.highlight && fresher.id === state.highlight.id ? fresher : state.highlight;
  quote.hidden = !(state.statement && highlight);
  if (highlight) {
    quote.querySelector("[data-highlight-text]").textContent = highlight.text;
    quote.querySelector("[data-highlight-name]").textContent = highlight.name || text.anonymous;
    quote.querySelector("[data-highlight-support]").textContent =
      highlight.support ? format(text.me_too_count, { n: highlight.support }) : "";
  }
  const ticker = main.querySelector("[data-ticker]");
  const items = comments && state.statement && comments.statement === state.statement.id ? comments.items : [];
  ticker.hidden = !(state.ticker && !highlight && items.length);
  ticker.replaceChildren(...items.slice(-3).map((item) => {
    const li = document.createElement("li");
    li.dir = "auto";
    li.textContent = item.name ? `${item.text} — ${item.name}` : item.text;
    return li;
  }));
}

function onMessage(message) {
  switch (message.type) {
    case "state":
      state = message;
      syncClock();
      render();
      break;
    case "tally":
      tally = message;
      renderTally();
      break;
    case "comments":
      comments = message;
      renderComments();
      break;
    case "welcome":
    case "pong":
    case "ok":
      break;
    case "error":
      console.warn("voting:", message.code, message.message);
      break;
    default:
      console.warn("voting: unknown message", message.type);
  }
}

// Full screen: the button (hidden while full screen) and F on every projector.
const fullscreenButton = main.querySelector("[data-fullscreen]");
fullscreenButton.addEventListener("click", () => toggleFullscreen());
document.addEventListener("fullscreenchange", () => {
  fullscreenButton.hidden = Boolean(document.fullscreenElement);
});

live = connectLive(main.dataset.code, "projector", {
  onMessage,
  onStatus: (value) => showConnection(conn, value, text),
});
// Clicker and keyboard: only when the server says this screen is the moderator's.
bindPresenterKeys({
  send: (message) => live.send(message),
  isBlank: () => Boolean(state.blank),
  onFullscreen: () => toggleFullscreen(),
  allowed: () => Boolean(state.presenter),
});
syncClock();
render();
