// Actions taken while the server cannot be reached (start, collect, cancel, pickup
// request, report) wait here, in localStorage, each with the Idempotency-Key it was first
// sent with, and are sent again in order when the connection is back. The key makes a
// resend of a request that did reach the server harmless: the server answers it once.

const KEY = 'washboard.outbox';

export class ActionQueue {
  /**
   * @param {object} options
   * @param {{getItem(k: string): string|null, setItem(k: string, v: string): void}} options.storage
   * @param {() => string} [options.newKey] makes Idempotency-Keys
   */
  constructor({ storage, newKey = () => crypto.randomUUID() }) {
    this.storage = storage;
    this.newKey = newKey;
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

  /** A request as the queue keeps it: `{method, path, body?, label}` plus its key. */
  prepare(action) {
    return { ...action, idempotencyKey: action.idempotencyKey ?? this.newKey() };
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
   * One replay at a time; a call during a replay waits for it.
   * @returns {Promise<{done: object[], refused: object[], waiting: number}>}
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
    for (const entry of this.items) {
      let outcome;
      try {
        outcome = await send(entry);
      } catch {
        outcome = 'retry';
      }
      if (outcome === 'retry') break;
      (outcome === 'done' ? done : refused).push(entry);
      this.save(this.items.filter((item) => item.idempotencyKey !== entry.idempotencyKey));
    }
    return { done, refused, waiting: this.items.length };
  }
}
