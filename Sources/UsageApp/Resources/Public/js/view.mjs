// The board on the page: the summary at the top, a section per location, a row per machine
// with its menu, the notices, the "As of" line and the connection badge. What they show is
// worked out by the functions first in this file, which take values and return values
// (tested under node); BoardView puts it in the DOM, changing only what changed.

import { groupByLocation, liveNotices, machineView, noticeText, summaryView } from './board.mjs';
import { clockTime, currentLanguage, t } from './i18n.mjs';

const $ = (id) => document.getElementById(id);

/** A phone clock off by more than this is corrected with the server's Date header. */
export const CLOCK_SKEW_MS = 5000;

/** What to add to this device's clock to get the server's: 0 unless they are far apart. */
export function clockOffset(serverNow, localNow) {
  const offset = serverNow - localNow;
  return Math.abs(offset) > CLOCK_SKEW_MS ? offset : 0;
}

/** The actions a row offers at once; the others wait in the machine's menu. */
const ROW_ACTIONS = new Set(['start', 'collect', 'pickup']);

/**
 * What a machine's row shows at `now` to resident `me` (see machineView): `primary`, the one
 * action on the row (or null), and `menu`, the actions behind its menu button (starting with
 * other minutes among them). `actionsKey` changes exactly when the buttons must be built
 * again (their words change with the language), so that a countdown does not rebuild them
 * under the resident's finger.
 */
export function cardView(machine, me, now, options = {}) {
  const view = machineView(machine, me, now, options);
  const primary = view.actions.find((action) => ROW_ACTIONS.has(action)) ?? null;
  const menu = view.actions.filter((action) => action !== primary || action === 'start');
  return {
    ...view,
    mine: Boolean(view.mine),
    primary,
    menu,
    actionsKey: [view.actions.join(), machine.use?.id ?? '', machine.cycleMinutes, machine.label, currentLanguage()].join('|'),
  };
}

/**
 * What a screen reader hears after the board changed: for each machine that concerns
 * resident `me` (their use or hold, one that was theirs, or a kind their waitlist entry
 * covers) and whose phase changed since `previous` (id → {phase, mine}), one line with its
 * name and status. Returns the lines and the phases to compare with next time; the first board
 * announces nothing.
 */
export function announcements(previous, machines, me, waitlist, now, options = {}) {
  const phases = new Map();
  const lines = [];
  for (const machine of machines) {
    const view = machineView(machine, me, now, options);
    const mine = Boolean(view.mine);
    phases.set(machine.id, { phase: view.phase, mine });
    const before = previous?.get(machine.id);
    const awaited = waitlist.some((w) => w.kind === machine.kind && (w.location === null || w.location === machine.location));
    if (before && before.phase !== view.phase && (mine || before.mine || awaited)) lines.push(`${machine.label}: ${view.status}`);
  }
  return { phases, lines };
}

const SEVERITY_LABELS = { info: 'notice.info', warning: 'notice.warning', outage: 'notice.outage' };

/**
 * The notices shown at `now`, each in the current language with the label of its severity;
 * `key` changes when what is shown does.
 */
export function noticesView(notices, now) {
  const shown = liveNotices(notices, now).map((n) => ({ ...n, text: noticeText(n) }));
  return {
    key: [currentLanguage(), ...shown.map((n) => `${n.id}:${n.text}`)].join('\n'),
    lines: shown.map((n) => ({ severity: n.severity, label: t(SEVERITY_LABELS[n.severity] ?? 'notice.info'), text: n.text })),
  };
}

const CONNECTION_TEXTS = {
  live: 'connection.live', connecting: 'connection.connecting', reconnecting: 'connection.reconnecting',
  offline: 'connection.offline', 'signed-out': 'connection.signedOut',
};

/** The connection badge's text for a LiveConnection status. */
export const connectionText = (status) => (CONNECTION_TEXTS[status] ? t(CONNECTION_TEXTS[status]) : status);

/**
 * When the board shown was last known current, once the connection is `status`: null while
 * live; the moment it stopped being live (`now`) if a board is shown; else as it was.
 */
export function asOfAfter(status, asOf, hasBoard, now) {
  if (status === 'live') return null;
  return asOf === null && hasBoard ? now : asOf;
}

/** The line over a board that is not live ('' when it is), its time in the dorm's unless `timeOptions` say otherwise. */
export const staleText = (asOf, timeOptions) => (asOf === null ? '' : t('board.asOf', { time: clockTime(asOf, timeOptions) }));

/**
 * Keeps Tab and Shift-Tab inside an open modal dialog, cycling from its last control to its
 * first and back, as the WAI-ARIA dialog pattern asks (the browser would let focus leave).
 */
export function trapFocus(dialog) {
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const controls = [...dialog.querySelectorAll('button, input, textarea, select, a[href]')]
      .filter((control) => !control.disabled && control.offsetParent !== null);
    if (controls.length === 0) return;
    const [first, last] = [controls[0], controls[controls.length - 1]];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
}

export class BoardView {
  /**
   * @param {(action: string, machine: object, place: 'row' | 'menu') => Node[]} controls the
   *   elements that offer an action on a machine's row or in its menu
   */
  constructor(controls, { wait = () => {} } = {}) {
    this.controls = controls;
    /** Joins or leaves the waitlist for a summary line: `wait({kind, location, waiting})`. */
    this.wait = wait;
    /** The resident's waitlist entries, as `GET /api/waitlist` gives them. */
    this.waitlist = [];
    /** Each machine's last phase, for ``announcements``; null until the first board. */
    this.phases = null;
    /** Countdowns in whole minutes when the resident asked for reduced motion. */
    const motion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)');
    this.options = { minutesOnly: Boolean(motion?.matches) };
    motion?.addEventListener?.('change', (event) => { this.options = { minutesOnly: event.matches }; });
    /** The machine whose menu is open, with what it offers: `{id, actionsKey}`. */
    this.menu = null;
    this.cards = new Map();
    this.sections = new Map();
    /** Whether the card named in the URL's fragment was scrolled to. */
    this.shownTarget = false;
    /** The connection's status, for its badge. */
    this.status = 'connecting';
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
    this.showSummary(board.machines, now);
    this.announceChanges(board.machines, me, now);
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
      if (card && (machine.use || machine.hold)) this.updateCard(card, machine, me, now);
    }
    this.showNotices(board.notices ?? [], now);
    this.showSummary(board.machines, now);
    this.announceChanges(board.machines, me, now);
  }

  /** Tells a screen reader, once, of changes to the machines that concern the resident. */
  announceChanges(machines, me, now) {
    const { phases, lines } = announcements(this.phases, machines, me, this.waitlist, now, this.options);
    this.phases = phases;
    if (lines.length === 0) return;
    const region = $('announcer');
    // Emptied first, so that a line equal to the last one is read again.
    region.textContent = '';
    requestAnimationFrame(() => { region.textContent = lines.join('. '); });
  }

  /** Empties the board (the resident signed out). */
  clear() {
    this.cards.clear();
    this.sections.clear();
    this.phases = null;
    $('locations').replaceChildren();
    $('summary').replaceChildren();
    delete $('summary').dataset.key;
    $('machine-menu').close();
  }

  /** Shows the resident's waitlist entries on the summary (drawn with the next board). */
  setWaitlist(entries) {
    this.waitlist = entries;
    delete $('summary').dataset.key;
  }

  /** The board at a glance: per location (named when there are several), a line per kind. */
  showSummary(machines, now) {
    const container = $('summary');
    const locations = summaryView(machines, now, this.waitlist);
    const key = JSON.stringify(locations);
    if (container.dataset.key === key) return;
    container.dataset.key = key;
    const named = locations.length > 1;
    container.replaceChildren(
      ...locations.map(({ location, kinds }) => {
        const list = document.createElement('ul');
        list.className = 'glance';
        if (named) list.setAttribute('aria-label', location);
        const group = document.createElement('div');
        group.className = 'glance-group';
        if (named) {
          const heading = document.createElement('p');
          heading.className = 'glance-location';
          heading.textContent = location;
          group.append(heading);
        }
        group.append(list);
        list.append(...kinds.map((entry) => this.summaryLine(entry, named ? location : null)));
        return group;
      }),
    );
  }

  /** One kind's line: its count in words, and the waitlist button when none is free or the resident waits. */
  summaryLine(entry, location) {
    const item = document.createElement('li');
    item.dataset.free = String(entry.free);
    const name = document.createElement('strong');
    name.textContent = entry.name;
    const text = document.createElement('span');
    text.className = 'glance-text';
    text.textContent = ` ${entry.text}` + (entry.waiting ? ` · ${t('summary.position', { position: entry.waiting.position })}` : '');
    item.append(name, text);
    if (entry.waiting || !entry.free) {
      const kinds = entry.name.toLocaleLowerCase(currentLanguage());
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary wait';
      button.textContent = t(entry.waiting ? 'summary.stopWaiting' : 'summary.notifyMe');
      button.setAttribute('aria-label', t(entry.waiting ? 'summary.stopWaitingFor' : 'summary.notifyMeWhen', { kinds }));
      button.addEventListener('click', () => {
        button.disabled = true;
        this.wait({ kind: entry.kind, location, waiting: entry.waiting });
      });
      item.append(button);
    }
    return item;
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
    document.documentElement.style.setProperty('--notices-height', `${container.offsetHeight}px`);
  }

  showStale(asOf) {
    const stale = $('stale');
    stale.dataset.shown = String(asOf !== null);
    stale.textContent = staleText(asOf);
  }

  /** The connection badge: `status`, or the one shown last (drawn again in another language). */
  showConnection(status = this.status) {
    this.status = status;
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
    const view = cardView(machine, me, now, this.options);
    card.root.dataset.phase = view.phase;
    card.root.dataset.mine = String(view.mine);
    card.label.textContent = machine.label;
    card.id.textContent = machine.id;
    card.status.textContent = view.status;
    card.note.textContent = view.note;
    card.note.title = view.note;
    if (view.actionsKey !== card.actionsKey) {
      card.actionsKey = view.actionsKey;
      const more = document.createElement('button');
      more.type = 'button';
      more.className = 'secondary more';
      more.textContent = '⋯';
      more.setAttribute('aria-label', t('machine.more', { label: machine.label }));
      more.setAttribute('aria-haspopup', 'dialog');
      more.addEventListener('click', () => this.openMenu(machine, view));
      card.actions.replaceChildren(...(view.primary ? this.controls(view.primary, machine, 'row') : []), more);
      if (this.menu?.id === machine.id) this.fillMenu(machine, view);
    }
  }

  /**
   * Opens the menu of `machine`: its status and the actions it does not offer on its row;
   * opened from the machine's label (`fromLabel`), a free machine offers one large Start first.
   */
  openMenu(machine, view, { fromLabel = false } = {}) {
    this.fromLabel = fromLabel;
    this.fillMenu(machine, view);
    const dialog = $('machine-menu');
    const opener = document.activeElement;
    dialog.onclose = () => {
      this.menu = null;
      this.fromLabel = false;
      // Back where the resident was: the ⋯ they pressed, or its successor if the row was redrawn.
      const back = opener?.isConnected ? opener : document.querySelector(`#machine-${CSS.escape(machine.id)} button.more`);
      back?.focus();
    };
    if (!dialog.open) dialog.showModal();
  }

  fillMenu(machine, view) {
    this.menu = { id: machine.id };
    $('menu-title').textContent = machine.label;
    $('menu-status').textContent = [view.status, view.note].filter(Boolean).join(' · ');
    const first = this.fromLabel && view.primary === 'start' ? this.controls('start', machine, 'label') : [];
    $('menu-actions').replaceChildren(...first, ...view.menu.flatMap((action) => this.controls(action, machine, 'menu')));
  }

  /**
   * Opens the menu of the machine `id` once the board holds it (as its label does with
   * `fromLabel`, or for an alert about it); false if it does not.
   */
  openMachine(board, id, me, now, { fromLabel = false } = {}) {
    const machine = board.machines.find((m) => m.id === id);
    if (!machine) return false;
    this.openMenu(machine, cardView(machine, me, now), { fromLabel });
    return true;
  }
}
