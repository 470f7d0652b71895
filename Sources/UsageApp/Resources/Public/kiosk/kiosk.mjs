// The laundry room screen (/kiosk/#token=…): a read-only live board for one location, drawn
// large, that reconnects by itself and never needs a touch. The server strips who uses a
// machine from everything it sends a kiosk; this page has no buttons. It speaks the dorm's
// default language: the screen is everyone's, and its browser's language is whatever the
// device came with.

import { fetchBoard, fetchLocale, savedLocale, socketPath } from '../js/api.mjs';
import { applyFrame, liveNotices, machineView, noticeText, summaryView } from '../js/board.mjs';
import { pickLanguage, setLanguage, setTimeZone, t, translatePage } from '../js/i18n.mjs';
import { LiveConnection } from '../js/live.mjs';
import { connectionText } from '../js/view.mjs';

/**
 * What the screen shows at `now` for a kiosk of `location` (null: every location): its title,
 * the summary lines, and each machine's name, phase and status.
 */
export function kioskView(board, location, now) {
  const machines = location === null ? board.machines : board.machines.filter((m) => m.location === location);
  const named = new Set(machines.map((m) => m.location)).size > 1;
  return {
    title: location ?? t('kiosk.title'),
    summary: summaryView(machines, now).flatMap(({ location: place, kinds }) =>
      kinds.map((k) => `${named ? `${place} · ` : ''}${k.name}: ${k.text}`)),
    machines: machines.map((machine) => {
      const view = machineView(machine, null, now);
      return { id: machine.id, label: machine.label, phase: view.phase, status: view.status };
    }),
    notices: liveNotices(board.notices ?? [], now).map((n) => noticeText(n)),
  };
}

const $ = (id) => document.getElementById(id);
const state = { kiosk: null, board: null };

function draw() {
  if (!state.board || !state.kiosk) return;
  const view = kioskView(state.board, state.kiosk.location ?? null, Date.now());
  $('kiosk-title').textContent = view.title;
  const item = (tag, text) => {
    const element = document.createElement(tag);
    element.textContent = text;
    return element;
  };
  $('kiosk-summary').replaceChildren(...view.summary.map((line) => item('li', line)));
  $('kiosk-machines').replaceChildren(...view.machines.map((machine) => {
    const li = item('li', '');
    li.className = 'kiosk-machine';
    li.dataset.phase = machine.phase;
    li.id = `kiosk-${machine.id}`;
    li.append(item('h2', machine.label), item('p', machine.status));
    return li;
  }));
  $('kiosk-notices').replaceChildren(...view.notices.map((text) => item('p', text)));
}

function showMessage(text) {
  $('kiosk-message').hidden = !text;
  $('kiosk-message').textContent = text;
}

/** The page in the dorm's language and time zone (`locale` as GET /api/locale gives it). */
function showLocale(locale) {
  setLanguage(pickLanguage({ defaultLanguage: locale.defaultLanguage }));
  setTimeZone(locale.timeZone);
  translatePage(document);
  $('kiosk-connection').textContent = connectionText($('kiosk-connection').dataset.state);
  draw();
}

async function signIn() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) {
    history.replaceState(null, '', '/kiosk/');
    const response = await fetch('/api/kiosk/session', {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }),
    });
    if (response.ok) return response.json();
  }
  const response = await fetch('/api/kiosk', { credentials: 'same-origin' });
  return response.ok ? response.json() : null;
}

async function main() {
  showLocale(savedLocale());
  let kiosk = null;
  while (kiosk === null) {
    try {
      kiosk = await signIn();
      if (kiosk === null) return showMessage(t('kiosk.unknown'));
    } catch {
      // The server is not reachable yet (a power cut, a restart): try again shortly.
      showMessage(t('kiosk.waiting'));
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
  showMessage('');
  state.kiosk = kiosk;
  showLocale(await fetchLocale());
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const connection = new LiveConnection(
    {
      fetchBoard,
      openSocket: (since) => new WebSocket(`${scheme}://${location.host}${socketPath(since)}`),
      isOnline: () => navigator.onLine,
    },
    {
      board: (board) => { state.board = board; draw(); },
      frame: (frame) => {
        if (frame.type !== 'error' && frame.type !== 'pong' && frame.type !== 'alert') {
          state.board = applyFrame(state.board, frame);
          draw();
        }
      },
      status: (status) => {
        $('kiosk-connection').dataset.state = status;
        $('kiosk-connection').textContent = connectionText(status);
      },
      signedOut: () => {
        connection.stop();
        showMessage(t('kiosk.revoked'));
      },
    },
  );
  connection.start();
  addEventListener('online', () => connection.retryNow());
  setInterval(draw, 1000);
}

if (typeof document !== 'undefined') main();
