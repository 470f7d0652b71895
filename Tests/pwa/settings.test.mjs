import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../Sources/UsageApp/Resources/Public/js/api.mjs';
import { quietHoursForm, savePreferences, switchPush } from '../../Sources/UsageApp/Resources/Public/js/settings.mjs';

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
  assert.equal(await savePreferences({ quietHours: { start: '23:00', end: '06:30' } }, request), 'Saved: quiet from 23:00 to 06:30.');
  assert.equal(await savePreferences({ quietHours: null }, request), 'Saved: no quiet hours.');
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
  assert.equal(await savePreferences({ quietHours: null }, refused), 'Quiet hours need a start and an end.');
  assert.equal(await savePreferences({ quietHours: null }, offline), 'Not saved: the server cannot be reached.');
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
