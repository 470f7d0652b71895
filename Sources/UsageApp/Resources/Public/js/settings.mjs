// The settings panel: the notifications switch (push.mjs) and the resident's quiet hours.

import { ApiError, api } from './api.mjs';
import { checkDevices, currentSubscription, deviceLine, disablePush, enablePush, pushSupport } from './push.mjs';

const $ = (id) => document.getElementById(id);

/** The quiet hours form for the preferences the server holds (null: not known, offline). */
export function quietHoursForm(quiet) {
  return {
    start: quiet?.start ?? '22:00',
    end: quiet?.end ?? '07:00',
    message: quiet ? `Quiet from ${quiet.start} to ${quiet.end}.` : 'No quiet hours set.',
  };
}

/** Sends a preferences patch; resolves to the line to show under the quiet hours. */
export async function savePreferences(patch, request = api) {
  try {
    const { quietHours: quiet } = await request('/api/me/preferences', { method: 'PATCH', body: patch });
    return quiet ? `Saved: quiet from ${quiet.start} to ${quiet.end}.` : 'Saved: no quiet hours.';
  } catch (error) {
    return error instanceof ApiError ? error.message : 'Not saved: the server cannot be reached.';
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
    help.textContent = error instanceof ApiError && error.status === 503 ? 'Notifications are not set up on this server yet.' : error.message;
  }
  toggle.disabled = false;
}

/** Fills in the panel and wires its controls; `preferences` is null when offline. */
export function setUpSettings(preferences) {
  const toggle = $('push-switch');
  const help = $('push-help');
  const support = pushSupport();
  if (!support.supported) {
    toggle.disabled = true;
    help.textContent = support.reason;
  } else {
    help.textContent = 'You get your laundry alerts and pushed notices even when Washboard is closed.';
    currentSubscription().then((subscription) => (toggle.checked = Boolean(subscription)), () => {});
    toggle.onchange = async () => {
      await switchPush(toggle, help);
      showDevices();
    };
    $('push-test').onclick = sendTest;
    if (Notification.permission === 'granted') showDevices();
  }
  const form = quietHoursForm(preferences?.quietHours);
  $('quiet-start').value = form.start;
  $('quiet-end').value = form.end;
  $('quiet-message').textContent = form.message;
  const save = async (patch) => {
    $('quiet-message').textContent = await savePreferences(patch);
  };
  $('quiet-form').onsubmit = (event) => {
    event.preventDefault();
    save({ quietHours: { start: $('quiet-start').value, end: $('quiet-end').value } });
  };
  $('quiet-clear').onclick = () => save({ quietHours: null });
}

/**
 * The resident's devices with their health, this one first checked against the server:
 * posted again if the server lost it, renewed if its push service dropped it.
 */
export async function showDevices({ check = checkDevices, locale = undefined } = {}) {
  const format = new Intl.DateTimeFormat(locale, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  const time = (text) => format.format(new Date(text));
  let result;
  try {
    result = await check();
  } catch {
    return; // offline, or push not set up: the list waits for the next start
  }
  const items = result.devices.map((device) => {
    const item = document.createElement('li');
    item.dataset.health = device.health;
    item.textContent = deviceLine(device, { mine: device.endpoint === result.mine, time });
    return item;
  });
  $('devices').replaceChildren(...items);
  const mine = result.devices.find((device) => device.endpoint === result.mine);
  $('device-warning').textContent =
    mine?.health === 'failing' ? 'Notifications are not reaching this device right now.' : '';
  $('push-test').hidden = result.devices.length === 0;
}

async function sendTest() {
  const message = $('push-test-message');
  try {
    const { queued } = await api('/api/push/test', { method: 'POST' });
    message.textContent = queued === 0 ? 'No device gets notifications.' : `Sent to ${queued} device${queued === 1 ? '' : 's'}.`;
  } catch (error) {
    message.textContent = error instanceof ApiError ? error.message : 'Not sent: the server cannot be reached.';
  }
  setTimeout(showDevices, 5000);
}
