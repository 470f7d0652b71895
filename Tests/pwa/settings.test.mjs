import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../Sources/UsageApp/Resources/Public/js/api.mjs';
import { setLanguage } from '../../Sources/UsageApp/Resources/Public/js/i18n.mjs';
import { quietHoursForm, saveLanguage, saveQuietHours, switchPush } from '../../Sources/UsageApp/Resources/Public/js/settings.mjs';
import { checkDevices, deviceAction, deviceLine } from '../../Sources/UsageApp/Resources/Public/js/push.mjs';

setLanguage('en');

test('the quiet hours form shows what is set, or 22:00 to 07:00 to start from', () => {
  assert.deepEqual(quietHoursForm({ start: '23:30', end: '06:00' }), { start: '23:30', end: '06:00', message: 'Quiet from 23:30 to 06:00.' });
  assert.deepEqual(quietHoursForm(null), { start: '22:00', end: '07:00', message: 'No quiet hours set.' });
});

test('saving quiet hours PATCHes the preferences and says what the server stored', async () => {
  const requests = [];
  const request = async (path, options) => {
    requests.push([path, options]);
    return { quietHours: options.body.quietHours };
  };
  assert.deepEqual(await saveQuietHours({ quietHours: { start: '23:00', end: '06:30' } }, request),
    { quietHours: { start: '23:00', end: '06:30' }, message: 'Saved: quiet from 23:00 to 06:30.' });
  assert.deepEqual(await saveQuietHours({ quietHours: null }, request), { quietHours: null, message: 'Saved: no quiet hours.' });
  assert.deepEqual(requests, [
    ['/api/me/preferences', { method: 'PATCH', body: { quietHours: { start: '23:00', end: '06:30' } } }],
    ['/api/me/preferences', { method: 'PATCH', body: { quietHours: null } }],
  ]);
});

test("saving fails with the server's reason, or says the server cannot be reached", async () => {
  const refused = async () => {
    throw new ApiError(422, { detail: 'Quiet hours need a start and an end.' });
  };
  const offline = async () => {
    throw new TypeError('Failed to fetch');
  };
  assert.deepEqual(await saveQuietHours({ quietHours: null }, refused),
    { quietHours: undefined, message: 'Quiet hours need a start and an end.' });
  assert.equal((await saveQuietHours({ quietHours: null }, offline)).message, 'Not saved: the server cannot be reached.');
});

test('the language is PATCHed alone; refused with the reason, or left to send again when the server cannot take it', async () => {
  const requests = [];
  const saved = async (path, options) => {
    requests.push([path, options]);
    return { quietHours: null, mutedAlertKinds: [], language: options.body.language };
  };
  assert.deepEqual(await saveLanguage('ko', saved), { outcome: 'saved' });
  assert.deepEqual(requests, [['/api/me/preferences', { method: 'PATCH', body: { language: 'ko' } }]]);
  const refused = async () => {
    throw new ApiError(422, { detail: 'Unknown language.' });
  };
  assert.deepEqual(await saveLanguage('ko', refused), { outcome: 'refused', message: 'Unknown language.' });
  const failing = async () => {
    throw new ApiError(503, null);
  };
  assert.deepEqual(await saveLanguage('ko', failing), { outcome: 'unsent' });
  const offline = async () => {
    throw new TypeError('Failed to fetch');
  };
  assert.deepEqual(await saveLanguage('en', offline), { outcome: 'unsent' });
});

test('in Korean: the quiet hours and the device lines', () => {
  setLanguage('ko');
  try {
    const time = (text) => text.slice(11, 16);
    assert.equal(quietHoursForm({ start: '23:30', end: '06:00' }).message, '23:30부터 06:00까지 방해 금지예요.');
    assert.equal(deviceLine(device('e1', { lastSuccessAt: '2026-12-01T18:04:00Z' }), { mine: true, time }), '이 기기 · 정상, 마지막 알림 18:04');
    assert.equal(deviceLine(device('e2', { health: 'failing', consecutiveFailures: 3, lastFailureStatus: 403 }), { mine: false, time }),
      'fcm.googleapis.com · 오류: 최근 알림 3개가 도착하지 않음 (마지막 응답 403)');
  } finally {
    setLanguage('en');
  }
});

test('the notifications switch: on subscribes, off unsubscribes, disabled meanwhile', async () => {
  const calls = [];
  const toggle = { checked: true, disabled: false };
  const help = { textContent: '' };
  const io = {
    enable: async () => calls.push(['enable', toggle.disabled]),
    disable: async () => calls.push(['disable', toggle.disabled]),
  };
  await switchPush(toggle, help, io);
  toggle.checked = false;
  await switchPush(toggle, help, io);
  assert.deepEqual(calls, [['enable', true], ['disable', true]]);
  assert.deepEqual([toggle.checked, toggle.disabled, help.textContent], [false, false, '']);
});

test('a switch that could not be turned goes back, and says why', async () => {
  const toggle = { checked: true, disabled: false };
  const help = { textContent: '' };
  const blocked = new Error('Notifications are blocked for this site; allow them in the browser settings.');
  await switchPush(toggle, help, { enable: async () => Promise.reject(blocked) });
  assert.deepEqual([toggle.checked, toggle.disabled, help.textContent], [false, false, blocked.message]);
  toggle.checked = true;
  await switchPush(toggle, help, { enable: async () => Promise.reject(new ApiError(503, { detail: 'Web Push is not configured.' })) });
  assert.equal(toggle.checked, false);
  assert.equal(help.textContent, 'Notifications are not set up on this server yet.');
});


const device = (endpoint, extra = {}) => ({
  id: endpoint, endpoint, service: 'https://fcm.googleapis.com', health: 'ok', lastSuccessAt: null, lastFailureAt: null,
  lastFailureStatus: null, consecutiveFailures: 0, ...extra,
});

test('this browser against the server list: ok, register when lost, renew when gone or expired', () => {
  const mine = { endpoint: 'e1', expirationTime: null };
  assert.equal(deviceAction(null, [device('e1')]), 'none');
  assert.equal(deviceAction(mine, [device('e1')]), 'ok');
  assert.equal(deviceAction(mine, [device('e1', { health: 'failing' })]), 'ok', 'failing is shown, not undone');
  assert.equal(deviceAction(mine, [device('e2')]), 'register');
  assert.equal(deviceAction(mine, [device('e1', { health: 'gone' })]), 'renew');
  assert.equal(deviceAction({ endpoint: 'e1', expirationTime: 1000 }, [device('e1')], 2000), 'renew', 'Safari expires them');
});

test('the server lost this browser: it is posted again, and the list read anew', async () => {
  const calls = [];
  const lists = [[device('other')], [device('other'), device('e1')]];
  const request = async (path, options = {}) => {
    calls.push(`${options.method ?? 'GET'} ${path}`);
    return options.method === 'POST' ? {} : { devices: lists.shift() };
  };
  const subscription = { endpoint: 'e1', expirationTime: null, toJSON: () => ({ endpoint: 'e1', keys: {} }) };
  const result = await checkDevices({ request, current: async () => subscription, renew: async () => assert.fail('not renewed') });
  assert.deepEqual(calls, ['GET /api/push/subscriptions', 'POST /api/push/subscriptions', 'GET /api/push/subscriptions']);
  assert.deepEqual(result.devices.map((d) => d.endpoint), ['other', 'e1']);
  assert.equal(result.mine, 'e1');
});

test('turned off while the list was read: the old subscription is not posted back', async () => {
  const calls = [];
  const request = async (path, options = {}) => {
    calls.push(`${options.method ?? 'GET'} ${path}`);
    return { devices: [device('other')] };
  };
  const subscriptions = [{ endpoint: 'e1', expirationTime: null, toJSON: () => ({ endpoint: 'e1', keys: {} }) }, null];
  const result = await checkDevices({ request, current: async () => subscriptions.shift(), renew: async () => assert.fail() });
  assert.deepEqual(calls, ['GET /api/push/subscriptions']);
  assert.equal(result.mine, null);
});

test('a device reads as this one or its service, with its health', () => {
  const time = (text) => text.slice(11, 16);
  assert.equal(deviceLine(device('e1', { lastSuccessAt: '2026-12-01T18:04:00Z' }), { mine: true, time }),
    'This device · working, last notification 18:04');
  assert.equal(deviceLine(device('e2'), { mine: false, time }), 'fcm.googleapis.com · working, no notification yet');
  assert.equal(deviceLine(device('e2', { health: 'failing', consecutiveFailures: 3, lastFailureStatus: 403 }), { mine: false, time }),
    'fcm.googleapis.com · failing: the last 3 notifications did not arrive (last answer 403)');
  assert.equal(deviceLine(device('e2', { health: 'gone' }), { mine: false, time }),
    'fcm.googleapis.com · no longer reachable: turn notifications on again there');
  assert.equal(deviceLine(device('e2', { health: 'failing', consecutiveFailures: 1 }), { mine: false, time }),
    'fcm.googleapis.com · failing: the last notification did not arrive');
});
