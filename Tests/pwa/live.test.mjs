import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { LiveConnection, PING_EVERY_MS, PONG_TIMEOUT_MS, STABLE_MS } from '../../Sources/UsageApp/Resources/Public/js/live.mjs';
import { FakeSocket, FakeTimers, settle } from './support.mjs';

const board = (seq) => ({ seq, machines: [], notices: [] });

/** A connection over fakes; `answers` are what GET /api/board returns, in turn. */
function rig({ answers = [], online = true, random = () => 0.999 } = {}) {
  const r = { boardRequests: [], sockets: [], statuses: [], boards: [], frames: [], received: [], signedOut: 0, timers: new FakeTimers() };
  r.answers = answers;
  r.online = online;
  r.connection = new LiveConnection(
    {
      fetchBoard: async (etag) => {
        r.boardRequests.push(etag);
        const answer = r.answers.shift() ?? { status: 304 };
        if (answer instanceof Error) throw answer;
        return answer;
      },
      openSocket: (since) => {
        const socket = new FakeSocket(since);
        r.sockets.push(socket);
        return socket;
      },
      isOnline: () => r.online,
      setTimer: r.timers.set,
      clearTimer: r.timers.clear,
      random,
    },
    {
      board: (b) => r.boards.push(b.seq),
      frame: (f) => {
        r.frames.push(f.seq ?? f.type);
        r.received.push(f);
      },
      status: (s) => r.statuses.push(s),
      signedOut: () => (r.signedOut += 1),
    },
  );
  r.socket = () => r.sockets.at(-1);
  return r;
}

let r;
beforeEach(() => {
  r = undefined;
});

test('connect: GET the board, show it, then follow the socket from its seq', async () => {
  r = rig({ answers: [{ status: 200, board: board(40), etag: '"40-a"' }] });
  r.connection.start();
  await settle();
  assert.deepEqual(r.boardRequests, [null]);
  assert.deepEqual(r.boards, [40]);
  assert.equal(r.socket().since, 40);
  r.socket().deliver({ type: 'hello', seq: 42 });
  assert.deepEqual(r.statuses, ['live']);
  r.socket().deliver({ type: 'machine', seq: 41, machine: { id: 'W1' } });
  r.socket().deliver({ type: 'alert', seq: 42, alert: { id: 'a' } });
  assert.deepEqual(r.frames, [41, 42]);
  assert.equal(r.connection.seq, 42);
});

test('reconnect: the board again with If-None-Match, then the socket from the last seq applied', async () => {
  r = rig({ answers: [{ status: 200, board: board(40), etag: '"40-a"' }, { status: 304 }] });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 40 });
  r.socket().deliver({ type: 'machine', seq: 45, machine: { id: 'W1' } });
  r.socket().drop(1001);
  assert.equal(r.connection.status, 'reconnecting');
  const delay = r.timers.fire();
  assert.ok(delay < 500, `first retry within 0.5 s, not ${delay}`);
  await settle();
  assert.deepEqual(r.boardRequests, [null, '"40-a"']);
  assert.equal(r.socket().since, 45);
  r.socket().deliver({ type: 'hello', seq: 45 });
  assert.deepEqual(r.statuses, ['live', 'reconnecting', 'live']);
});

test('seq checks: a frame at or below the last seq is dropped; jumps are normal', async () => {
  r = rig({ answers: [{ status: 200, board: board(10), etag: 'e' }] });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 10 });
  for (const seq of [12, 12, 11, 30, 29, 31]) r.socket().deliver({ type: 'machine', seq, machine: { id: 'W1' } });
  assert.deepEqual(r.frames, [12, 30, 31]);
});

test('a batch applies its frames one by one, in order, each as if it came alone', async () => {
  r = rig({ answers: [{ status: 200, board: board(10), etag: 'e' }] });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 10 });
  r.socket().deliver({
    type: 'batch',
    seq: 14,
    frames: [
      { type: 'machine', seq: 11, machine: { id: 'W1' } },
      { type: 'notice', seq: 12, notice: { id: 'n1' } },
      { type: 'machine_removed', seq: 13, id: 'W2' },
      { type: 'notice_removed', seq: 14, id: 'n1' },
    ],
  });
  assert.deepEqual(r.received.map((f) => [f.type, f.seq]), [['machine', 11], ['notice', 12], ['machine_removed', 13], ['notice_removed', 14]]);
  assert.equal(r.connection.seq, 14);
  r.socket().deliver({
    type: 'batch',
    seq: 21,
    frames: [{ type: 'board', seq: 20, machines: [], notices: [] }, { type: 'machine', seq: 21, machine: { id: 'W1' } }],
  });
  assert.deepEqual(r.boards, [10, 20], 'a board inside replaces the board');
  assert.deepEqual(r.frames, [11, 12, 13, 14, 21]);
});

test('a batch overlapping what was received applies only what is new, and never moves the seq back', async () => {
  r = rig({ answers: [{ status: 200, board: board(10), etag: 'e' }] });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 10 });
  const machine = (seq) => ({ type: 'machine', seq, machine: { id: 'W1' } });
  r.socket().deliver(machine(11));
  r.socket().deliver(machine(12));
  r.socket().deliver({ type: 'batch', seq: 14, frames: [11, 12, 13, 14].map(machine) });
  assert.deepEqual(r.frames, [11, 12, 13, 14]);
  r.socket().deliver({ type: 'batch', seq: 13, frames: [12, 13].map(machine) });
  r.socket().deliver(machine(14));
  assert.deepEqual(r.frames, [11, 12, 13, 14], 'all of it was applied already');
  assert.equal(r.connection.seq, 14);
});

test('after a batch, single frames and a reconnect go on from its seq', async () => {
  r = rig({ answers: [{ status: 200, board: board(10), etag: 'e' }, { status: 304 }] });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 10 });
  const machine = (seq) => ({ type: 'machine', seq, machine: { id: 'W1' } });
  r.socket().deliver({ type: 'batch', seq: 15, frames: [11, 15].map(machine) });
  for (const seq of [12, 15, 16]) r.socket().deliver(machine(seq));
  r.socket().deliver({ type: 'batch', seq: 18, frames: [17, 18].map(machine) });
  assert.deepEqual(r.frames, [11, 15, 16, 17, 18]);
  r.socket().drop(1001);
  r.timers.fire();
  await settle();
  assert.equal(r.socket().since, 18);
});

test('a hello behind the board we hold (the database was restored) forces a fresh board', async () => {
  r = rig({
    answers: [{ status: 200, board: board(500), etag: 'old' }, { status: 200, board: board(7), etag: 'new' }],
  });
  r.connection.start();
  await settle();
  const first = r.socket();
  first.deliver({ type: 'hello', seq: 6 });
  await settle();
  assert.ok(first.closed);
  assert.deepEqual(r.boardRequests, [null, null], 'no If-None-Match: the old board is worthless');
  assert.deepEqual(r.boards, [500, 7]);
  assert.equal(r.socket().since, 7);
});

test('a board frame (since too old for the log) replaces the board', async () => {
  r = rig({ answers: [{ status: 200, board: board(3), etag: 'e' }] });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 900 });
  r.socket().deliver({ type: 'board', seq: 900, machines: [], notices: [] });
  r.socket().deliver({ type: 'machine', seq: 899, machine: { id: 'W1' } });
  assert.deepEqual(r.boards, [3, 900]);
  assert.deepEqual(r.frames, []);
});

test('failures back off with growing ceilings, and a stable connection resets them', async () => {
  r = rig({ answers: [new Error('down'), new Error('down'), new Error('down'), { status: 200, board: board(1) }] });
  r.connection.start();
  await settle();
  const delays = [];
  for (let i = 0; i < 3; i++) {
    delays.push(r.timers.fire());
    await settle();
  }
  assert.deepEqual(delays, [499, 999, 1998]);
  r.socket().deliver({ type: 'hello', seq: 1 });
  r.timers.fire((t) => t.ms === STABLE_MS);
  r.socket().drop();
  assert.equal(r.timers.fire(), 499, 'back to the first ceiling');
});

test('offline shows as offline; coming online (or visible) retries at once', async () => {
  r = rig({ answers: [{ status: 200, board: board(5), etag: 'e' }], online: false });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 5 });
  r.socket().drop();
  assert.equal(r.connection.status, 'offline');
  assert.equal(r.timers.pending.size, 1);
  r.online = true;
  r.connection.retryNow();
  assert.equal(r.timers.pending.size, 0, 'the backoff timer is cancelled');
  await settle();
  assert.equal(r.boardRequests.length, 2);
  assert.equal(r.socket().since, 5);
});

test('retryNow does nothing while live', async () => {
  r = rig({ answers: [{ status: 200, board: board(5) }] });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 5 });
  r.connection.retryNow();
  await settle();
  assert.equal(r.boardRequests.length, 1);
  assert.equal(r.sockets.length, 1);
});

test('a revoked session (4001, or 401 on the board) signs out and stops retrying', async () => {
  r = rig({ answers: [{ status: 200, board: board(5) }] });
  r.connection.start();
  await settle();
  r.socket().drop(4001);
  assert.equal(r.signedOut, 1);
  assert.equal(r.timers.pending.size, 0);

  const other = rig({ answers: [{ status: 401 }] });
  other.connection.start();
  await settle();
  assert.equal(other.signedOut, 1);
  assert.equal(other.sockets.length, 0);
});

test('ack frames go out only while live', async () => {
  r = rig({ answers: [{ status: 200, board: board(5) }] });
  r.connection.start();
  await settle();
  assert.equal(r.connection.send({ type: 'ack', alert: 'a1' }), false);
  r.socket().deliver({ type: 'hello', seq: 5 });
  assert.equal(r.connection.send({ type: 'ack', alert: 'a1' }), true);
  assert.deepEqual(r.socket().sent, [{ type: 'ack', alert: 'a1' }]);
});

test('a silent socket is noticed: a ping every 20 s, and no answer in 9 s means reconnect', async () => {
  r = rig({ answers: [{ status: 200, board: board(3), etag: 'e' }] });
  r.connection.start();
  await settle();
  r.socket().deliver({ type: 'hello', seq: 3 });
  const ping = (timer) => timer.ms === PING_EVERY_MS;
  const pong = (timer) => timer.ms === PONG_TIMEOUT_MS;

  r.timers.fire(ping);
  assert.equal(r.socket().sent.at(-1).type, 'ping');
  r.socket().deliver({ type: 'pong', t: 1 });
  assert.equal([...r.timers.pending.values()].some(pong), false, 'answered: no deadline left');
  assert.equal(r.connection.status, 'live');

  r.timers.fire(ping);
  const silent = r.socket();
  r.timers.fire(pong);
  assert.equal(r.connection.status, 'reconnecting', 'the badge says so');
  assert.equal(silent.closed, true, 'the dead socket is closed');
  assert.deepEqual(r.statuses, ['live', 'reconnecting']);
});

test('a restart (the language changed) opens a new socket from the last seq, without a word on the badge', async () => {
  r = rig({ answers: [{ status: 200, board: board(5), etag: 'e' }, { status: 304 }] });
  r.connection.start();
  await settle();
  const first = r.socket();
  first.deliver({ type: 'hello', seq: 5 });
  first.deliver({ type: 'machine', seq: 7, machine: { id: 'W1' } });
  r.connection.restart();
  await settle();
  assert.equal(first.closed, true);
  assert.deepEqual(r.boardRequests, [null, 'e'], 'the board is checked, not fetched again');
  assert.equal(r.socket().since, 7);
  r.socket().deliver({ type: 'hello', seq: 7 });
  assert.deepEqual(r.statuses, ['live'], 'it never stopped being live');
  assert.deepEqual([...r.timers.pending.values()].map((t) => t.ms).sort((a, b) => a - b), [STABLE_MS, PING_EVERY_MS], 'one ping, one stability timer');
  r.connection.stop();
  r.connection.restart();
  await settle();
  assert.equal(r.sockets.length, 2, 'a stopped connection stays stopped');
});
