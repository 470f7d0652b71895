// The notifications switch: subscribe this browser to Web Push and tell the server, or
// undo both. iOS delivers Web Push only to an app added to the home screen.

import { api } from './api.mjs';

/** Whether this browser can get push here, and if not, what to tell the resident. */
export function pushSupport(win = window) {
  const nav = win.navigator;
  const iOS = /iPad|iPhone|iPod/.test(nav.userAgent) || (nav.platform === 'MacIntel' && nav.maxTouchPoints > 1);
  const standalone = win.matchMedia?.('(display-mode: standalone)').matches || nav.standalone === true;
  if (iOS && !standalone) {
    return {
      supported: false,
      reason: 'On iPhone and iPad, notifications work once Washboard is on your home screen: tap Share, then "Add to Home Screen", and open it from there.',
    };
  }
  if (!('serviceWorker' in nav) || !('PushManager' in win) || !('Notification' in win)) {
    return { supported: false, reason: 'This browser cannot show notifications from Washboard.' };
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
    throw new Error('Notifications are blocked for this site; allow them in the browser settings.');
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
