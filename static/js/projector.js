// The beamer: statement in large type, counts, the chart when results are shown.
import { createChart, renderChart, renderRoleCharts } from "./chart.js";
import { connectLive, showConnection } from "./socket.js";
import { format, readData, statementText, text } from "./text.js";

const main = document.getElementById("projector");
const conn = main.querySelector("[data-conn]");
const welcomeText = main.querySelector("[data-statement]").textContent;
let state = readData(main, "state");
let tally = readData(main, "tally");
let comments = null;

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

function render() {
  const statement = state.statement;
  main.classList.toggle("welcome", !statement);
  main.classList.toggle("has-statement", Boolean(statement));
  main.classList.toggle("qr-full", state.show_qr);
  document.body.classList.toggle("high-contrast", state.high_contrast);
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
  const voting = main.querySelector("[data-voting]");
  voting.textContent = state.voting ? text.voting_open : text.voting_closed;
  voting.classList.toggle("open", state.voting);
  renderTally();
  renderComments();
}

function renderTally() {
  const statement = state.statement;
  const fresh = tally && statement && tally.statement === statement.id;
  main.querySelector("[data-voters]").textContent = fresh ? tally.voters : 0;
  if (tally) main.querySelector("[data-connected]").textContent = tally.connected;
  // A highlighted comment takes the place of the results until the moderator removes it.
  const quoting = Boolean(statement && state.highlight);
  const showing = Boolean(fresh && tally.results) && !quoting;
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
  main.querySelector("[data-shift]").textContent = format(text.shift, {
    changed: s.changed, paired: s.paired, up: s.towards_agree, down: s.towards_disagree,
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

connectLive(main.dataset.code, "projector", {
  onMessage,
  onStatus: (value) => showConnection(conn, value, text),
});
render();
