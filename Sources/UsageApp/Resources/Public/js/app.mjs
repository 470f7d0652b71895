// The page: enrollment, the live board, actions, alerts, notices and settings.
// Everything a resident or an admin typed is set with textContent, never as HTML.

import { ApiError, api, fetchBoard, sendAction } from './api.mjs';
import { applyFrame, groupByLocation, liveNotices, machineView } from './board.mjs';
import { LiveConnection } from './live.mjs';
import { currentSubscription, disablePush, enablePush, pushSupport } from './push.mjs';
import { ActionQueue } from './queue.mjs';

const $ = (id) => document.getElementById(id);
const SAVED_BOARD = 'washboard.board';
const SAVED_ME = 'washboard.me';
/** A phone clock off by more than this is corrected with the server's Date header. */
const CLOCK_SKEW_MS = 5000;

const state = {
  me: null,
  board: null,
  /** When the board shown was last known current; null while live. */
  asOf: null,
  clockOffset: 0,
  connection: null,
  /** Whether the card named in the URL's fragment was scrolled to. */
  shownTarget: false,
  /** A draw of the board is scheduled (see setBoard). */
  drawPending: false,
};
const queue = new ActionQueue({ storage: localStorage });
const cards = new Map();
const sections = new Map();

const serverNow = () => Date.now() + state.clockOffset;
const hhmm = (time) => new Date(time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

// MARK: start

async function main() {
  registerServiceWorker();
  addEventListener('online', () => {
    state.connection?.retryNow();
    replayQueue();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') state.connection?.retryNow();
  });
  setInterval(tick, 1000);
  $('demo-button').addEventListener('click', () => enroll(null));
  $('enroll-form').addEventListener('submit', (event) => {
    event.preventDefault();
    enroll($('enroll-code').value);
  });
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  if (code) {
    history.replaceState(null, '', '/');
    $('enroll-code').value = code;
    return enroll(code);
  }
  try {
    const me = await api('/api/me');
    remember(me.resident);
    showApp(me.preferences);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showEnroll();
    // Offline or the server is down: the last board we saw, marked with its age.
    const saved = loadJSON(SAVED_ME);
    if (!saved) return showEnroll('The server cannot be reached right now. Try again when you are online.');
    state.me = saved;
    showApp(null);
  }
}

/** Signs in with an enrollment code, or as the demo resident when `code` is null. */
async function enroll(code) {
  $('enroll-error').textContent = '';
  try {
    const session = code === null
      ? await api('/api/demo/session', { method: 'POST' })
      : await api('/api/session', { method: 'POST', body: { code: code.trim() } });
    remember(session.resident);
    const me = await api('/api/me');
    showApp(me.preferences);
  } catch (error) {
    showEnroll(error instanceof ApiError ? error.message : 'The server cannot be reached. Check your connection and try again.');
  }
}

function remember(resident) {
  state.me = resident;
  localStorage.setItem(SAVED_ME, JSON.stringify(resident));
}

function showEnroll(message = '') {
  state.connection?.stop();
  $('board').hidden = true;
  $('settings').hidden = true;
  $('enroll').hidden = false;
  $('enroll-error').textContent = message;
  setConnection('signed-out');
  // `serve --demo` lets anyone in as the demo resident.
  api('/api/demo').then(() => ($('demo').hidden = false), () => {});
}

function showApp(preferences) {
  $('enroll').hidden = true;
  $('board').hidden = false;
  $('settings').hidden = false;
  const saved = loadJSON(SAVED_BOARD);
  if (saved?.board && !state.board) {
    state.asOf = saved.savedAt;
    setBoard(saved.board);
  }
  setUpSettings(preferences);
  startLive();
  updateQueued();
}

function startLive() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  state.connection = new LiveConnection(
    {
      fetchBoard,
      openSocket: (since) => new WebSocket(`${scheme}://${location.host}/ws${since === null ? '' : `?since=${since}`}`),
      isOnline: () => navigator.onLine,
    },
    {
      board: (board, { serverNow: now }) => {
        if (now !== undefined) {
          const offset = now - Date.now();
          state.clockOffset = Math.abs(offset) > CLOCK_SKEW_MS ? offset : 0;
        }
        setBoard(board);
      },
      frame: (frame) => {
        if (frame.type === 'alert') showAlert(frame.alert);
        else if (frame.type !== 'error' && frame.type !== 'pong') setBoard(applyFrame(state.board, frame));
      },
      status: setConnection,
      signedOut: () => {
        forget();
        showEnroll('Your session has ended. Enter a new code from your dorm admin.');
      },
    },
  );
  state.connection.start();
}

// MARK: the board

/**
 * Shows `board`. Frames come in bursts (a reconnect replays the log), so drawing and saving
 * happen once per burst, on the next turn of the event loop, not once per frame.
 */
function setBoard(board) {
  state.board = board;
  if (state.drawPending) return;
  state.drawPending = true;
  setTimeout(() => {
    state.drawPending = false;
    if (!state.board) return;
    localStorage.setItem(SAVED_BOARD, JSON.stringify({ board: state.board, savedAt: state.asOf ?? Date.now() }));
    render();
  });
}

function render() {
  if (!state.board || !state.me) return;
  const now = serverNow();
  const wanted = new Set(state.board.machines.map((m) => m.id));
  for (const [id, card] of cards) {
    if (!wanted.has(id)) {
      card.item.remove();
      cards.delete(id);
    }
  }
  const order = [];
  for (const [location, machines] of groupByLocation(state.board.machines)) {
    const section = sections.get(location) ?? createSection(location);
    machines.forEach((machine, index) => {
      const card = cards.get(machine.id) ?? createCard(machine.id);
      updateCard(card, machine, now);
      if (section.list.children[index] !== card.item) section.list.insertBefore(card.item, section.list.children[index] ?? null);
    });
    order.push(section.root);
  }
  for (const [location, section] of sections) {
    if (!order.includes(section.root)) {
      section.root.remove();
      sections.delete(location);
    }
  }
  const container = $('locations');
  order.forEach((root, index) => {
    if (container.children[index] !== root) container.insertBefore(root, container.children[index] ?? null);
  });
  renderNotices(now);
  renderStale();
  // A notification's link (/#machine-W1) names a card that did not exist when the page loaded.
  if (!state.shownTarget && location.hash.startsWith('#machine-')) {
    state.shownTarget = true;
    document.getElementById(location.hash.slice(1))?.scrollIntoView({ block: 'center' });
  }
}

function createSection(location) {
  const root = document.createElement('section');
  root.className = 'location';
  const heading = document.createElement('h3');
  heading.textContent = location;
  const list = document.createElement('ul');
  list.className = 'machines';
  root.append(heading, list);
  const section = { root, list };
  sections.set(location, section);
  return section;
}

function createCard(id) {
  const item = document.createElement('li');
  item.append($('machine-template').content.cloneNode(true));
  const root = item.querySelector('.machine');
  const card = {
    item, root,
    label: root.querySelector('.machine-label'),
    id: root.querySelector('.machine-id'),
    status: root.querySelector('.machine-status'),
    note: root.querySelector('.machine-note'),
    actions: root.querySelector('.machine-actions'),
    actionsKey: null,
  };
  root.id = `machine-${id}`;
  cards.set(id, card);
  return card;
}

function updateCard(card, machine, now) {
  const view = machineView(machine, state.me.id, now);
  card.root.dataset.phase = view.phase;
  card.root.dataset.mine = String(Boolean(view.mine));
  card.label.textContent = machine.label;
  card.id.textContent = machine.id;
  card.status.textContent = view.status;
  card.note.textContent = view.note;
  card.note.title = view.note;
  const key = [view.actions.join(), machine.use?.id ?? '', machine.cycleMinutes, machine.label].join('|');
  if (key !== card.actionsKey) {
    card.actionsKey = key;
    card.actions.replaceChildren(...view.actions.flatMap((action) => actionControls(action, machine)));
  }
}

function tick() {
  if (!state.board) return;
  const now = serverNow();
  for (const machine of state.board.machines) {
    const card = cards.get(machine.id);
    if (card && machine.use) updateCard(card, machine, now);
  }
  renderNotices(now);
}

function renderNotices(now) {
  const container = $('notices');
  const notices = liveNotices(state.board?.notices ?? [], now);
  const key = notices.map((n) => `${n.id}:${n.text}`).join('\n');
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  container.replaceChildren(
    ...notices.map((notice) => {
      const line = document.createElement('p');
      line.className = 'notice';
      line.dataset.severity = notice.severity;
      const label = document.createElement('strong');
      label.textContent = { info: 'Notice', warning: 'Warning', outage: 'Out of service' }[notice.severity] ?? 'Notice';
      line.append(label, document.createTextNode(notice.text));
      return line;
    }),
  );
  document.body.style.setProperty('--notices-height', `${container.offsetHeight}px`);
}

function renderStale() {
  const stale = $('stale');
  stale.dataset.shown = String(state.asOf !== null);
  stale.textContent = state.asOf === null ? '' : `As of ${hhmm(state.asOf)}: this board updates when the connection is back.`;
}

function setConnection(status) {
  const badge = $('connection');
  badge.dataset.state = status;
  $('connection-text').textContent =
    { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline', 'signed-out': 'Not signed in' }[status] ?? status;
  if (status === 'live') {
    state.asOf = null;
    replayQueue();
  } else if (state.asOf === null && state.board) {
    state.asOf = Date.now();
  }
  renderStale();
}

// MARK: actions

function actionControls(action, machine) {
  const id = encodeURIComponent(machine.id);
  const button = (text, onClick, secondary = false) => {
    const element = document.createElement('button');
    element.type = 'button';
    element.textContent = text;
    if (secondary) element.className = 'secondary';
    element.addEventListener('click', () => onClick(element));
    return element;
  };
  switch (action) {
    case 'start': {
      const label = document.createElement('label');
      label.className = 'minutes';
      const input = document.createElement('input');
      Object.assign(input, { type: 'number', min: 1, max: 240, value: machine.cycleMinutes, inputMode: 'numeric' });
      label.append(input, document.createTextNode('min'));
      input.setAttribute('aria-label', `Minutes for ${machine.label}`);
      const start = button('Start', (el) => {
        const minutes = Number.parseInt(input.value, 10);
        perform({ method: 'POST', path: `/api/machines/${id}/uses`, body: Number.isNaN(minutes) ? {} : { minutes }, label: `Start ${machine.label}` }, el);
      });
      start.setAttribute('aria-label', `Start ${machine.label}`);
      return [label, start];
    }
    case 'collect':
      return [button('Collected', (el) => perform({ method: 'POST', path: `/api/uses/${encodeURIComponent(machine.use.id)}/collect`, label: `Collect from ${machine.label}` }, el))];
    case 'cancel':
      return [button('Cancel', (el) => perform({ method: 'POST', path: `/api/uses/${encodeURIComponent(machine.use.id)}/cancel`, label: `Cancel ${machine.label}` }, el), true)];
    case 'pickup':
      return [button('Ask to collect', (el) => perform({ method: 'POST', path: `/api/machines/${id}/pickup-requests`, label: `Ask the owner of ${machine.label} to collect` }, el, 'The owner has been asked to collect.'))];
    case 'report':
      return [button('Report a problem', () => openReport(machine), true)];
    default:
      return [];
  }
}

/** Sends an action now; when the server cannot be reached, keeps it for later. */
async function perform(action, control, doneMessage) {
  const entry = queue.prepare(action);
  if (control) control.disabled = true;
  const result = await sendAction(entry);
  if (control) control.disabled = false;
  if (result.outcome === 'done') {
    if (doneMessage) toast(doneMessage);
  } else if (result.outcome === 'refused') {
    refused(entry, result.error);
  } else {
    queue.add(entry);
    updateQueued();
    toast(`${entry.label}: the server cannot be reached. It is sent as soon as the connection is back.`);
  }
}

function refused(entry, error) {
  toast(`${entry.label}: ${error.message}`);
  // A 409 carries the machine as it is now.
  const machine = error.problem?.machine;
  if (machine && state.board) setBoard({ ...state.board, machines: state.board.machines.map((m) => (m.id === machine.id ? machine : m)) });
}

async function replayQueue() {
  if (queue.items.length === 0 || !state.me) return;
  await queue.replay(async (entry) => {
    const result = await sendAction(entry);
    if (result.outcome === 'refused') refused(entry, result.error);
    return result.outcome;
  });
  updateQueued();
}

function updateQueued() {
  const count = queue.items.length;
  $('queued').hidden = count === 0;
  $('queued').textContent = count === 1 ? '1 action waits to be sent.' : `${count} actions wait to be sent.`;
}

function openReport(machine) {
  const dialog = $('report-dialog');
  $('report-machine').textContent = machine.label;
  $('report-text').value = '';
  dialog.onclose = () => {
    const text = $('report-text').value.trim();
    if (dialog.returnValue !== 'send' || !text) return;
    perform({ method: 'POST', path: `/api/machines/${encodeURIComponent(machine.id)}/reports`, body: { text }, label: `Report on ${machine.label}` }, null, 'Thank you: the admins will see your report.');
  };
  dialog.showModal();
}

// MARK: alerts

function showAlert(alert) {
  const url = alert.machineId ? `/#machine-${alert.machineId}` : '/';
  if (document.visibilityState === 'hidden' && 'Notification' in window && Notification.permission === 'granted') {
    navigator.serviceWorker.ready.then((registration) =>
      registration.showNotification(alert.title, {
        body: alert.body, tag: alert.machineId ? `machine-${alert.machineId}` : `alert-${alert.id}`, data: { url }, icon: '/icons/icon-192.png',
      }));
  } else {
    toast(alert.title, alert.body);
  }
  state.connection.send({ type: 'ack', alert: alert.id });
}

function toast(title, body = '') {
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
  close.textContent = 'OK';
  close.addEventListener('click', () => element.remove());
  element.append(text, close);
  $('toasts').append(element);
  setTimeout(() => element.remove(), 8000);
}

// MARK: settings

async function setUpSettings(preferences) {
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
      toggle.disabled = true;
      try {
        await (toggle.checked ? enablePush() : disablePush());
      } catch (error) {
        toggle.checked = !toggle.checked;
        help.textContent = error instanceof ApiError && error.status === 503 ? 'Notifications are not set up on this server yet.' : error.message;
      }
      toggle.disabled = false;
    };
  }
  const quiet = preferences?.quietHours;
  $('quiet-start').value = quiet?.start ?? '22:00';
  $('quiet-end').value = quiet?.end ?? '07:00';
  $('quiet-message').textContent = quiet ? `Quiet from ${quiet.start} to ${quiet.end}.` : 'No quiet hours set.';
  $('quiet-form').onsubmit = (event) => {
    event.preventDefault();
    savePreferences({ quietHours: { start: $('quiet-start').value, end: $('quiet-end').value } });
  };
  $('quiet-clear').onclick = () => savePreferences({ quietHours: null });
  $('sign-out').onclick = async () => {
    try {
      await disablePush();
    } catch {
      // the subscription goes with the session anyway
    }
    await api('/api/session', { method: 'DELETE' }).catch(() => {});
    forget();
    showEnroll();
  };
}

async function savePreferences(patch) {
  try {
    const preferences = await api('/api/me/preferences', { method: 'PATCH', body: patch });
    const quiet = preferences.quietHours;
    $('quiet-message').textContent = quiet ? `Saved: quiet from ${quiet.start} to ${quiet.end}.` : 'Saved: no quiet hours.';
  } catch (error) {
    $('quiet-message').textContent = error instanceof ApiError ? error.message : 'Not saved: the server cannot be reached.';
  }
}

// MARK: helpers

/** Forgets everything of the resident who was signed in: connection, board, waiting actions. */
function forget() {
  state.connection?.stop();
  state.connection = null;
  queue.clear();
  updateQueued();
  localStorage.removeItem(SAVED_ME);
  localStorage.removeItem(SAVED_BOARD);
  state.me = null;
  state.board = null;
  cards.clear();
  sections.clear();
  $('locations').replaceChildren();
}

function loadJSON(key) {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'open' && typeof event.data.url === 'string') location.assign(event.data.url);
  });
}

main();
