import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CANCEL_WINDOW_MS, applyFrame, formatRemaining, groupByLocation, liveNotices, machineView, noticeText, summarise, summaryView,
} from '../../Sources/UsageApp/Resources/Public/js/board.mjs';
import { setLanguage } from '../../Sources/UsageApp/Resources/Public/js/i18n.mjs';

setLanguage('en');

const machine = (id, location, extra = {}) => ({
  id, kind: 'washer', label: `Washer ${id}`, location, cycleMinutes: 45, state: 'idle', stateNote: null, use: null, ...extra,
});
const now = Date.parse('2026-12-01T12:00:00Z');
const use = (residentId, startedMinutesAgo, endsInMinutes) => ({
  id: 'u1', residentId,
  startedAt: new Date(now - startedMinutesAgo * 60_000).toISOString(),
  endsAt: new Date(now + endsInMinutes * 60_000).toISOString(),
});

test('machine frames replace in place and keep the board order: location, then id with numbers as numbers', () => {
  let board = { seq: 1, machines: [machine('W2', 'Hall A'), machine('W1', 'Hall B')], notices: [] };
  board = applyFrame(board, { type: 'machine', seq: 2, machine: machine('W10', 'Hall A') });
  board = applyFrame(board, { type: 'machine', seq: 3, machine: machine('W2', 'Hall A', { state: 'broken' }) });
  assert.deepEqual(board.machines.map((m) => m.id), ['W2', 'W10', 'W1']);
  assert.equal(board.machines[0].state, 'broken');
  board = applyFrame(board, { type: 'machine_removed', seq: 4, id: 'W10' });
  assert.deepEqual(board.machines.map((m) => m.id), ['W2', 'W1']);
  assert.equal(board.seq, 4);
  const moved = applyFrame(board, { type: 'machine', seq: 5, machine: machine('W1', 'Hall 0') });
  assert.deepEqual(moved.machines.map((m) => `${m.id}@${m.location}`), ['W1@Hall 0', 'W2@Hall A'], 'a moved machine is sorted in');
  assert.deepEqual(groupByLocation(board.machines).map(([loc, ms]) => [loc, ms.length]), [['Hall A', 1], ['Hall B', 1]]);
});

test('notices: newest first, replaced by id, removed by id, expired ones hidden', () => {
  let board = { seq: 1, machines: [], notices: [] };
  const notice = (id, publishAt, expiresAt = null) => ({ id, text: id, severity: 'info', publishAt, expiresAt });
  board = applyFrame(board, { type: 'notice', seq: 2, notice: notice('old', '2026-11-30T10:00:00Z') });
  board = applyFrame(board, { type: 'notice', seq: 3, notice: notice('new', '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z') });
  assert.deepEqual(board.notices.map((n) => n.id), ['new', 'old']);
  assert.deepEqual(liveNotices(board.notices, now).map((n) => n.id), ['old']);
  board = applyFrame(board, { type: 'notice_removed', seq: 4, id: 'old' });
  assert.deepEqual(board.notices.map((n) => n.id), ['new']);
});

test('what a machine shows: free, running with a countdown, done, broken with its note', () => {
  assert.deepEqual(machineView(machine('W1', 'A'), 'me', now).actions, ['start', 'report']);
  const running = machineView(machine('W1', 'A', { state: 'in_use', use: use('other', 20, 12.5) }), 'me', now);
  assert.equal(running.status, 'Running · 12:30 left');
  assert.deepEqual(running.actions, ['report']);
  const mineEarly = machineView(machine('W1', 'A', { state: 'in_use', use: use('me', 2, 43) }), 'me', now);
  assert.deepEqual(mineEarly.actions, ['collect', 'cancel', 'report']);
  const mineLater = machineView(
    machine('W1', 'A', { state: 'in_use', use: use('me', CANCEL_WINDOW_MS / 60_000 + 1, 30) }), 'me', now);
  assert.deepEqual(mineLater.actions, ['collect', 'report']);
  const done = machineView(machine('W1', 'A', { state: 'in_use', use: use('other', 50, -5) }), 'me', now);
  assert.equal(done.phase, 'done');
  assert.deepEqual(done.actions, ['pickup', 'report']);
  const broken = machineView(machine('W1', 'A', { state: 'broken', stateNote: '<b>leak</b>' }), 'me', now);
  assert.equal(broken.note, '<b>leak</b>');
  assert.deepEqual(broken.actions, ['report']);
});

test('a crowd-confirmed machine says how many residents reported it, after its own note', () => {
  assert.equal(machineView(machine('W1', 'A'), 'me', now).note, '', 'no reportedBy, nothing said');
  const free = machineView(machine('W1', 'A', { reportedBy: 2 }), 'me', now);
  assert.equal(free.note, 'Reported by 2 residents');
  assert.deepEqual(free.actions, ['start', 'report'], 'reports do not take the machine away');
  const mine = machineView(machine('W1', 'A', { state: 'in_use', use: use('me', 20, 10), reportedBy: 3 }), 'me', now);
  assert.equal(mine.note, 'Your laundry · Reported by 3 residents');
  assert.equal(machineView(machine('W1', 'A', { reportedBy: 1 }), 'me', now).note, 'Reported by 1 resident');
});

test('countdowns: mm:ss under an hour, h:mm:ss above, a started second counts', () => {
  assert.equal(formatRemaining(61_001), '01:02');
  assert.equal(formatRemaining(3_600_000), '1:00:00');
  assert.equal(formatRemaining(-5), '00:00');
});

test('the summary counts as the server does (fixtures/board-summary.json, also read by the Swift rule test)', async () => {
  const { readFile } = await import('node:fs/promises');
  const fixture = JSON.parse(await readFile(new URL('../../fixtures/board-summary.json', import.meta.url), 'utf8'));
  const at = Date.parse(fixture.now);
  const expected = fixture.summary.map((entry) => ({
    ...entry, nextFreeAt: entry.nextFreeAt === null ? null : Date.parse(entry.nextFreeAt),
  }));
  assert.deepEqual(summarise(fixture.machines, at), expected);
});

test('summary lines: free counts, the next free time in minutes, or why none can be had', () => {
  const lines = summaryView([
    machine('W1', 'Hall A'), machine('W2', 'Hall A', { state: 'in_use', use: use('ben', 10, 30) }),
    machine('D1', 'Hall A', { kind: 'dryer', state: 'in_use', use: use('ben', 40, 11.5) }),
    machine('D2', 'Hall A', { kind: 'dryer', state: 'in_use', use: use('ben', 50, -3) }),
    machine('X1', 'Hall B', { kind: 'other', state: 'broken' }),
    machine('X2', 'Hall C', { kind: 'other', state: 'in_use', use: use('ben', 50, -1) }),
  ], now);
  assert.deepEqual(lines, [
    { location: 'Hall A', kinds: [
      { kind: 'washer', name: 'Washers', text: '1 of 2 free', free: true, waiting: null },
      { kind: 'dryer', name: 'Dryers', text: 'next free in 12 min', free: false, waiting: null },
    ] },
    { location: 'Hall B', kinds: [{ kind: 'other', name: 'Other machines', text: 'none working', free: false, waiting: null }] },
    { location: 'Hall C', kinds: [{ kind: 'other', name: 'Other machines', text: 'none free · 1 awaiting pickup', free: false, waiting: null }] },
  ]);
});

test("a line covered by the resident's waitlist entry carries it; a held machine is free only for its waiter", () => {
  const machines = [
    machine('W1', 'Hall A', { state: 'in_use', use: use('ben', 10, 30) }),
    machine('W2', 'Hall A', { hold: { residentId: 'me', until: new Date(now + 4 * 60_000).toISOString() } }),
    machine('D1', 'Hall A', { kind: 'dryer', state: 'in_use', use: use('ben', 10, 30) }),
  ];
  const lines = summaryView(machines, now, [{ id: 'e1', kind: 'dryer', location: null, position: 2 }]);
  assert.deepEqual(lines[0].kinds.map((k) => [k.kind, k.free, k.waiting]), [
    ['washer', false, null], ['dryer', false, { id: 'e1', position: 2 }],
  ], 'the held washer is not free for the summary');
  assert.deepEqual(machineView(machines[1], 'me', now), {
    phase: 'free', mine: true, status: 'Kept for you · 04:00', note: 'You were waiting for it', actions: ['start', 'report'],
  });
  assert.deepEqual(machineView(machines[1], 'ben', now), {
    phase: 'held', status: 'Kept for a waiting resident · 04:00', note: '', actions: ['report'],
  });
  assert.equal(machineView(machines[1], 'ben', now + 5 * 60_000).phase, 'free', 'a hold that ran out keeps nothing');
});

/** Runs `check` with the app in Korean, then back in English. */
function inKorean(check) {
  setLanguage('ko');
  try {
    check();
  } finally {
    setLanguage('en');
  }
}

test('in Korean: what a machine shows, free, kept, running, done, broken and reported', () => {
  inKorean(() => {
    const status = (m, me = 'me') => machineView(m, me, now).status;
    assert.equal(status(machine('W1', 'A')), '비어 있음');
    assert.equal(status(machine('W1', 'A', { state: 'in_use', use: use('other', 20, 12.5) })), '사용 중 · 12:30 남음');
    assert.equal(machineView(machine('W1', 'A', { state: 'in_use', use: use('other', 20, 12.5) }), 'me', now, { minutesOnly: true }).status,
      '사용 중 · 13분 남음');
    assert.equal(status(machine('W1', 'A', { state: 'in_use', use: use('other', 50, -5) })), '완료 — 수거 대기 중');
    assert.equal(status(machine('W1', 'A', { state: 'broken', stateNote: '물이 샘' })), '고장');
    const held = machine('W1', 'A', { hold: { residentId: 'me', until: new Date(now + 4 * 60_000).toISOString() } });
    assert.deepEqual([status(held), machineView(held, 'me', now).note], ['회원님을 위해 비워 둠 · 04:00', '기다리시던 기기예요']);
    assert.equal(status(held, 'ben'), '대기자를 위해 비워 둠 · 04:00');
    const mine = machineView(machine('W1', 'A', { state: 'in_use', use: use('me', 20, 10), reportedBy: 2 }), 'me', now);
    assert.equal(mine.note, '내 세탁물 · 주민 2명이 신고함');
    assert.equal(machineView(machine('W1', 'A', { reportedBy: 1 }), 'me', now).note, '주민 1명이 신고함');
  });
});

test('in Korean: summary lines count machines with 대 and say when one is free in minutes', () => {
  inKorean(() => {
    const lines = summaryView([
      machine('W1', 'Hall A'), machine('W2', 'Hall A'),
      machine('D1', 'Hall A', { kind: 'dryer', state: 'in_use', use: use('ben', 40, 11.5) }),
      machine('X1', 'Hall B', { kind: 'other', state: 'broken' }),
      machine('X2', 'Hall C', { kind: 'other', state: 'in_use', use: use('ben', 50, -1) }),
    ], now);
    assert.deepEqual(lines.flatMap((l) => l.kinds.map((k) => `${l.location} · ${k.name} ${k.text}`)), [
      'Hall A · 세탁기 2대 중 2대 사용 가능',
      'Hall A · 건조기 12분 후 사용 가능',
      'Hall B · 기타 기기 작동하는 기기 없음',
      'Hall C · 기타 기기 빈 기기 없음 · 1대 수거 대기 중',
    ]);
  });
});

test("a notice reads in the resident's language when its author wrote it in that one, else in its one text", () => {
  const notice = { id: 'n1', text: 'Hall B closed', texts: { ko: 'B동 세탁실 폐쇄', en: 'Hall B closed today' } };
  assert.equal(noticeText(notice, 'ko'), 'B동 세탁실 폐쇄');
  assert.equal(noticeText(notice), 'Hall B closed today', 'the current language, English here');
  assert.equal(noticeText({ ...notice, texts: { ko: 'B동 세탁실 폐쇄' } }, 'en'), 'Hall B closed');
  assert.equal(noticeText({ id: 'n2', text: 'Old notice' }, 'ko'), 'Old notice', 'a notice from before texts');
});
