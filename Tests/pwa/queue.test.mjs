import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActionQueue, STALE_START_MS, isStaleStart } from '../../Sources/UsageApp/Resources/Public/js/queue.mjs';
import { MemoryStorage } from './support.mjs';

function queue(storage = new MemoryStorage()) {
  let n = 0;
  return new ActionQueue({ storage, newKey: () => `key-${++n}` });
}

const start = { method: 'POST', path: '/api/machines/W1/uses', body: { minutes: 45 }, label: 'Start W1' };
const pickup = { method: 'POST', path: '/api/machines/D2/pickup-requests', label: 'Ask D2' };
const collect = { method: 'POST', path: '/api/uses/u1/collect', label: 'Collect W3' };

test('queued actions keep their order and key across a reload', () => {
  const storage = new MemoryStorage();
  const first = queue(storage);
  first.add(start);
  first.add(pickup);
  const reloaded = new ActionQueue({ storage });
  assert.deepEqual(
    reloaded.items.map((item) => [item.path, item.idempotencyKey]),
    [['/api/machines/W1/uses', 'key-1'], ['/api/machines/D2/pickup-requests', 'key-2']],
  );
});

test('signing out drops what waits', () => {
  const q = queue();
  q.add(start);
  q.clear();
  assert.deepEqual(q.items, []);
});

test('an action first tried online keeps its key when queued, so a resend is answered once', () => {
  const q = queue();
  const tried = q.prepare(start);
  q.add(tried);
  q.add(tried);
  assert.deepEqual(q.items.map((item) => item.idempotencyKey), [tried.idempotencyKey]);
});

test('replay sends in order; done and refused ones leave; a retry stops and keeps the rest', async () => {
  const q = queue();
  [start, pickup, collect].forEach((a) => q.add(a));
  const sent = [];
  const answers = { 'key-1': 'done', 'key-2': 'refused', 'key-3': 'retry' };
  const first = await q.replay(async (entry) => {
    sent.push(entry.idempotencyKey);
    return answers[entry.idempotencyKey];
  });
  assert.deepEqual(sent, ['key-1', 'key-2', 'key-3']);
  assert.deepEqual(first.done.map((e) => e.label), ['Start W1']);
  assert.deepEqual(first.refused.map((e) => e.label), ['Ask D2']);
  assert.equal(first.waiting, 1);

  const second = await q.replay(async (entry) => {
    sent.push(entry.idempotencyKey);
    return 'done';
  });
  assert.deepEqual(sent.slice(3), ['key-3'], 'the same key again');
  assert.equal(second.waiting, 0);
  assert.deepEqual(q.items, []);
});

test('a network failure during replay counts as retry, and stops it', async () => {
  const q = queue();
  q.add(start);
  q.add(pickup);
  let calls = 0;
  const result = await q.replay(async () => {
    calls += 1;
    throw new TypeError('Failed to fetch');
  });
  assert.equal(calls, 1);
  assert.equal(result.waiting, 2);
});

test('two replays at once send each action once', async () => {
  const q = queue();
  q.add(start);
  q.add(pickup);
  const sent = [];
  const send = async (entry) => {
    sent.push(entry.idempotencyKey);
    await new Promise((resolve) => setImmediate(resolve));
    return 'done';
  };
  await Promise.all([q.replay(send), q.replay(send)]);
  assert.deepEqual(sent, ['key-1', 'key-2']);
});

test('a start that waited offline too long is not sent but handed back; other actions still go', async () => {
  let clock = Date.parse('2026-12-01T12:00:00Z');
  let n = 0;
  const queue = new ActionQueue({ storage: new MemoryStorage(), newKey: () => `k${++n}`, now: () => clock });
  queue.add({ method: 'POST', path: '/api/machines/W1/uses', body: {}, label: 'Start Washer 1' });
  queue.add({ method: 'POST', path: '/api/uses/u1/collect', label: 'Collect from Washer 2' });
  clock += STALE_START_MS - 1000;
  const fresh = new ActionQueue({ storage: queue.storage, now: () => clock });
  assert.equal(isStaleStart(fresh.items[0], clock), false, 'four minutes and a bit is still fresh');
  clock += 2000;
  const sent = [];
  const result = await fresh.replay(async (entry) => {
    sent.push(entry.label);
    return 'done';
  });
  assert.deepEqual(sent, ['Collect from Washer 2']);
  assert.deepEqual(result.stale.map((e) => e.label), ['Start Washer 1']);
  assert.deepEqual(fresh.items, []);
});
