import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PAGE, badge, deliveryLine, emptyCentre, notificationsToClose, withLiveAlert, withPage, withRead,
} from '../../Sources/UsageApp/Resources/Public/js/alerts.mjs';
import { setLanguage } from '../../Sources/UsageApp/Resources/Public/js/i18n.mjs';

setLanguage('en');

const entry = (id, extra = {}) => ({
  id, kind: 'cycle_done', title: `W1: done (${id})`, body: 'Collect it.', machineId: 'W1', at: '2026-12-01T18:00:00Z', readAt: null,
  delivery: { live: null, ackedAt: null, held: null, routed: null, pushes: [] }, ...extra,
});
const time = (text) => text.slice(11, 16);

test('pages add after what is there, the first replaces it; a short page is the last', () => {
  let centre = withPage(emptyCentre(), { alerts: [entry('a3'), entry('a2')], unread: 3 }, { first: true });
  assert.deepEqual(centre.alerts.map((a) => a.id), ['a3', 'a2']);
  assert.equal(centre.complete, true, 'fewer than a page');
  centre = withPage(centre, { alerts: [entry('a2'), entry('a1')], unread: 3 }, { first: false });
  assert.deepEqual(centre.alerts.map((a) => a.id), ['a3', 'a2', 'a1'], 'no duplicate when a page overlaps');
  const full = withPage(emptyCentre(), { alerts: Array.from({ length: PAGE }, (_, i) => entry(`x${i}`)), unread: 0 }, { first: true });
  assert.equal(full.complete, false);
  assert.deepEqual(withPage(centre, { alerts: [entry('b')], unread: 1 }, { first: true }).alerts.map((a) => a.id), ['b']);
});

test('a live alert that arrives while the first page is asked for stays, counted, when the page lacks it', () => {
  let centre = withPage(emptyCentre(), { alerts: [entry('a1')], unread: 1 }, { first: true });
  const live = { id: 'a2', kind: 'pickup_request', title: 'Someone waits', body: '…', machineId: 'W1', at: '2026-12-01T18:05:00Z' };
  centre = withLiveAlert(centre, live, '2026-12-01T18:05:01Z');
  // The server read the page before a2 existed.
  const stale = withPage(centre, { alerts: [entry('a1')], unread: 1 }, { first: true, arrived: ['a2'] });
  assert.deepEqual(stale.alerts.map((a) => a.id), ['a2', 'a1']);
  assert.equal(stale.unread, 2);
  // The server read it after: listed once, counted once.
  const fresh = withPage(centre, { alerts: [entry('a2'), entry('a1')], unread: 2 }, { first: true, arrived: ['a2'] });
  assert.deepEqual(fresh.alerts.map((a) => a.id), ['a2', 'a1']);
  assert.equal(fresh.unread, 2);
  assert.deepEqual(withPage(centre, { alerts: [entry('a1')], unread: 1 }, { first: true }).alerts.map((a) => a.id), ['a1'],
    'without arrivals the first page replaces the list');
});

test('a live alert comes first and counts as unread, once', () => {
  let centre = withPage(emptyCentre(), { alerts: [entry('a1')], unread: 1 }, { first: true });
  const alert = { id: 'a2', kind: 'pickup_request', title: 'Someone waits for W1', body: '…', machineId: 'W1', at: '2026-12-01T18:05:00Z' };
  centre = withLiveAlert(centre, alert, '2026-12-01T18:05:01Z');
  assert.deepEqual(centre.alerts.map((a) => a.id), ['a2', 'a1']);
  assert.equal(centre.unread, 2);
  assert.equal(deliveryLine(centre.alerts[0], time), 'Shown in the app at 18:05', 'this page showed it');
  assert.equal(withLiveAlert(centre, alert, 'later'), centre, 'the same alert again changes nothing');
});

test('read by id or all, here or on another device; the count never goes below zero', () => {
  let centre = withPage(emptyCentre(), { alerts: [entry('a2'), entry('a1')], unread: 5 }, { first: true });
  centre = withRead(centre, ['a1', 'other'], '2026-12-01T19:00:00Z');
  assert.deepEqual(centre.alerts.map((a) => a.readAt), [null, '2026-12-01T19:00:00Z']);
  assert.equal(centre.unread, 4, 'older unread alerts not loaded still count');
  assert.equal(withRead(centre, ['a1'], '2026-12-01T19:01:00Z').unread, 4, 'read twice counts once');
  const all = withRead(centre, null, '2026-12-01T19:02:00Z');
  assert.equal(all.unread, 0);
  assert.ok(all.alerts.every((a) => a.readAt));
  assert.equal(withRead({ ...centre, unread: 0 }, ['a2'], 'x').unread, 0);
});

test('the badge: nothing at zero, a number, 99+; its label says how many', () => {
  assert.deepEqual(badge(0), { count: '', label: 'Alerts' });
  assert.deepEqual(badge(3), { count: '3', label: 'Alerts, 3 unread' });
  assert.equal(badge(120).count, '99+');
});

test('one line says how each alert reached the resident', () => {
  const delivery = (d) => entry('a', { delivery: { live: null, ackedAt: null, held: null, routed: null, pushes: [], ...d } });
  assert.equal(deliveryLine(delivery({ live: { at: '2026-12-01T18:04:00Z', sockets: 1 }, ackedAt: '2026-12-01T18:04:01Z' }), time),
    'Shown in the app at 18:04');
  const pushed = { routed: { outcome: 'pushed', at: '2026-12-01T18:04:10Z', because: 'unacknowledged' } };
  assert.equal(deliveryLine(delivery({ ...pushed, pushes: [{ state: 'delivered', status: 201, at: '2026-12-01T18:04:11Z' }] }), time),
    'Sent as a notification at 18:04');
  assert.equal(deliveryLine(delivery({ ...pushed, pushes: [{ state: 'gone', status: 410, at: '2026-12-01T18:04:11Z' }] }), time),
    'The notification did not reach any device');
  assert.equal(deliveryLine(delivery({ ...pushed, pushes: [] }), time), 'No device takes notifications');
  assert.equal(deliveryLine(delivery({ ...pushed, pushes: [{ state: 'pending', at: '2026-12-01T18:05:00Z' }] }), time),
    'Sending as a notification since 18:04');
  assert.equal(deliveryLine(delivery({ routed: { outcome: 'dropped', at: 'x', because: 'muted' } }), time), 'Not sent: you muted these');
  assert.equal(deliveryLine(delivery({ held: { until: '2026-12-02T07:00:00Z', because: 'quiet_hours' } }), time),
    'Held for your quiet hours until 07:00');
  assert.equal(deliveryLine(delivery({ live: { at: '2026-12-01T18:04:00Z', sockets: 2 } }), time), 'Sent to the open app at 18:04');
  assert.equal(deliveryLine(delivery({}), time), 'Waiting to be sent');
  assert.equal(deliveryLine(delivery({ routed: { outcome: 'dropped', at: 'x', because: 'new_reason' } }), time), 'Not sent: new_reason',
    'a reason this app does not know yet, as the server named it');
});

test('in Korean: the badge and how each alert reached the resident', () => {
  const delivery = (d) => entry('a', { delivery: { live: null, ackedAt: null, held: null, routed: null, pushes: [], ...d } });
  setLanguage('ko');
  try {
    assert.deepEqual(badge(3), { count: '3', label: '알림, 읽지 않음 3개' });
    assert.equal(deliveryLine(delivery({ ackedAt: '2026-12-01T18:04:01Z' }), time), '18:04에 앱에 표시됨');
    assert.equal(deliveryLine(delivery({ held: { until: '2026-12-02T07:00:00Z', because: 'quiet_hours' } }), time),
      '07:00까지 보류 (방해 금지 시간)');
    assert.equal(deliveryLine(delivery({ routed: { outcome: 'dropped', at: 'x', because: 'muted' } }), time), '보내지 않음: 알림을 끈 종류');
  } finally {
    setLanguage('en');
  }
});

test('notifications out of date: read alerts, and loads of mine no longer on their machine', () => {
  const me = 'ada';
  const machines = [
    { id: 'W1', use: { residentId: 'ada' } }, { id: 'W2', use: null }, { id: 'W3', use: { residentId: 'bea' } },
  ];
  const shown = [
    { tag: 'machine-W1', data: { alertId: 'a1', kind: 'cycle_done' } },
    { tag: 'machine-W2', data: { alertId: 'a2', kind: 'cycle_done' } },
    { tag: 'machine-W3', data: { alertId: 'a3', kind: 'pickup_reminder' } },
    { tag: 'machine-W2', data: { alertId: 'a4', kind: 'machine_free' } },
    { tag: 'alert-a5', data: { alertId: 'a5', kind: 'notice' } },
    { tag: 'alert-a6', data: { alertId: 'a6', kind: 'notice' } },
    { tag: 'washboard-test', data: {} },
  ];
  const closed = notificationsToClose(shown, { read: new Set(['a5']), machines, me });
  assert.deepEqual(closed.map((n) => n.data.alertId), ['a2', 'a3', 'a5'],
    'W2 collected, W3 taken by another, a5 read; W1 still mine, a free machine and unread notices stay');
  assert.deepEqual(notificationsToClose(shown, { read: new Set(), machines: [], me }).map((n) => n.data.alertId ?? n.tag), [],
    'a board without the machine (not loaded yet) closes nothing');
});
