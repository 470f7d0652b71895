// Test doubles for the client modules: a socket, timers, storage and a seeded random source.

/** A WebSocket stand-in that records what is sent and lets the test deliver frames. */
export class FakeSocket {
  constructor(since) {
    this.since = since;
    this.sent = [];
    this.closed = false;
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.closed = true;
  }
  deliver(frame) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

/** Timers the test fires by hand; `pending` lists what is scheduled. */
export class FakeTimers {
  constructor() {
    this.pending = new Map();
    this.next = 1;
  }
  set = (fn, ms) => {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  };
  clear = (id) => {
    this.pending.delete(id);
  };
  /** Fires the timer scheduled with the longest delay or the only one; returns its delay. */
  fire(predicate = () => true) {
    for (const [id, timer] of this.pending) {
      if (!predicate(timer)) continue;
      this.pending.delete(id);
      timer.fn();
      return timer.ms;
    }
    throw new Error('no such timer');
  }
}

/** localStorage in memory. */
export class MemoryStorage {
  values = new Map();
  getItem(key) {
    return this.values.get(key) ?? null;
  }
  setItem(key, value) {
    this.values.set(key, String(value));
  }
}

/** mulberry32: a small seeded generator, so that jitter tests are repeatable. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lets pending promise callbacks run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
