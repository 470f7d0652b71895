// Toasts: the resident's alerts (a cycle done, a pickup request, a use closed) and the
// page's own messages. An alert shows as a system notification instead when the page is
// hidden and notifications are allowed; either way the page acks it over the socket, so
// that the server does not push it as well. Alerts come in the words the server wrote.

import { t } from './i18n.mjs';

/** How long a toast stays when its OK is not pressed. */
export const TOAST_MS = 8000;

/** How an alert frame is shown: `{notification: {title, options}}` or `{toast: {title, body}}`. */
export function alertDisplay(alert, { hidden, notificationsAllowed }) {
  if (!hidden || !notificationsAllowed) return { toast: { title: alert.title, body: alert.body } };
  const options = {
    body: alert.body,
    tag: alert.machineId ? `machine-${alert.machineId}` : `alert-${alert.id}`,
    data: { url: alert.machineId ? `/#machine-${alert.machineId}` : '/', alertId: alert.id, kind: alert.kind },
    icon: '/icons/icon-192.png',
  };
  return { notification: { title: alert.title, options } };
}

/** Shows an alert frame's alert, then acks it over `connection` (a LiveConnection). */
export function showAlert(alert, connection) {
  const { notification, toast: message } = alertDisplay(alert, {
    hidden: document.visibilityState === 'hidden',
    notificationsAllowed: 'Notification' in window && Notification.permission === 'granted',
  });
  if (notification) {
    navigator.serviceWorker.ready.then((registration) => registration.showNotification(notification.title, notification.options));
  } else {
    toast(message.title, message.body);
  }
  connection.send({ type: 'ack', alert: alert.id });
}

/**
 * A toast with `title` and an optional `body`, gone on OK, on Escape, or after TOAST_MS,
 * but never while the keyboard focus or the pointer is on it.
 */
export function toast(title, body = '', action = null) {
  const element = document.createElement('div');
  element.className = 'toast';
  element.setAttribute('role', 'status');
  const text = document.createElement('div');
  const heading = document.createElement('strong');
  heading.textContent = title;
  text.append(heading);
  if (body) {
    const paragraph = document.createElement('p');
    paragraph.textContent = body;
    text.append(paragraph);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = t('toast.ok');
  close.setAttribute('aria-label', t('toast.dismiss', { title }));
  close.addEventListener('click', () => element.remove());
  element.append(text);
  if (action) {
    const act = document.createElement('button');
    act.type = 'button';
    act.textContent = action.label;
    act.addEventListener('click', () => {
      element.remove();
      action.run();
    });
    element.append(act);
  }
  element.append(close);
  document.getElementById('toasts').append(element);
  const expire = () => {
    if (element.contains(document.activeElement) || element.matches(':hover')) setTimeout(expire, TOAST_MS);
    else element.remove();
  };
  setTimeout(expire, TOAST_MS);
}

/** Escape dismisses the newest toast, unless a dialog is open (Escape closes that). */
export function dismissNewestToast(event) {
  if (event.key !== 'Escape' || document.querySelector('dialog[open]')) return;
  document.querySelector('#toasts .toast:last-child')?.remove();
}
