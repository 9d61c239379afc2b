/*
 * The privacy timer.  The next person in the waiting room must never see
 * the last patient's answers, so when nobody has touched the screen for
 * warnAfterMs we ask "Are you still there?", count down resetAfterMs, and
 * then hand over to onReset (which wipes everything and reloads the page).
 *
 * Any touch, pointer, key or wheel event anywhere restarts the timer.  Once
 * the warning is up, only a completed tap or click (anywhere: the warning
 * is modal, so that is on the warning) or Escape ends it: ending it on
 * pointerdown would close the warning under the finger and let the same
 * tap's click land on whatever button lies beneath.  The timer only runs
 * while it is enabled: the app disables it on a fresh welcome screen, where
 * there is nothing to protect.
 */

const ACTIVITY_EVENTS = ['pointerdown', 'touchstart', 'keydown', 'wheel', 'mousedown', 'click'];

export function createIdleTimer({ warnAfterMs, resetAfterMs, onWarn, onTick, onStillHere, onReset }) {
  let enabled = false;
  let warning = false;
  let warnTimer = null;
  let resetTimer = null;
  let tickTimer = null;
  let deadline = 0;

  function clearTimers() {
    clearTimeout(warnTimer);
    clearTimeout(resetTimer);
    clearInterval(tickTimer);
    warnTimer = resetTimer = tickTimer = null;
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function arm() {
    clearTimers();
    warnTimer = setTimeout(startWarning, warnAfterMs);
  }

  function startWarning() {
    warning = true;
    deadline = Date.now() + resetAfterMs;
    onWarn(secondsLeft());
    tickTimer = setInterval(() => onTick(secondsLeft()), 250);
    resetTimer = setTimeout(() => {
      clearTimers();
      enabled = false;
      warning = false;
      onReset();
    }, resetAfterMs);
  }

  function activity(event) {
    if (!enabled) return;
    if (warning) {
      const done = !event || event.type === 'click' || (event.type === 'keydown' && event.key === 'Escape');
      if (!done) return;
      warning = false;
      onStillHere();
    }
    arm();
  }

  for (const type of ACTIVITY_EVENTS) {
    window.addEventListener(type, activity, { capture: true, passive: true });
  }

  return {
    enable() {
      if (enabled) return;
      enabled = true;
      arm();
    },
    disable() {
      enabled = false;
      clearTimers();
      if (warning) {
        warning = false;
        onStillHere();
      }
    },
    /* The "I'm still here" button. */
    stillHere: () => activity(null),
    get warning() {
      return warning;
    },
  };
}
