// Presenter keys, shared by the projector page and the moderator console.
//
// A presentation clicker sends PageDown / PageUp (some send → / ← or "." / B for black);
// a laptop keyboard has → / ←, Space and B. Each key becomes one message:
//   PageDown, →, Space   → {type: "advance"}           the one obvious next step
//   PageUp, ←            → {type: "back"}              the previous statement
//   B (or ".")           → {type: "settings", blank}   black / unblack the projector
//   F                    → onFullscreen()             only where the page asks for it
// The page never scrolls on these keys (preventDefault). Keys typed into a field stay
// there; Space keeps clicking a focused button or link, and the arrows keep moving inside
// widgets that use them (lists, sliders, tabs).

const ADVANCE = new Set(["PageDown", "ArrowRight", " "]);
const BACK = new Set(["PageUp", "ArrowLeft"]);
const BLANK = new Set(["b", "."]);
const ACTIVATES_ON_SPACE = "button, a[href], summary, [role=button], [role=link], [role=checkbox], [role=switch]";
const USES_ARROWS = "[role=listbox], [role=option], [role=slider], [role=radio], [role=radiogroup], " +
  "[role=tab], [role=tablist], [role=menu], [role=menuitem], [role=grid], [role=tree], [role=spinbutton]";

/** True when the key belongs to what the user is typing into (or choosing in). */
export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])"));
}

/** The presenter action a keydown asks for: "advance", "back", "blank", "fullscreen" or null. */
export function presenterAction(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const key = event.key && event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const target = event.target instanceof Element ? event.target : null;
  if (isTyping(target)) return null;
  if (key === " " && target && target.closest(ACTIVATES_ON_SPACE)) return null;
  if ((key === "ArrowRight" || key === "ArrowLeft") && target && target.closest(USES_ARROWS)) return null;
  if (ADVANCE.has(key)) return "advance";
  if (BACK.has(key)) return "back";
  if (BLANK.has(key)) return "blank";
  if (key === "f") return "fullscreen";
  return null;
}

/**
 * Listen for presenter keys on `target` (the document by default).
 *
 * - `send(message)`: sends a message to the server (`advance`, `back`, `settings`).
 * - `isBlank()`: whether the projector is black now (B toggles it).
 * - `onFullscreen()`: called on F; without it F is left alone (the console).
 * - `allowed()`: false while the keys must do nothing (e.g. a projector without the
 *   moderator's session, or a dialog open); the keys then keep their usual meaning.
 *
 * Returns a function that removes the listener.
 */
export function bindPresenterKeys({
  send, isBlank = () => false, onFullscreen = null, allowed = () => true, target = document,
}) {
  function onKeydown(event) {
    if (event.defaultPrevented) return;
    const action = presenterAction(event);
    if (!action || (action === "fullscreen" && !onFullscreen)) return;
    if (action !== "fullscreen" && !allowed()) return;
    event.preventDefault();
    if (event.repeat) return; // a held key is one press, not a run through the statements
    if (action === "advance") send({ type: "advance" });
    else if (action === "back") send({ type: "back" });
    else if (action === "blank") send({ type: "settings", blank: !isBlank() });
    else onFullscreen();
  }
  target.addEventListener("keydown", onKeydown);
  return () => target.removeEventListener("keydown", onKeydown);
}

/** Full screen on and off (F, or the projector's button); quietly does nothing if refused. */
export function toggleFullscreen(element = document.documentElement) {
  const request = document.fullscreenElement
    ? document.exitFullscreen()
    : element.requestFullscreen && element.requestFullscreen({ navigationUI: "hide" });
  if (request && request.catch) request.catch(() => {});
}
