// The board on the page: a section per location, a card per machine, the notices, the
// "As of" line and the connection badge. What they show is worked out by the functions
// first in this file, which take values and return values (tested under node); BoardView
// puts it in the DOM, changing only what changed.

import { groupByLocation, liveNotices, machineView } from './board.mjs';

const $ = (id) => document.getElementById(id);

/** A phone clock off by more than this is corrected with the server's Date header. */
export const CLOCK_SKEW_MS = 5000;

/** What to add to this device's clock to get the server's: 0 unless they are far apart. */
export function clockOffset(serverNow, localNow) {
  const offset = serverNow - localNow;
  return Math.abs(offset) > CLOCK_SKEW_MS ? offset : 0;
}

/**
 * What a machine's card shows at `now` to resident `me` (see machineView); `actionsKey`
 * changes exactly when its buttons must be built again, so that a countdown does not
 * rebuild them under the resident's finger.
 */
export function cardView(machine, me, now) {
  const view = machineView(machine, me, now);
  return {
    ...view,
    mine: Boolean(view.mine),
    actionsKey: [view.actions.join(), machine.use?.id ?? '', machine.cycleMinutes, machine.label].join('|'),
  };
}

const SEVERITY_LABELS = { info: 'Notice', warning: 'Warning', outage: 'Out of service' };

/** The notices shown at `now`, each with the label of its severity; `key` changes when what is shown does. */
export function noticesView(notices, now) {
  const shown = liveNotices(notices, now);
  return {
    key: shown.map((n) => `${n.id}:${n.text}`).join('\n'),
    lines: shown.map((n) => ({ severity: n.severity, label: SEVERITY_LABELS[n.severity] ?? 'Notice', text: n.text })),
  };
}

const CONNECTION_TEXTS = {
  live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline', 'signed-out': 'Not signed in',
};

/** The connection badge's text for a LiveConnection status. */
export const connectionText = (status) => CONNECTION_TEXTS[status] ?? status;

/**
 * When the board shown was last known current, once the connection is `status`: null while
 * live; the moment it stopped being live (`now`) if a board is shown; else as it was.
 */
export function asOfAfter(status, asOf, hasBoard, now) {
  if (status === 'live') return null;
  return asOf === null && hasBoard ? now : asOf;
}

/** `time` as HH:MM, in the device's locale and time zone unless others are given. */
export const hhmm = (time, { locales = [], timeZone } = {}) =>
  new Date(time).toLocaleTimeString(locales, { hour: '2-digit', minute: '2-digit', timeZone });

/** The line over a board that is not live ('' when it is). */
export const staleText = (asOf, timeOptions) =>
  asOf === null ? '' : `As of ${hhmm(asOf, timeOptions)}: this board updates when the connection is back.`;

export class BoardView {
  /** @param {(action: string, machine: object) => Node[]} controls the elements that offer an action */
  constructor(controls) {
    this.controls = controls;
    this.cards = new Map();
    this.sections = new Map();
    /** Whether the card named in the URL's fragment was scrolled to. */
    this.shownTarget = false;
  }

  /** Shows `board` as resident `me` sees it at `now` (the server's clock). */
  render(board, me, now) {
    const wanted = new Set(board.machines.map((m) => m.id));
    for (const [id, card] of this.cards) {
      if (!wanted.has(id)) {
        card.item.remove();
        this.cards.delete(id);
      }
    }
    const order = [];
    for (const [location, machines] of groupByLocation(board.machines)) {
      const section = this.sections.get(location) ?? this.createSection(location);
      machines.forEach((machine, index) => {
        const card = this.cards.get(machine.id) ?? this.createCard(machine.id);
        this.updateCard(card, machine, me, now);
        if (section.list.children[index] !== card.item) section.list.insertBefore(card.item, section.list.children[index] ?? null);
      });
      order.push(section.root);
    }
    for (const [location, section] of this.sections) {
      if (!order.includes(section.root)) {
        section.root.remove();
        this.sections.delete(location);
      }
    }
    const container = $('locations');
    order.forEach((root, index) => {
      if (container.children[index] !== root) container.insertBefore(root, container.children[index] ?? null);
    });
    this.showNotices(board.notices ?? [], now);
    // A notification's link (/#machine-W1) names a card that did not exist when the page loaded.
    if (!this.shownTarget && location.hash.startsWith('#machine-')) {
      this.shownTarget = true;
      document.getElementById(location.hash.slice(1))?.scrollIntoView({ block: 'center' });
    }
  }

  /** Every second: the countdowns, and the notices that expired. */
  tick(board, me, now) {
    for (const machine of board.machines) {
      const card = this.cards.get(machine.id);
      if (card && machine.use) this.updateCard(card, machine, me, now);
    }
    this.showNotices(board.notices ?? [], now);
  }

  /** Empties the board (the resident signed out). */
  clear() {
    this.cards.clear();
    this.sections.clear();
    $('locations').replaceChildren();
  }

  showNotices(notices, now) {
    const container = $('notices');
    const { key, lines } = noticesView(notices, now);
    if (container.dataset.key === key) return;
    container.dataset.key = key;
    container.replaceChildren(
      ...lines.map((notice) => {
        const line = document.createElement('p');
        line.className = 'notice';
        line.dataset.severity = notice.severity;
        const label = document.createElement('strong');
        label.textContent = notice.label;
        line.append(label, document.createTextNode(notice.text));
        return line;
      }),
    );
    document.body.style.setProperty('--notices-height', `${container.offsetHeight}px`);
  }

  showStale(asOf) {
    const stale = $('stale');
    stale.dataset.shown = String(asOf !== null);
    stale.textContent = staleText(asOf);
  }

  showConnection(status) {
    $('connection').dataset.state = status;
    $('connection-text').textContent = connectionText(status);
  }

  createSection(location) {
    const root = document.createElement('section');
    root.className = 'location';
    const heading = document.createElement('h3');
    heading.textContent = location;
    const list = document.createElement('ul');
    list.className = 'machines';
    root.append(heading, list);
    const section = { root, list };
    this.sections.set(location, section);
    return section;
  }

  createCard(id) {
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
    this.cards.set(id, card);
    return card;
  }

  updateCard(card, machine, me, now) {
    const view = cardView(machine, me, now);
    card.root.dataset.phase = view.phase;
    card.root.dataset.mine = String(view.mine);
    card.label.textContent = machine.label;
    card.id.textContent = machine.id;
    card.status.textContent = view.status;
    card.note.textContent = view.note;
    card.note.title = view.note;
    if (view.actionsKey !== card.actionsKey) {
      card.actionsKey = view.actionsKey;
      card.actions.replaceChildren(...view.actions.flatMap((action) => this.controls(action, machine)));
    }
  }
}
