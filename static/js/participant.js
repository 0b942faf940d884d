// The phone: current statement, vote buttons, "saved" feedback, results when revealed;
// a fresh ballot after a reset or a second round, the countdown, the end screen.
import { renderChart } from "./chart.js";
import { phoneComments } from "./comments.js";
import { connectLive, showConnection } from "./socket.js";
import { format, readData, roleLabel, statementText, text } from "./text.js";

const main = document.getElementById("participant");
const form = main.querySelector("[data-options]");
const status = main.querySelector("[data-vote-status]");
const conn = document.querySelector("[data-conn]");

let state = readData(main, "state");
let tally = readData(main, "tally");
let votes = readData(main, "votes") || {};
let voteRounds = readData(main, "voteRounds") || {}; // statement id → round of the stored vote
let pending = null; // {statement, option, viaHttp}: sent, not yet acknowledged
let notice = "";
// The statement's ballot a stored vote belongs to: a reset bumps the ballot, and a vote
// from an older ballot is gone. null: just read from the server, valid for the ballot in
// the next state.
const voteBallots = {};
let ballotNotice = null; // {statement, text}: why the ballot was cleared
let clockOffset = 0; // server clock minus ours, in ms (from state.server_time)
let countdownTimer = null;
let live = null; // set once the socket is created, below
const roleView = main.querySelector("[data-view=role]");
const roleButton = document.querySelector("[data-change-role]");
let choosingRole = !roleView.hidden;
// Attendance tickets: with tickets required, a phone without a redeemed one sees only the
// ticket form (a plain form post; the page reloads with the ticket bound to this phone).
const ticketView = main.querySelector("[data-view=ticket]");
let hasTicket = main.dataset.needTicket !== "true"; // corrected by the welcome frame
let roleLocked = main.dataset.roleLocked === "true"; // the role came with the ticket
const comments = phoneComments(main.querySelector("[data-comments]"), {
  send: (message) => Boolean(live && live.send(message)),
  statementId: () => (state.statement ? state.statement.id : null),
});

function current() {
  return state.statement;
}

function chosen(statement) {
  if (pending && pending.statement === statement.id) return pending.option;
  return savedVote(statement);
}

function savedVote(statement) {
  const key = String(statement.id);
  return votes[key] && (voteRounds[key] || 1) === statement.round ? votes[key] : null;
}

function trustVotes() {
  for (const key of Object.keys(voteBallots)) delete voteBallots[key];
  for (const key of Object.keys(votes)) voteBallots[key] = null;
}

// Drops this phone's vote on the statement when it belongs to an older ballot (the votes
// were reset); says whether it did.
function dropStaleVote(statement) {
  const key = String(statement.id);
  const ballot = statement.ballot || 0;
  if (!(key in votes)) return false;
  if (voteBallots[key] === null || voteBallots[key] === undefined) {
    voteBallots[key] = ballot;
    return false;
  }
  if (voteBallots[key] === ballot) return false;
  delete votes[key];
  delete voteRounds[key];
  delete voteBallots[key];
  return true;
}

function syncClock(message) {
  if (typeof message.server_time === "number") clockOffset = message.server_time * 1000 - Date.now();
}

function buildButtons(statement) {
  const key = `${statement.id}:${statement.options.join(",")}`;
  if (form.dataset.key === key) return;
  form.dataset.key = key;
  const buttons = [...statement.options].reverse().concat(["pass"]).map((option) => {
    const button = document.createElement("button");
    button.type = "submit";
    button.name = "option";
    button.value = option;
    button.className = `option opt-${option}`;
    button.textContent = text.options[option] || option;
    return button;
  });
  const hidden = form.querySelector("input[name=statement]");
  hidden.value = statement.id;
  form.replaceChildren(hidden, ...buttons);
}

// Screen readers hear what changed: a new statement, voting opened or closed.
function announce(before, after) {
  const region = main.querySelector("[data-announce]");
  const statement = after.statement;
  if (statement && (!before.statement || before.statement.id !== statement.id)) {
    const position = format(text.statement_of, { n: after.index + 1, total: after.count });
    const voting = after.voting ? text.voting_open : text.voting_closed;
    region.textContent = `${position}: ${statementText(statement)}. ${voting}`;
  } else if (statement && before.voting !== after.voting) {
    region.textContent = after.voting ? text.voting_open : text.voting_closed;
  } else if (!statement && before.statement) {
    region.textContent = text.waiting;
  }
}

function needTicket() {
  return Boolean(state.tickets) && !hasTicket;
}

function renderEnd() {
  const view = main.querySelector("[data-view=end]");
  view.hidden = !state.ended;
  if (!state.ended) return;
  for (const other of main.querySelectorAll("[data-view]:not([data-view=end])")) other.hidden = true;
  const end = state.end || {};
  const n = end.participants || 0;
  const plural = new Intl.PluralRules(document.documentElement.lang || "nl").select(n);
  main.querySelector("[data-end-count]").textContent =
    n ? format(plural === "one" ? text.took_part_one : text.took_part_other, { n }) : "";
  const report = main.querySelector("[data-end-report]");
  if (end.report) {
    const link = document.createElement("a");
    link.href = end.report;
    link.textContent = text.read_report;
    report.replaceChildren(link);
  } else {
    report.textContent = text.report_later;
  }
}

function render() {
  const statement = current();
  renderEnd();
  renderCountdown();
  if (state.ended) return;
  ticketView.hidden = !needTicket();
  if (needTicket()) {
    for (const view of main.querySelectorAll("[data-view]:not([data-view=ticket])")) view.hidden = true;
    return;
  }
  roleView.hidden = !choosingRole;
  main.querySelector("[data-view=waiting]").hidden = Boolean(statement) || choosingRole;
  main.querySelector("[data-view=ballot]").hidden = !statement || choosingRole;
  if (!statement) return;
  const round = statement.round || 1;
  const banner = main.querySelector("[data-round-banner]");
  banner.hidden = round < 2;
  banner.textContent = savedVote(statement)
    ? format(text.round_label, { n: round }) : format(text.round_again, { n: round });
  const why = main.querySelector("[data-ballot-notice]");
  const showWhy = Boolean(ballotNotice && ballotNotice.statement === statement.id);
  why.hidden = !showWhy;
  why.textContent = showWhy ? ballotNotice.text : "";
  main.querySelector("[data-position]").textContent =
    format(text.statement_of, { n: state.index + 1, total: state.count });
  main.querySelector("[data-statement]").textContent = statementText(statement);
  main.querySelector("[data-voting-state]").textContent = state.voting ? "" : text.closed_hint;
  buildButtons(statement);
  const mine = chosen(statement);
  for (const button of form.querySelectorAll("button")) {
    button.disabled = !state.voting;
    button.setAttribute("aria-pressed", String(button.value === mine));
  }
  renderStatus(statement);
  renderResults();
}

function renderStatus(statement) {
  status.classList.remove("ok", "warn");
  if (notice) {
    status.textContent = notice;
    status.classList.add("warn");
  } else if (pending && pending.statement === statement.id) {
    status.textContent = live && live.isOpen() ? text.sending : text.pending;
  } else if (savedVote(statement)) {
    status.textContent = `✓ ${text.saved}`;
    status.classList.add("ok");
  } else {
    status.textContent = "";
  }
}

// The countdown the moderator started: the time left by the server's clock, so a phone
// with a wrong clock, or one reloaded halfway, shows the same as the projector.
function renderCountdown() {
  const box = main.querySelector("[data-countdown]");
  const countdown = state.countdown;
  const running = Boolean(countdown && current() && state.voting && !state.ended);
  box.hidden = !running;
  clearTimeout(countdownTimer);
  if (!running) return;
  const left = Math.max(0, countdown.ends_at * 1000 - (Date.now() + clockOffset));
  const seconds = Math.ceil(left / 1000);
  const time = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  main.querySelector("[data-countdown-text]").textContent = format(text.countdown_left, { time });
  box.dataset.seconds = String(seconds);
  box.classList.toggle("ending", seconds <= 10);
  const share = countdown.seconds ? Math.min(1, left / (countdown.seconds * 1000)) : 0;
  main.querySelector("[data-countdown-fill]").style.width = `${(share * 100).toFixed(1)}%`;
  if (left > 0) countdownTimer = setTimeout(renderCountdown, (left % 1000) + 20);
}

// A new statement (or a fresh ballot) comes into view on a phone that was scrolled down.
function bringBallotIntoView() {
  const ballot = main.querySelector("[data-view=ballot]");
  if (ballot.hidden) return;
  const top = ballot.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.5) {
    window.scrollTo({ top: Math.max(0, window.scrollY + top - 8), behavior: "auto" });
  }
}

function renderResults() {
  const section = main.querySelector("[data-results]");
  const statement = current();
  const visible = Boolean(statement && tally && tally.results && tally.statement === statement.id);
  section.hidden = !visible;
  if (visible) renderChart(section.querySelector("[data-chart]"), statement.options, tally.results);
}

async function sendOverHttp(vote) {
  // The socket is down (or blocked by the venue network): the same vote as a form post.
  vote.viaHttp = true;
  const body = new FormData();
  body.set("statement", vote.statement);
  body.set("option", vote.option);
  try {
    const response = await fetch(form.action, {
      method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    const reply = await response.json();
    onMessage(response.ok ? reply : { type: "error", ...reply, code: reply.error });
  } catch {
    vote.viaHttp = false;
    render(); // still pending: it is sent again when the socket is back
  }
}

function castVote(option) {
  const statement = current();
  if (!statement || !state.voting) return;
  pending = { statement: statement.id, option, viaHttp: false };
  notice = "";
  const message = { type: "vote", statement: statement.id, option };
  if (!live || !live.send(message)) sendOverHttp(pending);
  render();
}

// The server could not store the vote (disk full, database down): it stays pending and
// is sent again every few seconds until the server acknowledges it.
let retryTimer = null;
function retryPending() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    if (pending && current() && pending.statement === current().id && state.voting) {
      const message = { type: "vote", statement: pending.statement, option: pending.option };
      if (!live || !live.send(message)) sendOverHttp(pending);
    }
  }, 4000 + Math.random() * 2000);
}

function onError(message) {
  if (message.code === "not_saved") retryPending();
  if (comments.error(message) || message.code === "unknown_comment") return;
  if (message.code === "ticket_required") {
    hasTicket = false;
    pending = null;
    render();
    return;
  }
  const known = text[`error_${message.code}`];
  if (pending && ["not_current", "voting_closed", "invalid_option"].includes(message.code)) {
    pending = null;
  }
  notice = known || text.error_generic;
  render();
}

// A reset (the statement's ballot went up) or a second round (its round went up) of the
// statement on screen: this phone's vote is gone, so the ballot is cleared at once, with
// the reason. Returns the reason, or null when the ballot stands.
function freshBallot(before, after) {
  const statement = after.statement;
  const same = before.statement && before.statement.id === statement.id;
  const newRound = same && (before.statement.round || 1) < (statement.round || 1);
  const reset = same && (before.statement.ballot || 0) !== (statement.ballot || 0);
  const dropped = dropStaleVote(statement);
  if (!newRound && !reset && !dropped) return null;
  if (pending && pending.statement === statement.id) pending = null;
  notice = "";
  const why = newRound ? format(text.round_again, { n: statement.round }) : text.ballot_reset;
  ballotNotice = newRound ? null : { statement: statement.id, text: why }; // the banner says it
  return why;
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      votes = message.votes || {};
      voteRounds = message.vote_rounds || {};
      trustVotes();
      if (current() && ballotNotice && savedVote(current())) ballotNotice = null; // restored
      comments.welcome(message);
      hasTicket = Boolean(message.ticket);
      roleLocked = Boolean(message.role_locked);
      if (roleLocked) roleButton.hidden = true;
      if (pending && current() && pending.statement === current().id && state.voting) {
        live.send({ type: "vote", statement: pending.statement, option: pending.option });
      }
      break;
    case "state": {
      const moved = !current() || !message.statement || current().id !== message.statement.id;
      const before = state;
      announce(state, message);
      syncClock(message);
      if (moved) {
        notice = "";
        ballotNotice = null;
      }
      const fresh = message.statement ? freshBallot(before, message) : null;
      state = message;
      comments.setEnabled(state.comments);
      if (moved) comments.statementChanged();
      if (pending && (!current() || pending.statement !== current().id)) pending = null;
      render();
      if (fresh) main.querySelector("[data-announce]").textContent = fresh;
      if ((moved && current()) || fresh) bringBallotIntoView();
      break;
    }
    case "comments":
      if (current() && message.statement === current().id) comments.comments(message);
      break;
    case "comment.ack":
      comments.ack(message);
      break;
    case "support.ack":
      comments.supportAck(message);
      break;
    case "role.ack":
      showRole(message.role);
      break;
    case "tally":
      tally = message;
      renderResults();
      break;
    case "ack":
      votes[String(message.statement)] = message.option;
      voteRounds[String(message.statement)] = current() ? current().round : 1;
      voteBallots[String(message.statement)] =
        current() && current().id === message.statement ? current().ballot || 0 : null;
      if (ballotNotice && ballotNotice.statement === message.statement) ballotNotice = null;
      if (pending && pending.statement === message.statement && pending.option === message.option) {
        pending = null;
      }
      notice = "";
      render();
      break;
    case "error":
      onError(message);
      break;
    case "pong":
      break;
    default:
      console.warn("voting: unknown message", message.type);
  }
}

// The role question: asked once when the event has roles; changeable from the top bar.
roleView.querySelector("[data-role-form]").addEventListener("submit", (event) => {
  if (!live || !live.isOpen()) return; // no socket: the plain form post does it
  event.preventDefault();
  const role = event.submitter ? event.submitter.value : "";
  live.send({ type: "role", role: role || null });
});

roleButton.addEventListener("click", () => {
  choosingRole = true;
  render();
  roleView.querySelector("button").focus();
});

function showRole(role) {
  choosingRole = false;
  roleButton.hidden = !(state.roles && state.roles.length) || roleLocked;
  roleButton.textContent = `${roleLabel(role) || text.no_role} ✎`;
  for (const button of roleView.querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.value === (role || "")));
  }
  render();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (event.submitter) castVote(event.submitter.value);
});

live = connectLive(main.dataset.code, "participant", {
  onMessage,
  onStatus: (value) => {
    showConnection(conn, value, text);
    // The socket died with a vote in flight (or cannot come back): the form post takes it.
    if (value === "reconnecting" && pending && !pending.viaHttp) sendOverHttp(pending);
    if (current()) renderStatus(current());
  },
});
syncClock(state);
trustVotes();
if (current()) dropStaleVote(current());
render();
