// The board as the page shows it: applying live frames, and what each machine looks like
// to the resident at a given moment. Pure functions, so they are tested under node; their
// words are in the language i18n.mjs is set to.

import { currentLanguage, minutes, t } from './i18n.mjs';

/** A resident may cancel within this long of starting (the server enforces it too). */
export const CANCEL_WINDOW_MS = 10 * 60 * 1000;

const byPosition = (a, b) =>
  a.location === b.location
    ? a.id.localeCompare(b.id, 'en', { numeric: true, sensitivity: 'base' })
    : a.location < b.location ? -1 : 1;

/** The board after one live frame; frames that are not about the board leave it as it is. */
export function applyFrame(board, frame) {
  switch (frame.type) {
    case 'board':
      return { seq: frame.seq, machines: frame.machines, notices: frame.notices };
    case 'machine': {
      // Usually a machine the board has, in its place; a new one (or a moved one) is sorted in.
      const index = board.machines.findIndex((m) => m.id === frame.machine.id);
      const machines = [...board.machines];
      if (index >= 0 && machines[index].location === frame.machine.location) {
        machines[index] = frame.machine;
      } else {
        if (index >= 0) machines.splice(index, 1);
        machines.push(frame.machine);
        machines.sort(byPosition);
      }
      return { ...board, seq: frame.seq, machines };
    }
    case 'machine_removed':
      return { ...board, seq: frame.seq, machines: board.machines.filter((m) => m.id !== frame.id) };
    case 'notice': {
      const notices = board.notices.filter((n) => n.id !== frame.notice.id);
      notices.push(frame.notice);
      notices.sort((a, b) => (a.publishAt < b.publishAt ? 1 : a.publishAt > b.publishAt ? -1 : 0));
      return { ...board, seq: frame.seq, notices };
    }
    case 'notice_removed':
      return { ...board, seq: frame.seq, notices: board.notices.filter((n) => n.id !== frame.id) };
    default:
      return typeof frame.seq === 'number' ? { ...board, seq: frame.seq } : board;
  }
}

/** Machines by location, in board order: `[[location, [machine…]]…]`. */
export function groupByLocation(machines) {
  const groups = new Map();
  for (const machine of machines) {
    if (!groups.has(machine.location)) groups.set(machine.location, []);
    groups.get(machine.location).push(machine);
  }
  return [...groups];
}

/**
 * `mm:ss`, or `h:mm:ss` from an hour up; a started second counts as a whole one. With
 * `minutesOnly` (the resident asked for reduced motion) it is `12 min`, which changes once a
 * minute instead of ticking.
 */
export function formatRemaining(ms, { minutesOnly = false } = {}) {
  if (minutesOnly) return minutes(Math.max(0, Math.ceil(ms / 60000)));
  const total = Math.max(0, Math.ceil(ms / 1000));
  const two = (n) => String(n).padStart(2, '0');
  const hours = Math.floor(total / 3600);
  const wholeMinutes = Math.floor((total % 3600) / 60);
  return hours > 0 ? `${hours}:${two(wholeMinutes)}:${two(total % 60)}` : `${two(wholeMinutes)}:${two(total % 60)}`;
}

/** The hold on an idle machine that still keeps it at `now`, or null. */
export function heldAt(machine, now) {
  const hold = machine.state === 'idle' ? machine.hold : null;
  return hold && Date.parse(hold.until) > now ? hold : null;
}

/** "Reported by 2 residents" once residents confirmed a machine is broken, else ''. */
function reportedLine(machine) {
  return machine.reportedBy ? t('machine.reportedBy', { count: machine.reportedBy }) : '';
}

/**
 * What a machine shows at `now` (ms, on the server's clock) to resident `me`:
 * its phase (free, running, done, broken), a status line, and the actions on offer.
 */
export function machineView(machine, me, now, options = {}) {
  const view = phaseView(machine, me, now, options);
  const reported = reportedLine(machine);
  return reported ? { ...view, note: [view.note, reported].filter(Boolean).join(' · ') } : view;
}

function phaseView(machine, me, now, options) {
  const use = machine.use;
  if (machine.state === 'broken') {
    return { phase: 'broken', status: t('machine.broken'), note: machine.stateNote ?? '', actions: ['report'] };
  }
  const hold = heldAt(machine, now);
  if (hold?.residentId === me) {
    const left = formatRemaining(Date.parse(hold.until) - now, options);
    return {
      phase: 'free', mine: true, status: t('machine.keptForYou', { left }), note: t('machine.youWaited'), actions: ['start', 'report'],
    };
  }
  if (hold) {
    const left = formatRemaining(Date.parse(hold.until) - now, options);
    return { phase: 'held', status: t('machine.keptForOther', { left }), note: '', actions: ['report'] };
  }
  if (!use) return { phase: 'free', status: t('machine.free'), note: '', actions: ['start', 'report'] };
  const mine = use.residentId === me;
  const left = Date.parse(use.endsAt) - now;
  if (left > 0) {
    const actions = mine ? ['collect'] : [];
    if (mine && now - Date.parse(use.startedAt) <= CANCEL_WINDOW_MS) actions.push('cancel');
    return {
      phase: 'running', mine, status: t('machine.running', { left: formatRemaining(left, options) }), note: mine ? t('machine.yourLaundry') : '',
      actions: [...actions, 'report'],
    };
  }
  return {
    phase: 'done', mine, status: t('machine.done'), note: mine ? t('machine.yourLaundryReady') : '',
    actions: [mine ? 'collect' : 'pickup', 'report'],
  };
}

/** A notice's words in `language`, when its author wrote them in it; else its one text. */
export const noticeText = (notice, language = currentLanguage()) => notice.texts?.[language] ?? notice.text;

/** Notices still live at `now`: the server removes expired ones too, on its next pass. */
export function liveNotices(notices, now) {
  return notices.filter((n) => !n.expiresAt || Date.parse(n.expiresAt) > now);
}

const KIND_ORDER = ['washer', 'dryer', 'other'];

/**
 * The board at a glance, as the server's `summary` (KindSummary in Swift; keep them alike):
 * per location and kind, how many machines there are, how many are free, how many finished
 * cycles await pickup, and, when none is free, when the first running cycle ends (ms).
 */
export function summarise(machines, now) {
  const groups = new Map();
  for (const machine of machines) {
    const key = `${machine.location}\u0000${machine.kind}`;
    if (!groups.has(key)) groups.set(key, { kind: machine.kind, location: machine.location, machines: [] });
    groups.get(key).machines.push(machine);
  }
  return [...groups.values()]
    .sort((a, b) =>
      a.location === b.location ? KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) : a.location < b.location ? -1 : 1)
    .map(({ kind, location, machines: group }) => {
      const free = group.filter((m) => m.state === 'idle' && !heldAt(m, now)).length;
      const ends = group.filter((m) => m.state === 'in_use' && m.use).map((m) => Date.parse(m.use.endsAt));
      const running = ends.filter((end) => end > now);
      return {
        kind, location, total: group.length, free,
        awaitingPickup: ends.length - running.length,
        nextFreeAt: free > 0 || running.length === 0 ? null : Math.min(...running),
      };
    });
}

const KIND_NAMES = { washer: 'kind.washers', dryer: 'kind.dryers', other: 'kind.others' };

/** A kind of machine as the summary names it: "Washers"; a kind the app does not know by its id. */
const kindName = (kind) => (KIND_NAMES[kind] ? t(KIND_NAMES[kind]) : kind);

/** What one summary entry says at `now`: "2 of 5 free", "next free in 12 min", … */
export function summaryText(entry, now) {
  if (entry.free > 0) return t('summary.free', { free: entry.free, total: entry.total });
  if (entry.nextFreeAt !== null) return t('summary.nextFree', { minutes: minutes(Math.max(1, Math.ceil((entry.nextFreeAt - now) / 60000))) });
  if (entry.awaitingPickup > 0) return t('summary.awaitingPickup', { count: entry.awaitingPickup });
  return t('summary.noneWorking');
}

/**
 * The summary's lines at `now`, grouped by location:
 * `[{location, kinds: [{kind, name, text, free, waiting}]}]`. `free` says whether a machine
 * of that kind can be started now; `waiting` is the resident's waitlist entry that covers
 * the line (`{id, position}`, from `GET /api/waitlist`), or null.
 */
export function summaryView(machines, now, waitlist = []) {
  const locations = new Map();
  for (const entry of summarise(machines, now)) {
    if (!locations.has(entry.location)) locations.set(entry.location, []);
    const waiting = waitlist.find((w) => w.kind === entry.kind && (w.location === null || w.location === entry.location));
    locations.get(entry.location).push({
      kind: entry.kind, name: kindName(entry.kind), text: summaryText(entry, now), free: entry.free > 0,
      waiting: waiting ? { id: waiting.id, position: waiting.position } : null,
    });
  }
  return [...locations].map(([location, kinds]) => ({ location, kinds }));
}
