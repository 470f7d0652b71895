import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertDisplay } from '../../Sources/UsageApp/Resources/Public/js/toasts.mjs';

const done = { id: 'a1', kind: 'cycle_done', machineId: 'W1', title: 'W1: your laundry is done', body: 'Collect it' };
const notice = { id: 'a2', machineId: null, title: 'Hall B is closed', body: '' };

test('an alert is a toast while the page is in view, or while notifications are not allowed', () => {
  const toast = { toast: { title: done.title, body: done.body } };
  assert.deepEqual(alertDisplay(done, { hidden: false, notificationsAllowed: true }), toast);
  assert.deepEqual(alertDisplay(done, { hidden: true, notificationsAllowed: false }), toast);
});

test("a hidden page shows a notification that replaces the machine's last one and opens its card", () => {
  assert.deepEqual(alertDisplay(done, { hidden: true, notificationsAllowed: true }), {
    notification: {
      title: 'W1: your laundry is done',
      options: {
        body: 'Collect it', tag: 'machine-W1', icon: '/icons/icon-192.png',
        data: { url: '/#machine-W1', alertId: 'a1', kind: 'cycle_done' },
      },
    },
  });
  const { options } = alertDisplay(notice, { hidden: true, notificationsAllowed: true }).notification;
  assert.equal(options.tag, 'alert-a2', 'an alert about no machine replaces nothing');
  assert.equal(options.data.url, '/');
});
