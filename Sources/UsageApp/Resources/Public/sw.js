// Washboard's service worker: keeps the app shell so the app opens offline (the page keeps
// the last board itself), and turns push messages into notifications.

const SHELL_CACHE = 'washboard-shell-v4';
const SHELL = [
  '/',
  '/app.css',
  '/manifest.webmanifest',
  '/js/app.mjs',
  '/js/actions.mjs',
  '/js/alerts.mjs',
  '/js/api.mjs',
  '/js/backoff.mjs',
  '/js/board.mjs',
  '/js/i18n.mjs',
  '/js/live.mjs',
  '/js/push.mjs',
  '/js/queue.mjs',
  '/js/reports.mjs',
  '/js/settings.mjs',
  '/js/start.mjs',
  '/js/toasts.mjs',
  '/js/view.mjs',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
];
/** How long a shell request may wait for the network before the cached copy is used. */
const NETWORK_TIMEOUT_MS = 3000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL_CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// The shell: the network first (so an update shows at once), the cache when the network
// fails or hangs. The API and the socket are never cached here.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws' || url.pathname === '/metrics' || url.pathname === '/health') return;
  // The laundry room screen is a page of its own, not the app: never answered with the app's shell.
  if (url.pathname.startsWith('/kiosk/')) return;
  const key = event.request.mode === 'navigate' ? '/' : url.pathname;
  event.respondWith(networkThenCache(event.request, key));
});

async function networkThenCache(request, key) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), NETWORK_TIMEOUT_MS)),
    ]);
    if (response.ok && SHELL.includes(key)) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw error;
  }
}

// Every push shows a notification: browsers require it, and residents expect it.
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : '' };
  }
  const options = {
    body: typeof message.body === 'string' ? message.body : '',
    silent: message.silent === true,
    // What the page needs to close it once it is read or its laundry collected (alerts.mjs).
    data: {
      url: typeof message.url === 'string' ? message.url : '/',
      alertId: typeof message.id === 'string' ? message.id : null,
      kind: typeof message.kind === 'string' ? message.kind : null,
    },
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
  };
  if (typeof message.tag === 'string' && message.tag) options.tag = message.tag;
  const title = typeof message.title === 'string' && message.title ? message.title : 'Washboard';
  event.waitUntil(self.registration.showNotification(title, options));
});

// A tap on a notification: focus an open Washboard window and show the machine, or open one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url ?? '/', self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (!open) return self.clients.openWindow(target.href);
      await open.focus();
      open.postMessage({ type: 'open', url: target.pathname + target.hash });
    }),
  );
});

// The push service replaced the subscription: subscribe again and tell the server, then
// forget the old endpoint there.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription;
      let subscription = event.newSubscription;
      if (!subscription) {
        const key = old?.options?.applicationServerKey ?? (await fetchVAPIDKey());
        subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }
      await send('POST', subscription.toJSON());
      if (old && old.endpoint !== subscription.endpoint) await send('DELETE', { endpoint: old.endpoint });
    })(),
  );
});

async function fetchVAPIDKey() {
  const response = await fetch('/api/push/vapid-public-key', { credentials: 'same-origin' });
  const { publicKey } = await response.json();
  const base64 = publicKey.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(publicKey.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function send(method, body) {
  return fetch('/api/push/subscriptions', {
    method, credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
}
