// The notifications switch: subscribe this browser to Web Push and tell the server, or
// undo both. iOS delivers Web Push only to an app added to the home screen.

import { api } from './api.mjs';
import { t } from './i18n.mjs';

/** Whether this browser can get push here, and if not, what to tell the resident. */
export function pushSupport(win = window) {
  const nav = win.navigator;
  const iOS = /iPad|iPhone|iPod/.test(nav.userAgent) || (nav.platform === 'MacIntel' && nav.maxTouchPoints > 1);
  const standalone = win.matchMedia?.('(display-mode: standalone)').matches || nav.standalone === true;
  if (iOS && !standalone) {
    return { supported: false, reason: t('push.homeScreen') };
  }
  if (!('serviceWorker' in nav) || !('PushManager' in win) || !('Notification' in win)) {
    return { supported: false, reason: t('push.unsupported') };
  }
  return { supported: true, reason: '' };
}

function bytesFromBase64URL(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export async function currentSubscription() {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/** Asks for permission, subscribes, and stores the subscription on the server. */
export async function enablePush() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new Error(t('push.blocked'));
  }
  const { publicKey } = await api('/api/push/vapid-public-key');
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: bytesFromBase64URL(publicKey),
  });
  await api('/api/push/subscriptions', { method: 'POST', body: subscription.toJSON() });
}

/** Removes the subscription from the server and from the browser. */
export async function disablePush() {
  const subscription = await currentSubscription();
  if (!subscription) return;
  await api('/api/push/subscriptions', { method: 'DELETE', body: { endpoint: subscription.endpoint } });
  await subscription.unsubscribe();
}

/**
 * What to do about this browser's subscription given the server's device list (GET
 * /api/push/subscriptions): nothing when the server has it; 'register' it again when the
 * server lost it (the database was restored, the resident signed in anew); 'renew' it when
 * its push service no longer knows it (gone), or when it expired; 'none' without one.
 */
export function deviceAction(subscription, devices, now = Date.now()) {
  if (!subscription) return 'none';
  if (subscription.expirationTime && subscription.expirationTime <= now) return 'renew';
  const listed = devices.find((device) => device.endpoint === subscription.endpoint);
  if (!listed) return 'register';
  return listed.health === 'gone' ? 'renew' : 'ok';
}

/** How a device of the list reads: "This device · working, last notification Mon 18:04". */
export function deviceLine(device, { mine, time }) {
  const name = mine ? t('device.this') : new URL(device.service).hostname;
  switch (device.health) {
    case 'gone':
      return t('device.gone', { name });
    case 'failing': {
      const count = device.consecutiveFailures;
      return device.lastFailureStatus
        ? t('device.failingAnswer', { name, count, status: String(device.lastFailureStatus) })
        : t('device.failing', { name, count });
    }
    default:
      return device.lastSuccessAt
        ? t('device.working', { name, time: time(device.lastSuccessAt) })
        : t('device.workingNone', { name });
  }
}

/**
 * Checks this browser's subscription against the server's list and puts it right: posts
 * it again when the server lost it, subscribes anew when it is gone or expired. Resolves
 * to the device list as it is afterwards, and the endpoint of this browser (null: none).
 */
export async function checkDevices({ request = api, current = currentSubscription, renew = renewPush } = {}) {
  let { devices } = await request('/api/push/subscriptions');
  let subscription = await current();
  switch (deviceAction(subscription, devices)) {
    case 'register':
      // Turned off while the list was read: posting it back would turn it on again.
      if ((await current())?.endpoint !== subscription.endpoint) return { devices, mine: null };
      await request('/api/push/subscriptions', { method: 'POST', body: subscription.toJSON() });
      break;
    case 'renew':
      subscription = await renew(subscription);
      break;
    default:
      return { devices, mine: subscription?.endpoint ?? null };
  }
  ({ devices } = await request('/api/push/subscriptions'));
  return { devices, mine: subscription?.endpoint ?? null };
}

/** Replaces a gone or expired subscription with a new one, on the server too. */
async function renewPush(old) {
  await api('/api/push/subscriptions', { method: 'DELETE', body: { endpoint: old.endpoint } }).catch(() => {});
  await old.unsubscribe().catch(() => {});
  await enablePush();
  return currentSubscription();
}
