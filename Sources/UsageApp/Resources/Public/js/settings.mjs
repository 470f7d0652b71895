// The settings panel: the language, the notifications switch (push.mjs) and the resident's
// quiet hours.

import { ApiError, api } from './api.mjs';
import { currentLanguage, dayTime, t } from './i18n.mjs';
import { checkDevices, currentSubscription, deviceLine, disablePush, enablePush, pushSupport } from './push.mjs';

const $ = (id) => document.getElementById(id);

/** What the panel shows, kept to draw it again in another language. */
const panel = { quietHours: null, devices: null };

/** The quiet hours form for the preferences the server holds (null: not known, offline). */
export function quietHoursForm(quiet) {
  return {
    start: quiet?.start ?? '22:00',
    end: quiet?.end ?? '07:00',
    message: quiet ? t('quiet.set', { start: quiet.start, end: quiet.end }) : t('quiet.none'),
  };
}

/**
 * Sends a quiet hours patch; resolves to the quiet hours the server stored (undefined when
 * it stored nothing) and the line to show under them.
 */
export async function saveQuietHours(patch, request = api) {
  try {
    const { quietHours: quiet } = await request('/api/me/preferences', { method: 'PATCH', body: patch });
    return { quietHours: quiet, message: quiet ? t('quiet.saved', { start: quiet.start, end: quiet.end }) : t('quiet.savedNone') };
  } catch (error) {
    return { quietHours: undefined, message: error instanceof ApiError ? error.message : t('quiet.unreachable') };
  }
}

/**
 * Stores the resident's language on the server, for what it sends when no page asks (pushes).
 * Resolves to 'saved'; 'refused' with the server's reason; or 'unsent' when the server
 * could not be reached or failed, to be sent again later.
 */
export async function saveLanguage(language, request = api) {
  try {
    await request('/api/me/preferences', { method: 'PATCH', body: { language } });
    return { outcome: 'saved' };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { outcome: 'refused', message: error.message };
    return { outcome: 'unsent' };
  }
}

/**
 * Turns push on or off as the switch now says, the switch disabled meanwhile; when that
 * fails, turns the switch back and says why in `help`.
 */
export async function switchPush(toggle, help, { enable = enablePush, disable = disablePush } = {}) {
  toggle.disabled = true;
  try {
    await (toggle.checked ? enable() : disable());
  } catch (error) {
    toggle.checked = !toggle.checked;
    help.textContent = error instanceof ApiError && error.status === 503 ? t('settings.pushNotSetUp') : error.message;
  }
  toggle.disabled = false;
}

/**
 * Fills in the panel and wires its controls; `preferences` is null when offline.
 * `chooseLanguage(language)` is called when the resident picks another language.
 */
export function setUpSettings(preferences, { chooseLanguage }) {
  const toggle = $('push-switch');
  const support = pushSupport();
  panel.quietHours = preferences?.quietHours ?? null;
  panel.devices = null;
  translateSettings();
  $('language').onchange = () => chooseLanguage($('language').value);
  if (!support.supported) {
    toggle.disabled = true;
  } else {
    currentSubscription().then((subscription) => (toggle.checked = Boolean(subscription)), () => {});
    toggle.onchange = async () => {
      await switchPush(toggle, $('push-help'));
      showDevices();
    };
    $('push-test').onclick = sendTest;
    if (Notification.permission === 'granted') showDevices();
  }
  const form = quietHoursForm(panel.quietHours);
  $('quiet-start').value = form.start;
  $('quiet-end').value = form.end;
  const save = async (patch) => {
    const saved = await saveQuietHours(patch);
    if (saved.quietHours !== undefined) panel.quietHours = saved.quietHours;
    $('quiet-message').textContent = saved.message;
  };
  $('quiet-form').onsubmit = (event) => {
    event.preventDefault();
    save({ quietHours: { start: $('quiet-start').value, end: $('quiet-end').value } });
  };
  $('quiet-clear').onclick = () => save({ quietHours: null });
}

/**
 * The panel's words in the current language: what it says of push and of the quiet hours as
 * they are, and the devices as last loaded. A passing message (a test sent, a save) goes.
 */
export function translateSettings() {
  const support = pushSupport();
  $('language').value = currentLanguage();
  $('push-help').textContent = support.supported ? t('settings.pushHelp') : support.reason;
  $('quiet-message').textContent = quietHoursForm(panel.quietHours).message;
  $('push-test-message').textContent = '';
  if (panel.devices) drawDevices();
}

/**
 * The resident's devices with their health, this one first checked against the server:
 * posted again if the server lost it, renewed if its push service dropped it.
 */
export async function showDevices({ check = checkDevices } = {}) {
  try {
    panel.devices = await check();
  } catch {
    return; // offline, or push not set up: the list waits for the next start
  }
  drawDevices();
}

function drawDevices() {
  const { devices, mine: endpoint } = panel.devices;
  const items = devices.map((device) => {
    const item = document.createElement('li');
    item.dataset.health = device.health;
    item.textContent = deviceLine(device, { mine: device.endpoint === endpoint, time: dayTime });
    return item;
  });
  $('devices').replaceChildren(...items);
  const mine = devices.find((device) => device.endpoint === endpoint);
  $('device-warning').textContent = mine?.health === 'failing' ? t('settings.deviceFailing') : '';
  $('push-test').hidden = devices.length === 0;
}

async function sendTest() {
  const message = $('push-test-message');
  try {
    const { queued } = await api('/api/push/test', { method: 'POST' });
    message.textContent = queued === 0 ? t('settings.testNoDevice') : t('settings.testSent', { count: queued });
  } catch (error) {
    message.textContent = error instanceof ApiError ? error.message : t('settings.testUnreachable');
  }
  setTimeout(showDevices, 5000);
}
