import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLanguage } from '../../Sources/UsageApp/Resources/Public/js/i18n.mjs';
import { kioskView } from '../../Sources/UsageApp/Resources/Public/kiosk/kiosk.mjs';

setLanguage('en');

const now = Date.parse('2026-12-01T12:00:00Z');
const at = (minutes) => new Date(now + minutes * 60_000).toISOString();
const machine = (id, location, extra = {}) => ({
  id, kind: 'washer', label: `Washer ${id}`, location, cycleMinutes: 45, state: 'idle', stateNote: null, use: null, ...extra,
});

test("a kiosk shows its location's machines, in words, with nobody's name or id", () => {
  // As the server sends it to a kiosk: no residentId anywhere.
  const board = {
    seq: 3,
    machines: [
      machine('W1', 'Hall A', { state: 'in_use', use: { id: 'u1', startedAt: at(-10), endsAt: at(35) } }),
      machine('W2', 'Hall A', { hold: { until: at(4) } }),
      machine('W3', 'Hall A', { state: 'broken', stateNote: 'door' }),
      machine('W9', 'Hall B'),
    ],
    notices: [
      { id: 'n1', text: 'Dryers serviced Friday', texts: { ko: '금요일 건조기 점검' }, severity: 'info', publishAt: at(-60), expiresAt: null },
    ],
  };
  const view = kioskView(board, 'Hall A', now);
  assert.equal(view.title, 'Hall A');
  assert.deepEqual(view.summary, ['Washers: next free in 35 min']);
  assert.deepEqual(view.machines.map((m) => [m.id, m.phase, m.status]), [
    ['W1', 'running', 'Running · 35:00 left'],
    ['W2', 'held', 'Kept for a waiting resident · 04:00'],
    ['W3', 'broken', 'Out of order'],
  ]);
  assert.deepEqual(view.notices, ['Dryers serviced Friday']);
  assert.deepEqual(kioskView(board, null, now).summary, ['Hall A · Washers: next free in 35 min', 'Hall B · Washers: 1 of 1 free']);

  setLanguage('ko');
  const korean = kioskView(board, null, now);
  setLanguage('en');
  assert.equal(korean.title, '세탁실');
  assert.deepEqual(korean.summary, ['Hall A · 세탁기: 35분 후 사용 가능', 'Hall B · 세탁기: 1대 중 1대 사용 가능']);
  assert.deepEqual(korean.machines.map((m) => m.status), ['사용 중 · 35:00 남음', '대기자를 위해 비워 둠 · 04:00', '고장', '비어 있음']);
  assert.deepEqual(korean.notices, ['금요일 건조기 점검']);
});
