// The live board connection (docs/pwa.md, "Reconnecting"): on every (re)connect,
// GET /api/board, show it, then follow /ws?lang=<language>&batch=1&since=<seq>. Losses are
// retried with full-jitter backoff, at once when the device comes online or the page becomes
// visible.
// Everything it touches from the outside is passed in, so node can test it.

import { backoffDelay } from './backoff.mjs';

/** After this long live, the next loss starts the backoff from the beginning again. */
export const STABLE_MS = 10_000;

/**
 * While live, the page pings this often, and a socket that answers nothing (no pong, no
 * frame) within PONG_TIMEOUT_MS counts as dead: on bad Wi-Fi a socket can stay "open" for
 * minutes after the network is gone, and the board would silently stop updating.
 */
export const PING_EVERY_MS = 20_000;
export const PONG_TIMEOUT_MS = 9_000;

export class LiveConnection {
  /**
   * @param {object} io
   * @param {(etag: string|null) => Promise<{status: number, board?: object, etag?: string|null, serverNow?: number}>} io.fetchBoard
   *   GET /api/board with If-None-Match; rejects when the network fails.
   * @param {(since: number|null) => object} io.openSocket a WebSocket-like object for /ws?since=
   * @param {() => boolean} [io.isOnline]
   * @param {(fn: Function, ms: number) => any} [io.setTimer]
   * @param {(id: any) => void} [io.clearTimer]
   * @param {() => number} [io.random]
   * @param {object} on handlers: board(board, {serverNow}), frame(frame), status(status), signedOut()
   */
  constructor(io, on) {
    this.io = {
      isOnline: () => true,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (id) => clearTimeout(id),
      random: Math.random,
      ...io,
    };
    this.on = on;
    this.seq = null;
    this.etag = null;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.stableTimer = null;
    /** The next ping, and the deadline for an answer to the last one. */
    this.pingTimer = null;
    this.pongTimer = null;
    this.status = 'connecting';
    this.stopped = true;
    this.generation = 0;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.generation += 1;
    this.clearTimers();
    this.closeSocket();
  }

  /** The device came online or the page became visible: try now, not when the timer says. */
  retryNow() {
    if (this.status !== 'live') this.restart();
  }

  /**
   * Opens the socket anew at once, from the last seq applied: its address changed (the
   * resident's language). Not a loss: the badge stays as it is unless the server is gone.
   */
  restart() {
    if (this.stopped) return;
    this.clearTimers();
    this.closeSocket();
    this.connect();
  }

  /** Sends a frame when live; false when it could not be sent. */
  send(frame) {
    if (this.status !== 'live' || !this.socket) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  // MARK: the sequence

  async connect() {
    const generation = ++this.generation;
    let result;
    try {
      result = await this.io.fetchBoard(this.etag);
    } catch {
      if (generation === this.generation) this.lost();
      return;
    }
    if (generation !== this.generation) return;
    if (result.status === 401) return this.signedOut();
    if (result.status === 200) {
      this.etag = result.etag ?? null;
      this.applyBoard(result.board, result.serverNow);
    } else if (result.status !== 304) {
      return this.lost();
    }
    this.openSocket(generation);
  }

  openSocket(generation) {
    const socket = this.io.openSocket(this.seq);
    this.socket = socket;
    socket.onmessage = (event) => {
      if (generation === this.generation) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (generation !== this.generation) return;
      this.socket = null;
      if (event.code === 4001) return this.signedOut();
      this.lost();
    };
    socket.onerror = () => {};
  }

  receive(text) {
    // Anything from the server proves the socket alive.
    if (this.pongTimer !== null) {
      this.io.clearTimer(this.pongTimer);
      this.pongTimer = null;
    }
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    this.handle(frame);
  }

  /** One frame, as it came alone or from inside a batch. */
  handle(frame) {
    switch (frame.type) {
      case 'hello':
        // The server's log is behind the board we hold: its database was restored or
        // replaced. Nothing we have can be trusted to continue from: start over.
        if (this.seq !== null && frame.seq < this.seq) return this.resync();
        this.setStatus('live');
        this.stableTimer = this.io.setTimer(() => {
          this.attempt = 0;
        }, STABLE_MS);
        this.schedulePing();
        return;
      case 'board':
        return this.applyBoard(frame);
      case 'batch':
        // A burst of board frames in one (asked for with batch=1). Each is applied as if it
        // came alone, seq check included; the last one's seq is the batch's.
        for (const inner of frame.frames ?? []) this.handle(inner);
        return;
      case 'pong':
      case 'error':
        return this.on.frame?.(frame);
      default:
        if (typeof frame.seq !== 'number') return;
        // Frames come in seq order once each; one at or below ours was applied already.
        if (this.seq !== null && frame.seq <= this.seq) return;
        this.seq = frame.seq;
        this.on.frame?.(frame);
    }
  }

  /** Pings after PING_EVERY_MS, then gives the server PONG_TIMEOUT_MS to answer. */
  schedulePing() {
    this.pingTimer = this.io.setTimer(() => {
      this.pingTimer = null;
      if (!this.send({ type: 'ping', t: Date.now() })) return;
      this.pongTimer = this.io.setTimer(() => {
        this.pongTimer = null;
        this.lost();
      }, PONG_TIMEOUT_MS);
      this.schedulePing();
    }, PING_EVERY_MS);
  }

  applyBoard(board, serverNow) {
    this.seq = board.seq;
    this.on.board?.(board, { serverNow });
  }

  /** Forget the board and connect again at once, as if for the first time. */
  resync() {
    this.seq = null;
    this.etag = null;
    this.closeSocket();
    this.clearTimers();
    this.connect();
  }

  lost() {
    this.closeSocket();
    this.clearTimers();
    if (this.stopped) return;
    this.setStatus(this.io.isOnline() ? 'reconnecting' : 'offline');
    const delay = backoffDelay(this.attempt, this.io.random);
    this.attempt += 1;
    this.timer = this.io.setTimer(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  signedOut() {
    this.stop();
    this.setStatus('signed-out');
    this.on.signedOut?.();
  }

  // MARK: helpers

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.on.status?.(status);
  }

  clearTimers() {
    for (const timer of [this.timer, this.stableTimer, this.pingTimer, this.pongTimer]) {
      if (timer !== null) this.io.clearTimer(timer);
    }
    this.timer = null;
    this.stableTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
  }

  closeSocket() {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }
}
