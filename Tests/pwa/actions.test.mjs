import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Actions, actionRequest, queuedText, requestName, withMachine } from '../../Sources/UsageApp/Resources/Public/js/actions.mjs';
import { ApiError } from '../../Sources/UsageApp/Resources/Public/js/api.mjs';
import { setLanguage } from '../../Sources/UsageApp/Resources/Public/js/i18n.mjs';
import { ActionQueue } from '../../Sources/UsageApp/Resources/Public/js/queue.mjs';
import { MemoryStorage } from './support.mjs';

setLanguage('en');

const washer = { id: 'W 1/a', label: 'Washer 1', cycleMinutes: 45, use: { id: 'u/7' } };

/** Actions over a real queue in memory; `answers` are sendAction's outcomes, in turn. */
function rig({ answers = [], signedIn = true } = {}) {
  let n = 0;
  const r = { sent: [], toasts: [], machines: [], queued: [], answers };
  r.queue = new ActionQueue({ storage: new MemoryStorage(), newKey: () => `key-${++n}` });
  r.actions = new Actions({
    queue: r.queue,
    signedIn: () => signedIn,
    machineChanged: (machine) => r.machines.push(machine),
    send: async (entry) => {
      r.sent.push(entry);
      return r.answers.shift() ?? { outcome: 'done' };
    },
    toast: (title) => r.toasts.push(title),
    showQueued: (count) => r.queued.push(count),
  });
  return r;
}

const conflict = (machine) => ({ outcome: 'refused', error: new ApiError(409, { detail: 'Washer 1 is in use.', machine }) });

test('the requests: ids are escaped, start sends the minutes typed or none, a report its text', () => {
  assert.deepEqual(actionRequest('start', washer, '30'),
    { method: 'POST', path: '/api/machines/W%201%2Fa/uses', body: { minutes: 30 }, action: 'start', machineLabel: 'Washer 1' });
  assert.deepEqual(actionRequest('start', washer, '').body, {}, 'the server uses the cycle length');
  assert.equal(actionRequest('collect', washer).path, '/api/uses/u%2F7/collect');
  assert.equal(actionRequest('cancel', washer).path, '/api/uses/u%2F7/cancel');
  assert.deepEqual(actionRequest('pickup', washer),
    { method: 'POST', path: '/api/machines/W%201%2Fa/pickup-requests', action: 'pickup', machineLabel: 'Washer 1' });
  assert.deepEqual(actionRequest('report', washer, 'No water').body, { text: 'No water' });
});

test('a queued request is named in the language of the moment it is read; one from an older app by its own words', () => {
  const start = actionRequest('start', washer, '30');
  assert.equal(requestName(start), 'Start Washer 1');
  assert.equal(requestName(actionRequest('pickup', washer)), 'Ask the owner of Washer 1 to collect');
  setLanguage('ko');
  assert.equal(requestName(start), 'Washer 1 사용 시작');
  assert.equal(requestName(actionRequest('collect', washer)), 'Washer 1 수거 완료');
  assert.equal(queuedText(3), '전송을 기다리는 작업이 3개 있어요.');
  setLanguage('en');
  assert.equal(requestName({ method: 'POST', path: '/api/uses/u1/collect', label: 'Collect from Washer 2' }), 'Collect from Washer 2');
});

test('an action sent online: its button is disabled meanwhile; a start says nothing, a pickup request says it was sent', async () => {
  const r = rig();
  const button = { disabled: false };
  let disabledWhileSending;
  r.actions.send = async () => {
    disabledWhileSending = button.disabled;
    return { outcome: 'done' };
  };
  await r.actions.perform('start', washer, { input: '30', control: button });
  assert.equal(disabledWhileSending, true);
  assert.equal(button.disabled, false);
  assert.deepEqual(r.toasts, []);
  await r.actions.perform('pickup', washer);
  assert.deepEqual(r.toasts, ['The owner has been asked to collect.']);
  assert.deepEqual(r.queue.items, []);
});

test('an action the server cannot get waits in the queue with the key it was first sent with', async () => {
  const r = rig({ answers: [{ outcome: 'retry', error: new TypeError('Failed to fetch') }] });
  await r.actions.perform('start', washer, { input: '30' });
  assert.deepEqual(r.queue.items.map((e) => e.idempotencyKey), [r.sent[0].idempotencyKey]);
  assert.deepEqual(r.queued, [1]);
  assert.deepEqual(r.toasts, ['Start Washer 1: the server cannot be reached. It is sent as soon as the connection is back.']);
});

test('a refused action is not queued: the resident reads why, and a 409 shows the machine as it is now', async () => {
  const now = { id: 'W 1/a', label: 'Washer 1', state: 'in_use' };
  const r = rig({ answers: [conflict(now), { outcome: 'refused', error: new ApiError(403, { detail: 'Not yours.' }) }] });
  await r.actions.perform('start', washer, { input: '30' });
  await r.actions.perform('cancel', washer);
  assert.deepEqual(r.toasts, ['Start Washer 1: Washer 1 is in use.', 'Cancel Washer 1: Not yours.']);
  assert.deepEqual(r.machines, [now], 'the 403 carried no machine');
  assert.deepEqual(r.queue.items, []);
});

test('replay: done ones go quietly, a refused one is dropped with its reason, a retry keeps the rest', async () => {
  const r = rig({ answers: Array(3).fill({ outcome: 'retry' }) });
  await r.actions.perform('start', washer, { input: '30' });
  await r.actions.perform('pickup', washer);
  await r.actions.perform('collect', washer);
  r.toasts.length = 0;
  r.queued.length = 0;
  r.answers.push({ outcome: 'done' }, conflict({ id: 'W 1/a' }), { outcome: 'retry' });
  await r.actions.replay();
  assert.deepEqual(r.toasts, ['Ask the owner of Washer 1 to collect: Washer 1 is in use.']);
  assert.deepEqual(r.machines, [{ id: 'W 1/a' }]);
  assert.deepEqual(r.queue.items.map(requestName), ['Collect from Washer 1']);
  assert.deepEqual(r.queued, [1]);
});

test('replay sends nothing for a resident who is signed out', async () => {
  const r = rig({ answers: [{ outcome: 'retry' }], signedIn: false });
  await r.actions.perform('start', washer, { input: '30' });
  await r.actions.replay();
  assert.equal(r.sent.length, 1, 'only the first try');
  assert.equal(r.queue.items.length, 1);
});

test('the waiting line counts actions; signing out empties it', () => {
  assert.equal(queuedText(1), '1 action waits to be sent.');
  assert.equal(queuedText(3), '3 actions wait to be sent.');
  const r = rig();
  r.queue.add(actionRequest('pickup', washer));
  r.actions.clear();
  assert.deepEqual(r.queue.items, []);
  assert.deepEqual(r.queued, [0]);
});

test("a refusal's machine replaces the board's machine with its id, in its place", () => {
  const board = { seq: 3, machines: [{ id: 'W1', state: 'idle' }, { id: 'W2', state: 'idle' }], notices: [] };
  const updated = withMachine(board, { id: 'W1', state: 'in_use' });
  assert.deepEqual(updated.machines, [{ id: 'W1', state: 'in_use' }, { id: 'W2', state: 'idle' }]);
  assert.equal(updated.seq, 3);
  assert.equal(board.machines[0].state, 'idle', 'the board shown is not changed in place');
});

test('a start queued long ago is offered again, and sent anew (a new key) only when the resident says so', async () => {
  let clock = Date.parse('2026-12-01T12:00:00Z');
  let n = 0;
  const offers = [];
  const sent = [];
  const queue = new ActionQueue({ storage: new MemoryStorage(), newKey: () => `key-${++n}`, now: () => clock });
  const actions = new Actions({
    queue, signedIn: () => true, machineChanged: () => {},
    send: async (entry) => {
      sent.push(entry);
      return { outcome: 'done' };
    },
    toast: (title, body, action) => offers.push({ title, body, action }),
    showQueued: () => {},
  });
  queue.add(actionRequest('start', washer, '30'));
  clock += 12 * 60_000;
  await actions.replay();
  assert.deepEqual(sent, [], 'not sent by itself');
  assert.deepEqual(offers.map((o) => [o.title, o.body, o.action.label]), [
    ['Start Washer 1: not sent', 'It waited 12 min while offline; the machine may be taken by now.', 'Start now'],
  ]);
  await offers[0].action.run();
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body, { minutes: 30 });
  assert.equal(sent[0].idempotencyKey, 'key-2', 'a new request, not a replay of the old one');
});
