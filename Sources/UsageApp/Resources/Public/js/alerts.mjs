// The alert centre: the resident's alerts of the last 30 days (GET /api/alerts), newest
// first, with what became of each and an unread count on the header. Read state is the
// server's, shared by the resident's devices: marking read here is told to the others live
// (`alerts_read` frames), and theirs to this one. The server writes each alert's title and
// body in the language the list was asked in; the page writes the rest.

import { api } from './api.mjs';
import { dayTime, t } from './i18n.mjs';

const $ = (id) => document.getElementById(id);

/** The centre's state: the alerts loaded so far, newest first, and the server's unread count. */
export function emptyCentre() {
  return { alerts: [], unread: 0, complete: false };
}

/**
 * A page from GET /api/alerts added after what is there (the first page replaces it).
 * `arrived` are the ids of alerts that came over the socket while the first page was asked
 * for: the server may have read the page before they existed, so those it lacks stay, first.
 */
export function withPage(centre, page, { first, arrived = [] }) {
  const alerts = first ? [] : [...centre.alerts];
  const known = new Set(alerts.map((alert) => alert.id));
  for (const alert of page.alerts) if (!known.has(alert.id)) alerts.push(alert);
  const listed = new Set(alerts.map((alert) => alert.id));
  const missed = first ? centre.alerts.filter((alert) => arrived.includes(alert.id) && !listed.has(alert.id)) : [];
  const unread = page.unread + missed.filter((alert) => !alert.readAt).length;
  return { alerts: [...missed, ...alerts], unread, complete: page.alerts.length < PAGE };
}

/** Alerts per page. */
export const PAGE = 50;

/**
 * An alert that just arrived over the socket: first in the list, and unread. This page
 * showed it and acked it at `shownAt`, as the server's ledger will say too.
 */
export function withLiveAlert(centre, alert, shownAt) {
  if (centre.alerts.some((known) => known.id === alert.id)) return centre;
  const entry = {
    id: alert.id, kind: alert.kind, title: alert.title, body: alert.body, machineId: alert.machineId ?? null, at: alert.at,
    readAt: null, delivery: { live: { at: alert.at, sockets: 1 }, ackedAt: shownAt, held: null, routed: null, pushes: [] },
  };
  return { ...centre, alerts: [entry, ...centre.alerts], unread: centre.unread + 1 };
}

/** `ids` (null: every one) read at `at`, here or on another device. */
export function withRead(centre, ids, at) {
  const marking = ids === null ? null : new Set(ids);
  let newlyRead = 0;
  const alerts = centre.alerts.map((alert) => {
    if (alert.readAt || (marking && !marking.has(alert.id))) return alert;
    newlyRead += 1;
    return { ...alert, readAt: at };
  });
  const unread = ids === null ? 0 : Math.max(0, centre.unread - newlyRead);
  return { ...centre, alerts, unread };
}

/** Alert kinds about the resident's own load: over once the load is collected. */
const LAUNDRY_KINDS = new Set(['ending_soon', 'cycle_done', 'pickup_reminder', 'pickup_request']);

/**
 * The notifications on this device that are out of date: their alert was read (here or
 * on another device), or they are about a load of the resident's that is no longer on its
 * machine. `notifications` are `{tag, data: {alertId, kind}}`; `machines` the board's.
 */
export function notificationsToClose(notifications, { read, machines, me }) {
  const loaded = new Set(machines.filter((m) => m.use?.residentId === me).map((m) => m.id));
  return notifications.filter((notification) => {
    const { alertId, kind } = notification.data ?? {};
    if (alertId && read.has(alertId)) return true;
    const machine = notification.tag?.startsWith('machine-') ? notification.tag.slice('machine-'.length) : null;
    return Boolean(machine && LAUNDRY_KINDS.has(kind) && machines.some((m) => m.id === machine) && !loaded.has(machine));
  });
}

/** The header button's text and label for `unread`. */
export function badge(unread) {
  return {
    count: unread === 0 ? '' : unread > 99 ? '99+' : String(unread),
    label: unread === 0 ? t('alerts.button') : t('alerts.unread', { count: unread }),
  };
}

const ROUTE_REASONS = {
  quiet_hours: 'reason.quietHours', quiet_notice: 'reason.quietNotice', urgent_notice: 'reason.urgentNotice',
  muted: 'reason.muted', stale: 'reason.stale', unacknowledged: 'reason.unacknowledged',
};

/** Why the server held or dropped an alert, in words; a reason this app does not know as the server named it. */
const reason = (because) => (ROUTE_REASONS[because] ? t(ROUTE_REASONS[because]) : because);

/**
 * How the alert reached the resident, as one line: "Shown in the app at 18:04",
 * "Sent as a notification at 18:04", "Held for your quiet hours until 07:00", "Not sent:
 * you muted these". `time` formats a date-time string for the reader.
 */
export function deliveryLine(alert, time) {
  const delivery = alert.delivery ?? {};
  if (delivery.ackedAt) return t('delivery.shown', { time: time(delivery.ackedAt) });
  const delivered = (delivery.pushes ?? []).find((push) => push.state === 'delivered');
  if (delivered) return t('delivery.pushed', { time: time(delivered.at) });
  if (delivery.routed?.outcome === 'dropped') return t('delivery.dropped', { reason: reason(delivery.routed.because) });
  if (delivery.routed?.outcome === 'pushed') {
    const failed = (delivery.pushes ?? []).length > 0 && delivery.pushes.every((push) => ['gone', 'failed', 'expired'].includes(push.state));
    if (failed) return t('delivery.failed');
    if ((delivery.pushes ?? []).length === 0) return t('delivery.noDevice');
    return t('delivery.sending', { time: time(delivery.routed.at) });
  }
  if (delivery.held) return t('delivery.held', { reason: reason(delivery.held.because), time: time(delivery.held.until) });
  if (delivery.live) return t('delivery.live', { time: time(delivery.live.at) });
  return t('delivery.waiting');
}

/**
 * A row of a list that opens something (an alert, a report): its heading and lines in one
 * button, every text set as text.
 */
export function listItem(heading, lines, open) {
  const item = document.createElement('li');
  item.className = 'alert-item';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'alert-open';
  const strong = document.createElement('strong');
  strong.textContent = heading;
  button.append(strong);
  for (const { text, className } of lines) {
    const span = document.createElement('span');
    if (className) span.className = className;
    span.textContent = text;
    button.append(span);
  }
  button.addEventListener('click', open);
  item.append(button);
  return item;
}

/**
 * The centre on the page: the header button with its badge and the dialog with the list.
 * `openMachine(id)` shows a machine's menu when an alert about it is tapped.
 */
export class AlertCentre {
  constructor({ openMachine, changed = () => {}, request = api } = {}) {
    this.centre = emptyCentre();
    this.openMachine = openMachine;
    this.changed = changed;
    this.request = request;
    /** Ids of alerts received while a first page is being asked for (see withPage). */
    this.arriving = null;
  }

  /** Wires the button and the dialog's controls; call once. */
  attach() {
    $('alerts-button').addEventListener('click', () => this.open());
    $('alerts-all-read').addEventListener('click', () => this.markRead(null));
    $('alerts-more').addEventListener('click', () => this.load({ first: false }));
  }

  /** Loads the first page (on start, and when the app comes back online). */
  async load({ first = true } = {}) {
    const last = this.centre.alerts.at(-1);
    const query = first || !last ? `?limit=${PAGE}` : `?limit=${PAGE}&before=${encodeURIComponent(last.id)}`;
    const arrived = [];
    if (first) this.arriving = arrived;
    try {
      this.update(withPage(this.centre, await this.request(`/api/alerts${query}`), { first, arrived }));
    } catch {
      // offline: the list stays as it was, and loads again with the next start
    } finally {
      if (this.arriving === arrived) this.arriving = null;
    }
  }

  /** An `alert` frame, shown and acked by this page just now. */
  received(alert) {
    this.arriving?.push(alert.id);
    this.update(withLiveAlert(this.centre, alert, new Date().toISOString()));
  }

  /** An `alerts_read` frame: another device (or this one) marked them read. */
  readElsewhere(frame) {
    this.update(withRead(this.centre, frame.ids ?? null, frame.at));
  }

  /** Marks `ids` (null: all) read on the server, and here at once. */
  async markRead(ids) {
    if (ids !== null && ids.length === 0) return;
    this.update(withRead(this.centre, ids, new Date().toISOString()));
    try {
      const { unread } = await this.request('/api/alerts/read', { method: 'POST', body: ids === null ? { all: true } : { ids } });
      this.update({ ...this.centre, unread });
    } catch {
      // marked again from another device or the next time it is opened
    }
  }

  /** The ids of the alerts known to be read. */
  get readIds() {
    return new Set(this.centre.alerts.filter((alert) => alert.readAt).map((alert) => alert.id));
  }

  /** The badge and the list in the current language; their titles and bodies follow with the next load. */
  translate() {
    this.update(this.centre);
  }

  /** Signed out: nothing of the last resident's stays. */
  reset() {
    this.update(emptyCentre());
  }

  open() {
    this.render();
    const dialog = $('alert-centre');
    if (!dialog.open) dialog.showModal();
  }

  update(centre) {
    this.centre = centre;
    const { count, label } = badge(centre.unread);
    $('alerts-badge').textContent = count;
    $('alerts-button').setAttribute('aria-label', label);
    if ($('alert-centre').open) this.render();
    this.changed();
  }

  /** The list, every text set as text. */
  render() {
    const list = $('alerts-list');
    list.replaceChildren();
    for (const alert of this.centre.alerts) {
      const item = listItem(alert.title, [
        { text: alert.body, className: 'alert-body' },
        { text: `${dayTime(alert.at)} · ${deliveryLine(alert, dayTime)}`, className: 'alert-delivery' },
      ], () => {
        this.markRead([alert.id]);
        if (alert.machineId) {
          $('alert-centre').close();
          this.openMachine(alert.machineId);
        }
      });
      item.dataset.unread = String(!alert.readAt);
      if (!alert.readAt) item.firstChild.setAttribute('aria-label', t('alerts.new', { title: alert.title, body: alert.body }));
      list.append(item);
    }
    $('alerts-empty').hidden = this.centre.alerts.length > 0;
    $('alerts-more').hidden = this.centre.complete;
    $('alerts-all-read').disabled = this.centre.unread === 0;
  }
}
