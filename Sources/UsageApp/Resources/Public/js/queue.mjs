// Actions taken while the server cannot be reached (start, collect, cancel, pickup
// request, report) wait here, in localStorage, each with the Idempotency-Key it was first
// sent with, and are sent again in order when the connection is back. The key makes a
// resend of a request that did reach the server harmless: the server answers it once.

const KEY = 'washboard.outbox';

/**
 * A start that waited offline longer than this is not sent by itself: the machine may have
 * been taken, or the laundry gone elsewhere. The resident is asked again instead.
 */
export const STALE_START_MS = 5 * 60 * 1000;

/** Whether `entry` is a start that has waited too long to be sent unasked at `now`. */
export const isStaleStart = (entry, now) =>
  entry.method === 'POST' && /\/uses$/.test(entry.path) && typeof entry.queuedAt === 'number' && now - entry.queuedAt > STALE_START_MS;

export class ActionQueue {
  /**
   * @param {object} options
   * @param {{getItem(k: string): string|null, setItem(k: string, v: string): void}} options.storage
   * @param {() => string} [options.newKey] makes Idempotency-Keys
   * @param {() => number} [options.now] the clock, in ms
   */
  constructor({ storage, newKey = () => crypto.randomUUID(), now = () => Date.now() }) {
    this.storage = storage;
    this.newKey = newKey;
    this.now = now;
    this.replaying = null;
  }

  /** The waiting actions, oldest first. */
  get items() {
    try {
      const items = JSON.parse(this.storage.getItem(KEY) ?? '[]');
      return Array.isArray(items) ? items : [];
    } catch {
      return [];
    }
  }

  save(items) {
    this.storage.setItem(KEY, JSON.stringify(items));
  }

  /** A request as the queue keeps it: `{method, path, body?, action, machineLabel}` plus its key and when it was first tried. */
  prepare(action) {
    return { ...action, idempotencyKey: action.idempotencyKey ?? this.newKey(), queuedAt: action.queuedAt ?? this.now() };
  }

  /** Keeps an action that could not be sent, to send it again later. */
  add(action) {
    const entry = this.prepare(action);
    const items = this.items.filter((item) => item.idempotencyKey !== entry.idempotencyKey);
    items.push(entry);
    this.save(items);
    return entry;
  }

  /** Drops every waiting action (the resident signed out). */
  clear() {
    this.save([]);
  }

  /**
   * Sends the waiting actions in order. `send(entry)` resolves to `'done'` (the server
   * answered 2xx), `'refused'` (it answered 4xx: the action no longer fits, and is dropped)
   * or `'retry'` (no answer, or 5xx: it and everything after it wait for the next replay).
   * A start older than STALE_START_MS is not sent: it leaves the queue as `stale`, for the
   * page to offer again. One replay at a time; a call during a replay waits for it.
   * @returns {Promise<{done: object[], refused: object[], stale: object[], waiting: number}>}
   */
  replay(send) {
    this.replaying ??= this.run(send).finally(() => {
      this.replaying = null;
    });
    return this.replaying;
  }

  async run(send) {
    const done = [];
    const refused = [];
    const stale = [];
    for (const entry of this.items) {
      let outcome;
      if (isStaleStart(entry, this.now())) {
        outcome = 'stale';
      } else {
        try {
          outcome = await send(entry);
        } catch {
          outcome = 'retry';
        }
      }
      if (outcome === 'retry') break;
      if (outcome === 'done') done.push(entry);
      else if (outcome === 'stale') stale.push(entry);
      else refused.push(entry);
      this.save(this.items.filter((item) => item.idempotencyKey !== entry.idempotencyKey));
    }
    return { done, refused, stale, waiting: this.items.length };
  }
}
