// One WebSocket per page that reconnects by itself with back-off.
// The server sends the full state on every (re)connect, so a reconnect is a resync.

const FATAL = { 4400: "invalid_role", 4403: "forbidden", 4404: "unknown_event" };
const NO_IDENTITY = 4401;

export function connectLive(code, role, { onMessage, onStatus }) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/ws/${code}?role=${role}`;
  let socket = null;
  let attempt = 0;
  let stopped = false;
  let pingTimer = null;

  function open() {
    onStatus(attempt === 0 ? "connecting" : "reconnecting");
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      attempt = 0;
      onStatus("online");
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ type: "ping" }), 25000);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        console.warn("voting: ignoring a frame that is not JSON");
        return;
      }
      onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      clearInterval(pingTimer);
      if (event.code === NO_IDENTITY) {
        location.reload(); // the page load gives us our participant cookie
        return;
      }
      if (FATAL[event.code]) {
        stopped = true;
        onStatus("fatal", FATAL[event.code]);
        return;
      }
      if (stopped) return;
      attempt += 1;
      onStatus("reconnecting");
      // 0.5 s, 1 s, 2 s, 4 s … up to 15 s, with jitter so a room does not reconnect in step.
      const delay = Math.min(15000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
      setTimeout(open, delay);
    });
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
    if (!stopped && socket && socket.readyState === WebSocket.CLOSED) {
      attempt = 0;
      open();
    }
  }
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") retryNow();
  });

  open();
  return { send, isOpen: () => socket && socket.readyState === WebSocket.OPEN };
}

export function showConnection(element, status, text) {
  element.dataset.status = status;
  element.textContent =
    status === "online" || status === "connecting" ? "" :
    status === "fatal" ? text.offline : text.reconnecting;
}
