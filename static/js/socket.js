// One WebSocket per page that reconnects by itself with back-off.
// The server sends the full state on every (re)connect, so a reconnect is a resync.
//
// A socket can also die silently: a frozen server, or Wi-Fi that drops without a close,
// leaves it "open" for minutes. So the page listens: the server sends every screen a tiny
// `beat` frame every 4 s; after QUIET_MS without any frame the page sends a ping, and a
// ping unanswered for DEAD_MS gives the socket up and reconnects. A frozen server is
// noticed within 10 s, and a healthy room sends no pings at all.

import { setRoleLabels } from "./text.js";

const FATAL = { 4400: "invalid_role", 4403: "forbidden", 4404: "unknown_event" };
const NO_IDENTITY = 4401;
const QUIET_MS = 4500; // no frame for this long (the server beats every 4 s): ask with a ping
const DEAD_MS = 4000; // a ping unanswered for this long: the socket is dead
const CONNECT_MS = 8000; // a handshake not done by then will not be
const TICK_MS = 500;

export function connectLive(code, role, { onMessage, onStatus }) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/ws/${code}?role=${role}`;
  let socket = null;
  let attempt = 0;
  let stopped = false;
  let retryTimer = null;
  let watchTimer = null;
  let lastSeen = 0; // when the last frame arrived (or the socket opened)
  let pingSentAt = null; // an unanswered probe
  let lastTick = 0;

  function open() {
    clearTimeout(retryTimer);
    onStatus(attempt === 0 ? "connecting" : "reconnecting");
    const mine = new WebSocket(url);
    socket = mine;
    const openedAt = Date.now();
    lastTick = openedAt;
    pingSentAt = null;
    clearInterval(watchTimer);
    watchTimer = setInterval(() => watch(mine, openedAt), TICK_MS);
    mine.addEventListener("open", () => {
      if (socket !== mine) return;
      attempt = 0;
      lastSeen = Date.now();
      onStatus("online");
    });
    mine.addEventListener("message", (event) => {
      if (socket !== mine) return;
      lastSeen = Date.now();
      pingSentAt = null;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        console.warn("voting: ignoring a frame that is not JSON");
        return;
      }
      if (message.type === "beat") return; // only says the socket is alive
      if (message.type === "state") setRoleLabels(message.role_labels);
      onMessage(message);
    });
    mine.addEventListener("close", (event) => {
      if (socket !== mine) return; // given up already: a new one is on its way
      clearInterval(watchTimer);
      if (event.code === NO_IDENTITY) {
        location.reload(); // the page load gives us our participant cookie
        return;
      }
      if (FATAL[event.code]) {
        stopped = true;
        onStatus("fatal", FATAL[event.code]);
        return;
      }
      reconnect();
    });
  }

  function reconnect() {
    if (stopped) return;
    attempt += 1;
    onStatus("reconnecting");
    // 0.5 s, 1 s, 2 s, 4 s … up to 15 s, with jitter so a room does not reconnect in step.
    const delay = Math.min(15000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, delay);
  }

  // Give up on a socket that stopped answering: forget it (its late events are ignored),
  // close it without waiting for the closing handshake, and reconnect.
  function abandon(dead) {
    clearInterval(watchTimer);
    socket = null;
    try {
      dead.close();
    } catch {
      // closing a socket that never opened may throw in old browsers; it is gone anyway
    }
    reconnect();
  }

  function watch(mine, openedAt) {
    if (socket !== mine) return;
    const now = Date.now();
    // A timer that ran late (page hidden, phone asleep) proves nothing about the socket:
    // start a fresh probe rather than declaring it dead.
    const late = now - lastTick > 3 * TICK_MS;
    lastTick = now;
    if (mine.readyState === WebSocket.CONNECTING) {
      if (!late && now - openedAt > CONNECT_MS) abandon(mine);
      return;
    }
    if (mine.readyState !== WebSocket.OPEN) return;
    if (late || (pingSentAt === null && now - lastSeen > QUIET_MS)) {
      pingSentAt = now;
      mine.send(JSON.stringify({ type: "ping" }));
    } else if (pingSentAt !== null && now - pingSentAt > DEAD_MS) {
      abandon(mine);
    }
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  // Phones sleep and wake: try again at once when the page comes back or the network returns.
  function retryNow() {
    if (!stopped && (!socket || socket.readyState === WebSocket.CLOSED)) {
      attempt = 0;
      open();
    }
  }
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") retryNow();
  });

  open();
  return { send, isOpen: () => Boolean(socket && socket.readyState === WebSocket.OPEN) };
}

export function showConnection(element, status, text) {
  element.dataset.status = status;
  element.textContent =
    status === "online" || status === "connecting" ? "" :
    status === "fatal" ? text.offline : text.reconnecting;
}
