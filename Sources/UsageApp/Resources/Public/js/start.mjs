// The page's start: the language, enrollment, signing in and out, the service worker, and
// the live connection wired to the board (view.mjs), the actions (actions.mjs), the alerts
// (toasts.mjs, and the alert centre in alerts.mjs) and the settings (settings.mjs).

import { Actions, withMachine } from './actions.mjs';
import { AlertCentre, notificationsToClose } from './alerts.mjs';
import { ApiError, api, fetchBoard, fetchLocale, savedLocale, socketPath } from './api.mjs';
import { applyFrame } from './board.mjs';
import { currentLanguage, pickLanguage, setLanguage, setTimeZone, t, translatePage } from './i18n.mjs';
import { LiveConnection } from './live.mjs';
import { disablePush } from './push.mjs';
import { ActionQueue } from './queue.mjs';
import { StaffReports } from './reports.mjs';
import { saveLanguage, setUpSettings, translateSettings } from './settings.mjs';
import { dismissNewestToast, showAlert, toast as showToast } from './toasts.mjs';
import { BoardView, asOfAfter, clockOffset, trapFocus } from './view.mjs';

const $ = (id) => document.getElementById(id);
const SAVED_BOARD = 'washboard.board';
const SAVED_ME = 'washboard.me';
const SAVED_PREFERENCE = 'washboard.language';
/** The machine whose label opened the app, until its menu is shown. */
const FROM_LABEL = 'washboard.fromLabel';

const state = {
  me: null,
  board: null,
  /** When the board shown was last known current; null while live. */
  asOf: null,
  clockOffset: 0,
  connection: null,
  /** A draw of the board is scheduled (see setBoard). */
  drawPending: false,
  /** The dorm's default language and time zone (GET /api/locale), as last known. */
  locale: savedLocale(),
  /**
   * The signed-in resident's language as this device knows it, `{language, unsent}`:
   * `unsent` while a choice made here has not reached the server. Null: none known.
   */
  preference: loadJSON(SAVED_PREFERENCE),
};
const actions = new Actions({
  queue: new ActionQueue({ storage: localStorage }),
  signedIn: () => Boolean(state.me),
  machineChanged: (machine) => state.board && setBoard(withMachine(state.board, machine)),
});
const view = new BoardView((action, machine, place) => actions.controls(action, machine, place), { wait });
const staffReports = new StaffReports({
  machines: () => state.board?.machines ?? [],
  openMachine: (id) => state.board && view.openMachine(state.board, id, state.me.id, serverNow()),
});
const alerts = new AlertCentre({
  openMachine: (id) => state.board && view.openMachine(state.board, id, state.me.id, serverNow()),
  changed: () => tidyNotifications(),
});

const serverNow = () => Date.now() + state.clockOffset;

export async function main() {
  showLanguage();
  fetchLocale().then((locale) => {
    state.locale = locale;
    showLanguage();
  });
  registerServiceWorker();
  addEventListener('online', () => {
    state.connection?.retryNow();
    actions.replay();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') state.connection?.retryNow();
  });
  setInterval(() => state.board && view.tick(state.board, state.me.id, serverNow()), 1000);
  document.addEventListener('keydown', dismissNewestToast);
  for (const dialog of ['machine-menu', 'report-dialog', 'alert-centre']) trapFocus($(dialog));
  alerts.attach();
  $('demo-button').addEventListener('click', () => enroll(null));
  $('enroll-form').addEventListener('submit', (event) => {
    event.preventDefault();
    enroll($('enroll-code').value);
  });
  // A machine's label opened the app (/m/W1 → /?machine=W1): show that machine once the
  // board is there, after sign-in if needed.
  const labelled = new URLSearchParams(location.search).get('machine');
  if (labelled) {
    sessionStorage.setItem(FROM_LABEL, labelled);
    history.replaceState(null, '', '/');
  }
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  if (code) {
    history.replaceState(null, '', '/');
    $('enroll-code').value = code;
    return enroll(code);
  }
  try {
    signedIn(await api('/api/me'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // Signed out elsewhere or expired: before sign-in no resident's language applies.
      forgetPreference();
      showLanguage();
      return showEnroll();
    }
    // Offline or the server is down: the last board we saw, marked with its age.
    const saved = loadJSON(SAVED_ME);
    if (!saved) return showEnroll(t('enroll.offline'));
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
    // A choice left on this device belongs to a session before this one.
    forgetPreference();
    signedIn(await api('/api/me'));
  } catch (error) {
    showEnroll(error instanceof ApiError ? error.message : t('enroll.failed'));
  }
}

/** Shows the app to the resident `GET /api/me` describes, in their language. */
function signedIn(me) {
  remember(me.resident);
  // A language chosen on this device and not sent yet is newer than the server's.
  if (!state.preference?.unsent) rememberPreference({ language: me.preferences?.language ?? null, unsent: false });
  showLanguage();
  showApp(me.preferences);
}

function remember(resident) {
  state.me = resident;
  localStorage.setItem(SAVED_ME, JSON.stringify(resident));
}

function rememberPreference(preference) {
  state.preference = preference;
  localStorage.setItem(SAVED_PREFERENCE, JSON.stringify(preference));
}

function forgetPreference() {
  state.preference = null;
  localStorage.removeItem(SAVED_PREFERENCE);
}

/**
 * Shows the page in the language pickLanguage chooses now, in the dorm's time zone: every
 * fixed text, the board, the settings, the alert centre and staff's reports. When the
 * language changed under a running connection, the socket is opened anew with it and the
 * alerts are loaded again, as the server writes their words.
 */
function showLanguage() {
  const before = currentLanguage();
  setLanguage(pickLanguage({
    preference: state.preference?.language,
    navigatorLanguages: navigator.languages ?? [],
    defaultLanguage: state.locale.defaultLanguage,
  }));
  setTimeZone(state.locale.timeZone);
  translatePage(document);
  view.showConnection();
  translateSettings();
  alerts.translate();
  staffReports.translate();
  actions.updateQueued();
  if (state.board) setBoard(state.board);
  if (currentLanguage() !== before && state.connection) {
    state.connection.restart();
    alerts.load();
  }
}

/**
 * The resident picked `language` in the settings: the page changes at once, and the server
 * is told. When it cannot be reached, a toast says so and it is told when the connection is
 * live again (see setConnection), at the latest on the next start.
 */
async function chooseLanguage(language) {
  rememberPreference({ language, unsent: true });
  showLanguage();
  if ((await sendPreference()) === 'unsent') showToast(t('settings.languageUnsent'));
}

/** Sends a language chosen on this device that the server does not have yet; resolves to saveLanguage's outcome. */
async function sendPreference() {
  const chosen = state.preference;
  if (!chosen?.unsent || !state.me) return null;
  const { outcome, message } = await saveLanguage(chosen.language);
  // Chosen again meanwhile: that choice is sent by its own call.
  if (state.preference !== chosen) return outcome;
  if (outcome !== 'unsent') rememberPreference({ language: chosen.language, unsent: false });
  if (outcome === 'refused') showToast(message);
  return outcome;
}

function showEnroll(message = '') {
  state.connection?.stop();
  $('board').hidden = true;
  $('settings').hidden = true;
  $('staff-reports').hidden = true;
  $('alerts-button').hidden = true;
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
  $('alerts-button').hidden = false;
  const saved = loadJSON(SAVED_BOARD);
  if (saved?.board && !state.board) {
    state.asOf = saved.savedAt;
    setBoard(saved.board);
  }
  setUpSettings(preferences, { chooseLanguage });
  staffReports.show(state.me);
  $('sign-out').onclick = signOut;
  startLive();
  loadWaitlist();
  actions.updateQueued();
}

async function signOut() {
  try {
    await disablePush();
  } catch {
    // the subscription goes with the session anyway
  }
  await api('/api/session', { method: 'DELETE' }).catch(() => {});
  forget();
  showEnroll();
}

function startLive() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  state.connection = new LiveConnection(
    {
      fetchBoard,
      openSocket: (since) => new WebSocket(`${scheme}://${location.host}${socketPath(since)}`),
      isOnline: () => navigator.onLine,
    },
    {
      board: (board, { serverNow: now }) => {
        if (now !== undefined) state.clockOffset = clockOffset(now, Date.now());
        setBoard(board);
      },
      frame: (frame) => {
        if (frame.type === 'alert') {
          showAlert(frame.alert, state.connection);
          alerts.received(frame.alert);
          if (frame.alert.kind === 'machine_free') loadWaitlist();
        }
        else if (frame.type === 'alerts_read') alerts.readElsewhere(frame);
        else if (frame.type !== 'error' && frame.type !== 'pong') setBoard(applyFrame(state.board, frame));
      },
      status: setConnection,
      signedOut: () => {
        forget();
        showEnroll(t('enroll.sessionEnded'));
      },
    },
  );
  state.connection.start();
}

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
    if (!state.me) return;
    view.render(state.board, state.me.id, serverNow());
    view.showStale(state.asOf);
    tidyNotifications();
    staffReports.boardChanged(state.board.machines);
    const labelled = sessionStorage.getItem(FROM_LABEL);
    if (labelled && view.openMachine(state.board, labelled, state.me.id, serverNow(), { fromLabel: true })) {
      sessionStorage.removeItem(FROM_LABEL);
    }
  });
}

/**
 * Closes this device's notifications that are out of date (read, or about a load since
 * collected). A device where Washboard is closed tidies when it opens: no push can close a
 * notification without showing another.
 */
async function tidyNotifications() {
  if (!('serviceWorker' in navigator) || !state.board || !state.me) return;
  try {
    const registration = await navigator.serviceWorker.ready;
    const shown = await registration.getNotifications();
    const stale = notificationsToClose(shown, { read: alerts.readIds, machines: state.board.machines, me: state.me.id });
    for (const notification of stale) notification.close();
  } catch {
    // nothing to tidy where notifications are not available
  }
}

/** The resident's waitlist entries, shown on the summary; offline, the last ones stay. */
async function loadWaitlist() {
  try {
    view.setWaitlist((await api('/api/waitlist')).entries);
    if (state.board) setBoard(state.board);
  } catch {
    // shown again with the next successful load
  }
}

/** Joins the waitlist for a summary line, or leaves it; the resident reads why it failed. */
async function wait({ kind, location, waiting }) {
  try {
    if (waiting) await api(`/api/waitlist/${encodeURIComponent(waiting.id)}`, { method: 'DELETE' });
    else await api('/api/waitlist', { method: 'POST', body: { kind, location } });
  } catch (error) {
    showToast(error instanceof ApiError ? error.message : t('error.offline'));
  }
  await loadWaitlist();
  if (state.board) view.render(state.board, state.me.id, serverNow());
}

function setConnection(status) {
  view.showConnection(status);
  state.asOf = asOfAfter(status, state.asOf, Boolean(state.board), Date.now());
  if (status === 'live') {
    actions.replay();
    sendPreference();
    // What came or was read while this page was away, if the log no longer had it for the socket.
    alerts.load();
  }
  view.showStale(state.asOf);
}

/**
 * Forgets everything of the resident who was signed in: connection, board, waiting actions,
 * language (the page goes back to the device's or the dorm's).
 */
function forget() {
  state.connection?.stop();
  state.connection = null;
  actions.clear();
  localStorage.removeItem(SAVED_ME);
  localStorage.removeItem(SAVED_BOARD);
  forgetPreference();
  state.me = null;
  state.board = null;
  state.asOf = null;
  view.clear();
  view.setWaitlist([]);
  alerts.reset();
  showLanguage();
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
