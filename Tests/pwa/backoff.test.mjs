import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECONNECT, backoffDelay } from '../../Sources/UsageApp/Resources/Public/js/backoff.mjs';
import { seededRandom } from './support.mjs';

test('the ceiling doubles from 0.5 s and stops at 30 s', () => {
  const almostOne = () => 0.999999;
  const ceilings = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];
  ceilings.forEach((ceiling, attempt) => {
    const delay = backoffDelay(attempt, almostOne);
    assert.ok(delay < ceiling && delay >= ceiling - 1, `attempt ${attempt}: ${delay}`);
    assert.equal(backoffDelay(attempt, () => 0), 0);
  });
  assert.ok(backoffDelay(10_000, almostOne) < RECONNECT.capMs, 'huge attempt counts stay capped');
});

test('full jitter: delays spread over the whole range, not around its top', () => {
  const random = seededRandom(7);
  const delays = Array.from({ length: 2000 }, () => backoffDelay(4, random));
  assert.ok(delays.every((d) => d >= 0 && d < 8000));
  const low = delays.filter((d) => d < 800).length;
  const high = delays.filter((d) => d >= 7200).length;
  // Each tenth of the range holds about 200 of 2000 draws.
  assert.ok(low > 120 && low < 280, `below 10 %: ${low}`);
  assert.ok(high > 120 && high < 280, `above 90 %: ${high}`);
  assert.ok(new Set(delays).size > 1500, 'not a handful of values');
});
