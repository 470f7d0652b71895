import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportItems } from '../../Sources/UsageApp/Resources/Public/js/reports.mjs';

test("staff's open reports: the machine's label, else its id, with the time and the resident's words, in the server's order", () => {
  const reports = [
    { id: 'r2', machineId: 'W2', text: 'Drum does not turn', createdAt: '2026-12-01T12:05:00Z' },
    { id: 'r1', machineId: 'X9', text: 'Smells of smoke', createdAt: '2026-12-01T11:00:00Z' },
  ];
  const machines = [{ id: 'W2', label: 'Washer 2' }];
  const items = reportItems(reports, machines, (ms) => new Date(ms).toISOString().slice(11, 16));
  assert.deepEqual(items, [
    { id: 'r2', machineId: 'W2', heading: 'Washer 2 · 12:05', text: 'Drum does not turn' },
    { id: 'r1', machineId: 'X9', heading: 'X9 · 11:00', text: 'Smells of smoke' },
  ]);
});
