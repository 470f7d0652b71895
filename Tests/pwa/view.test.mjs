import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CLOCK_SKEW_MS, announcements, asOfAfter, cardView, clockOffset, connectionText, noticesView, staleText,
} from '../../Sources/UsageApp/Resources/Public/js/view.mjs';
import { setLanguage } from '../../Sources/UsageApp/Resources/Public/js/i18n.mjs';

setLanguage('en');

const now = Date.parse('2026-12-01T14:05:00Z');
const machine = (extra = {}) => ({
  id: 'W1', kind: 'washer', label: 'Washer 1', location: 'Hall A', cycleMinutes: 45, state: 'idle', stateNote: null, use: null, ...extra,
});
const running = (residentId, startedMinutesAgo, useId = 'u1') => machine({
  state: 'in_use',
  use: {
    id: useId, residentId,
    startedAt: new Date(now - startedMinutesAgo * 60_000).toISOString(),
    endsAt: new Date(now - startedMinutesAgo * 60_000 + 45 * 60_000).toISOString(),
  },
});

test('a card: the countdown moves each second without rebuilding its buttons', () => {
  const before = cardView(running('me', 2), 'me', now);
  const after = cardView(running('me', 2), 'me', now + 1000);
  assert.equal(before.status, 'Running · 43:00 left');
  assert.equal(after.status, 'Running · 42:59 left');
  assert.equal(after.actionsKey, before.actionsKey);
});

test('a card rebuilds its buttons when they change: the cancel window closes, a new use, a rename, a new cycle length', () => {
  const base = cardView(running('me', 2), 'me', now).actionsKey;
  const windowClosed = cardView(running('me', 2), 'me', now + 9 * 60_000).actionsKey;
  assert.notEqual(windowClosed, base, 'Cancel goes away');
  assert.notEqual(cardView(running('me', 2, 'u2'), 'me', now).actionsKey, base, 'another use: Collected acts on it');
  assert.notEqual(cardView({ ...running('me', 2), label: 'Washer One' }, 'me', now).actionsKey, base);
  const free = cardView(machine(), 'me', now).actionsKey;
  assert.notEqual(cardView(machine({ cycleMinutes: 30 }), 'me', now).actionsKey, free, 'the minutes field starts at the cycle');
});

test('a card says whose laundry it is: true or false, never missing', () => {
  assert.equal(cardView(running('me', 2), 'me', now).mine, true);
  assert.equal(cardView(running('other', 2), 'me', now).mine, false);
  assert.equal(cardView(machine(), 'me', now).mine, false);
  assert.equal(cardView(machine({ state: 'broken', stateNote: 'leak' }), 'me', now).mine, false);
});

test('notices: labelled by severity, unknown ones as a plain notice, expired ones gone', () => {
  const notices = [
    { id: 'n1', text: 'Hall B closed', severity: 'outage', expiresAt: null },
    { id: 'n2', text: 'Dryers serviced', severity: 'warning', expiresAt: '2026-12-01T15:00:00Z' },
    { id: 'n3', text: 'New soap', severity: 'whatever', expiresAt: null },
    { id: 'n4', text: 'Old news', severity: 'info', expiresAt: '2026-12-01T14:00:00Z' },
  ];
  assert.deepEqual(noticesView(notices, now).lines, [
    { severity: 'outage', label: 'Out of service', text: 'Hall B closed' },
    { severity: 'warning', label: 'Warning', text: 'Dryers serviced' },
    { severity: 'whatever', label: 'Notice', text: 'New soap' },
  ]);
  assert.deepEqual(noticesView(notices, Date.parse('2026-12-01T15:00:00Z')).lines.map((l) => l.text), ['Hall B closed', 'New soap']);
});

test('notices are drawn again when one is edited, expires or goes, not on every tick', () => {
  const notices = [{ id: 'n1', text: 'Hall B closed', severity: 'info', expiresAt: '2026-12-01T15:00:00Z' }];
  const key = noticesView(notices, now).key;
  assert.equal(noticesView(notices, now + 1000).key, key);
  assert.notEqual(noticesView([{ ...notices[0], text: 'Hall B open' }], now).key, key);
  assert.notEqual(noticesView(notices, Date.parse('2026-12-01T15:00:00Z')).key, key);
  assert.notEqual(noticesView([], now).key, key);
});

test('the "As of" line: set when the board stops being live, kept through further losses, gone when live again', () => {
  let asOf = asOfAfter('reconnecting', null, true, now);
  assert.equal(asOf, now);
  asOf = asOfAfter('offline', asOf, true, now + 60_000);
  assert.equal(asOf, now, 'the last moment it was known current, not the latest loss');
  assert.equal(asOfAfter('live', asOf, true, now + 120_000), null);
  assert.equal(asOfAfter('connecting', null, false, now), null, 'no board, nothing to date');
  assert.equal(staleText(now, { locales: 'en-GB', timeZone: 'UTC' }), 'As of 14:05: this board updates when the connection is back.');
  assert.equal(staleText(Date.parse('2026-12-01T09:07:59Z'), { locales: 'en-GB', timeZone: 'UTC' }).slice(0, 11), 'As of 09:07');
  assert.equal(staleText(null), '');
});

test('the connection badge reads the status, or the status itself when it is a new one', () => {
  assert.equal(connectionText('reconnecting'), 'Reconnecting…');
  assert.equal(connectionText('signed-out'), 'Not signed in');
  assert.equal(connectionText('paused'), 'paused');
});

test("countdowns run on the server's clock when the phone's is off by more than a few seconds", () => {
  assert.equal(clockOffset(now + CLOCK_SKEW_MS, now), 0);
  assert.equal(clockOffset(now - CLOCK_SKEW_MS, now), 0);
  assert.equal(clockOffset(now + 90_000, now), 90_000);
  assert.equal(clockOffset(now - 6000, now), -6000);
});

test('a row offers one action at once; starting with other minutes, cancelling and reporting wait in the menu', () => {
  const split = (m, me = 'me') => { const { primary, menu } = cardView(m, me, now); return { primary, menu }; };
  assert.deepEqual(split(machine()), { primary: 'start', menu: ['start', 'report'] });
  assert.deepEqual(split(running('me', 2)), { primary: 'collect', menu: ['cancel', 'report'] });
  assert.deepEqual(split(running('me', 30)), { primary: 'collect', menu: ['report'] }, 'past the cancel window');
  assert.deepEqual(split(running('ben', 2)), { primary: null, menu: ['report'] }, "nothing to do on a stranger's running machine");
  assert.deepEqual(split(machine({ state: 'broken' })), { primary: null, menu: ['report'] });
});

test("the screen reader hears of the resident's machines and awaited kinds changing, once, and of no stranger's", () => {
  const w2 = (extra = {}) => machine({ id: 'W2', label: 'Washer 2', ...extra });
  const bensW2 = w2({ state: 'in_use', use: { ...running('ben', 0).use, id: 'u2' } });
  const first = announcements(null, [machine(), w2()], 'me', [], now);
  assert.deepEqual(first.lines, [], 'the first board announces nothing');
  const started = announcements(first.phases, [running('me', 0), bensW2], 'me', [], now);
  assert.deepEqual(started.lines, ['Washer 1: Running · 45:00 left'], "only the resident's own machine");
  const ticking = announcements(started.phases, [running('me', 0), bensW2], 'me', [], now + 1000);
  assert.deepEqual(ticking.lines, [], 'a countdown is not news');
  const broken = announcements(ticking.phases, [machine({ state: 'broken', stateNote: 'drum' }), bensW2], 'me', [], now + 2000);
  assert.deepEqual(broken.lines, ['Washer 1: Out of order'], 'a use that was theirs, closed by a breakdown');
  const waiting = [{ id: 'e1', kind: 'washer', location: null, position: 1 }];
  const freed = announcements(broken.phases, [machine({ state: 'broken' }), w2()], 'me', waiting, now + 3000);
  assert.deepEqual(freed.lines, ['Washer 2: Free'], 'a stranger\'s machine of the kind the resident waits for');
});

test('with reduced motion, countdowns are whole minutes', () => {
  assert.equal(cardView(running('me', 2), 'me', now, { minutesOnly: true }).status, 'Running · 43 min left');
  assert.equal(cardView(running('me', 2), 'me', now).status, 'Running · 43:00 left');
});

test('in Korean: notices, their labels, the "As of" line and the badge; buttons are rebuilt for the new words', () => {
  const notices = [
    { id: 'n1', text: 'Hall B closed', texts: { ko: 'B동 세탁실 폐쇄' }, severity: 'outage', expiresAt: null },
    { id: 'n2', text: 'New soap', severity: 'info', expiresAt: null },
  ];
  const english = noticesView(notices, now);
  const key = cardView(machine(), 'me', now).actionsKey;
  setLanguage('ko');
  try {
    const korean = noticesView(notices, now);
    assert.deepEqual(korean.lines, [
      { severity: 'outage', label: '운영 중단', text: 'B동 세탁실 폐쇄' },
      { severity: 'info', label: '공지', text: 'New soap' },
    ]);
    assert.notEqual(korean.key, english.key, 'drawn again though one text is the same');
    assert.equal(staleText(now, { locales: 'en-GB', timeZone: 'Asia/Seoul' }), '23:05 기준 현황이에요. 다시 연결되면 새로 고쳐져요.');
    assert.equal(connectionText('reconnecting'), '다시 연결 중…');
    assert.notEqual(cardView(machine(), 'me', now).actionsKey, key);
  } finally {
    setLanguage('en');
  }
});
