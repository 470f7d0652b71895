// What a resident does to a machine: start, collect, cancel, ask the owner to collect,
// report a problem. Each is sent at once; when the server cannot be reached it waits in
// the offline queue (queue.mjs) and is sent again, in order, when the connection is back.

import { sendAction } from './api.mjs';
import { minutes, t } from './i18n.mjs';
import { toast as showToast } from './toasts.mjs';

const $ = (id) => document.getElementById(id);

/** What the resident reads when the server did it; the other actions show on the board. */
const DONE_MESSAGES = { pickup: 'done.pickup', report: 'done.report' };

/**
 * The request for `action` on `machine`, as the queue keeps it:
 * `{method, path, body?, action, machineLabel}`. `input` is the minutes typed (start) or the
 * report's text; `via` is 'label' for a start tapped on the page the machine's QR code
 * opened (counted by `admin stats`).
 */
export function actionRequest(action, machine, input, via) {
  const id = encodeURIComponent(machine.id);
  const named = { action, machineLabel: machine.label };
  switch (action) {
    case 'start': {
      const typed = Number.parseInt(input, 10);
      const body = { ...(Number.isNaN(typed) ? {} : { minutes: typed }), ...(via ? { via } : {}) };
      return { method: 'POST', path: `/api/machines/${id}/uses`, body, ...named };
    }
    case 'collect':
      return { method: 'POST', path: `/api/uses/${encodeURIComponent(machine.use.id)}/collect`, ...named };
    case 'cancel':
      return { method: 'POST', path: `/api/uses/${encodeURIComponent(machine.use.id)}/cancel`, ...named };
    case 'pickup':
      return { method: 'POST', path: `/api/machines/${id}/pickup-requests`, ...named };
    case 'report':
      return { method: 'POST', path: `/api/machines/${id}/reports`, body: { text: input }, ...named };
    default:
      throw new Error(`Unknown action ${action}`);
  }
}

const REQUEST_NAMES = {
  start: 'request.start', collect: 'request.collect', cancel: 'request.cancel', pickup: 'request.pickup', report: 'request.report',
};

/**
 * A queued request as the resident reads it, in the language of the moment it is read:
 * "Start Washer 1". One queued by an older version of the app carries its words as `label`.
 */
export const requestName = (entry) =>
  (REQUEST_NAMES[entry.action] ? t(REQUEST_NAMES[entry.action], { label: entry.machineLabel }) : entry.label);

/** The board with `machine` in place of the machine with its id. */
export const withMachine = (board, machine) => ({ ...board, machines: board.machines.map((m) => (m.id === machine.id ? machine : m)) });

export const queuedText = (count) => t('queued.waiting', { count });

function showQueuedLine(count) {
  const line = $('queued');
  line.hidden = count === 0;
  line.textContent = queuedText(count);
}

export class Actions {
  /**
   * @param {object} page
   * @param {import('./queue.mjs').ActionQueue} page.queue
   * @param {() => boolean} page.signedIn
   * @param {(machine: object) => void} page.machineChanged a refusal carried the machine as it is now
   * @param {(entry: object) => Promise<{outcome: string, error?: Error}>} [page.send] sends once (api.mjs)
   * @param {(title: string) => void} [page.toast]
   * @param {(count: number) => void} [page.showQueued] shows how many actions wait
   */
  constructor({ queue, signedIn, machineChanged, send = sendAction, toast = showToast, showQueued = showQueuedLine }) {
    Object.assign(this, { queue, signedIn, machineChanged, send, toast, showQueued });
  }

  /** Sends `action` now, with `control` disabled meanwhile; when the server cannot be reached, keeps it for later. */
  async perform(action, machine, { input, control, via } = {}) {
    const entry = this.queue.prepare(actionRequest(action, machine, input, via));
    if (control) control.disabled = true;
    const result = await this.send(entry);
    if (control) control.disabled = false;
    if (result.outcome === 'done') {
      if (DONE_MESSAGES[action]) this.toast(t(DONE_MESSAGES[action]));
    } else if (result.outcome === 'refused') {
      this.refused(entry, result.error);
    } else {
      this.queue.add(entry);
      this.updateQueued();
      this.toast(t('queued.unreachable', { label: requestName(entry) }));
    }
  }

  /**
   * Sends the waiting actions again, in order; a refused one is dropped and the resident told
   * why. A start that waited too long is not sent but offered again, with a button.
   */
  async replay() {
    if (this.queue.items.length === 0 || !this.signedIn()) return;
    const { stale } = await this.queue.replay(async (entry) => {
      const result = await this.send(entry);
      if (result.outcome === 'refused') this.refused(entry, result.error);
      return result.outcome;
    });
    this.updateQueued();
    for (const entry of stale ?? []) this.offerAgain(entry);
  }

  /** A start queued offline long ago: the resident decides whether it still stands. */
  offerAgain(entry) {
    const waited = minutes(Math.round((this.queue.now() - entry.queuedAt) / 60000));
    this.toast(t('queued.notSent', { label: requestName(entry) }), t('queued.stale', { minutes: waited }), {
      label: t('queued.startNow'),
      run: () => this.sendAgain(entry),
    });
  }

  /** Sends `entry` anew, as a new request with a new key, as a fresh tap would. */
  async sendAgain(entry) {
    const { method, path, body, action, machineLabel, label } = entry;
    const fresh = this.queue.prepare({ method, path, body, action, machineLabel, label });
    const result = await this.send(fresh);
    if (result.outcome === 'refused') this.refused(fresh, result.error);
    else if (result.outcome !== 'done') {
      this.queue.add(fresh);
      this.updateQueued();
    }
  }

  refused(entry, error) {
    this.toast(`${requestName(entry)}: ${error.message}`);
    // A 409 carries the machine as it is now.
    const machine = error.problem?.machine;
    if (machine) this.machineChanged(machine);
  }

  /** Drops every waiting action (the resident signed out). */
  clear() {
    this.queue.clear();
    this.updateQueued();
  }

  updateQueued() {
    this.showQueued(this.queue.items.length);
  }

  /**
   * The elements that offer `action` on `machine`: on its row (`place` 'row'), one tap with
   * the machine's own cycle; in its menu ('menu'), starting with other minutes, cancelling
   * and reporting; at the top of the menu opened from the machine's label ('label'), one
   * large tap to start it. An action taken in the menu closes it.
   */
  controls(action, machine, place = 'row') {
    const button = (text, onClick, secondary = false) => {
      const element = document.createElement('button');
      element.type = 'button';
      element.textContent = text;
      if (secondary) element.className = 'secondary';
      element.addEventListener('click', () => onClick(element));
      return element;
    };
    const closeMenu = () => { if (place !== 'row') $('machine-menu').close(); };
    const send = (control, input) => {
      closeMenu();
      return this.perform(action, machine, { input, control, via: place === 'label' ? 'label' : undefined });
    };
    switch (action) {
      case 'start': {
        if (place === 'label') {
          const start = button(t('action.startFor', { minutes: minutes(machine.cycleMinutes) }), (control) => send(control));
          start.classList.add('big');
          return [start];
        }
        if (place === 'row') {
          const start = button(t('action.start'), (control) => send(control));
          const cycle = minutes(machine.cycleMinutes, { long: true });
          start.setAttribute('aria-label', t('action.startLabel', { label: machine.label, minutes: cycle }));
          return [start];
        }
        const label = document.createElement('label');
        label.className = 'minutes';
        const input = document.createElement('input');
        Object.assign(input, { type: 'number', min: 1, max: 240, value: machine.cycleMinutes, inputMode: 'numeric' });
        label.append(input, document.createTextNode(t('action.minutes')));
        input.setAttribute('aria-label', t('action.minutesFor', { label: machine.label }));
        const start = button(t('action.start'), (control) => send(control, input.value));
        start.setAttribute('aria-label', t('action.startGiven', { label: machine.label }));
        const row = document.createElement('div');
        row.className = 'menu-start';
        row.append(label, start);
        return [row];
      }
      case 'collect':
        return [button(t('action.collect'), send)];
      case 'cancel':
        return [button(t('action.cancel'), send, true)];
      case 'pickup': {
        const ask = button(t('action.pickup'), send);
        ask.setAttribute('aria-label', t('request.pickup', { label: machine.label }));
        return [ask];
      }
      case 'report':
        return [button(t('action.report'), () => { closeMenu(); this.openReport(machine); }, true)];
      default:
        return [];
    }
  }

  openReport(machine) {
    const dialog = $('report-dialog');
    $('report-question').textContent = t('report.question', { label: machine.label });
    $('report-text').value = '';
    dialog.onclose = () => {
      const text = $('report-text').value.trim();
      if (dialog.returnValue !== 'send' || !text) return;
      this.perform('report', machine, { input: text });
    };
    dialog.showModal();
  }
}
