// Reconnect delays: exponential backoff with full jitter (docs/pwa.md, "Reconnecting").
// The n-th retry in a row waits a uniformly random time in [0, min(cap, base · 2^n)):
// clients that lost the server together do not come back together.

export const RECONNECT = Object.freeze({ baseMs: 500, capMs: 30_000 });

/** The delay before retry number `attempt` (0 for the first retry after a loss). */
export function backoffDelay(attempt, random = Math.random, { baseMs, capMs } = RECONNECT) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 32));
  return Math.floor(random() * ceiling);
}
