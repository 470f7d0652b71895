// Staff's list of open problem reports (GET /api/reports), shown only to staff.

import { listItem } from './alerts.mjs';
import { api } from './api.mjs';
import { dayTime } from './i18n.mjs';

/**
 * One line per open report, newest first as the server sends them: the machine's label
 * (its id when it is no longer on the board), when, and what the resident wrote.
 */
export function reportItems(reports, machines, time) {
  const labels = new Map(machines.map((m) => [m.id, m.label]));
  return reports.map((report) => ({
    id: report.id,
    machineId: report.machineId,
    heading: `${labels.get(report.machineId) ?? report.machineId} · ${time(Date.parse(report.createdAt))}`,
    text: report.text,
  }));
}

/**
 * The staff section: hidden for everyone else. `machines()` gives the board's machines,
 * `openMachine(id)` opens one.
 */
export class StaffReports {
  #machines;
  #openMachine;
  #signature = null;
  /** The reports last loaded, drawn again in another language without asking the server. */
  #reports = [];

  constructor({ machines, openMachine }) {
    this.#machines = machines;
    this.#openMachine = openMachine;
  }

  /** Shows the section for staff and loads it; hides it for anyone else. */
  async show(resident) {
    const section = document.getElementById('staff-reports');
    section.hidden = !resident?.staff;
    if (resident?.staff) await this.load();
  }

  /** Reloads when the board's crowd-confirmed machines changed: a report came or a repair closed some. */
  boardChanged(machines) {
    if (document.getElementById('staff-reports').hidden) return;
    const signature = machines.map((m) => `${m.id}:${m.reportedBy ?? 0}`).join(',');
    if (this.#signature !== null && signature !== this.#signature) this.load();
    this.#signature = signature;
  }

  async load() {
    try {
      this.#reports = (await api('/api/reports')).reports;
    } catch {
      return; // the list shown stays until the next load succeeds
    }
    this.translate();
  }

  /** Draws the list in the current language (the reports are in their authors' words). */
  translate() {
    if (document.getElementById('staff-reports').hidden) return;
    const items = reportItems(this.#reports, this.#machines(), dayTime);
    const list = document.getElementById('staff-reports-list');
    list.replaceChildren(
      ...items.map((item) => listItem(item.heading, [{ text: item.text }], () => this.#openMachine(item.machineId))));
    document.getElementById('staff-reports-empty').hidden = items.length > 0;
  }
}
