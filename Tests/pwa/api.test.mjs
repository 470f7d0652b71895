import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { ApiError, api, fetchBoard, fetchLocale, savedLocale, socketPath } from '../../Sources/UsageApp/Resources/Public/js/api.mjs';
import { setLanguage } from '../../Sources/UsageApp/Resources/Public/js/i18n.mjs';
import { MemoryStorage } from './support.mjs';

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
  setLanguage('en');
});

/** fetch answering `problem` as problem+json with `status` (null: a proxy's bare page), recording each request's headers. */
function answering(status, problem, requests) {
  return async (path, options) => {
    requests.push([path, options.headers]);
    if (problem === null) return new Response('<h1>Bad Gateway</h1>', { status, headers: { 'Content-Type': 'text/html' } });
    return new Response(JSON.stringify(problem), { status, headers: { 'Content-Type': 'application/problem+json' } });
  };
}

test('every request asks for the current language, which the server writes its details in', async () => {
  const requests = [];
  globalThis.fetch = answering(409, { detail: '세탁기 1은 사용 중이에요.' }, requests);
  setLanguage('ko');
  const error = await api('/api/machines/W1/uses', { method: 'POST', body: {} }).catch((e) => e);
  assert.ok(error instanceof ApiError);
  assert.equal(error.message, '세탁기 1은 사용 중이에요.', "the server's words, untouched");
  globalThis.fetch = answering(502, null, requests);
  assert.equal((await api('/api/board').catch((e) => e)).message, '서버에서 오류가 났어요(응답 502).', 'no detail: the page says it');
  setLanguage('en');
  await fetchBoard('"7-a"');
  assert.deepEqual(requests.map(([, headers]) => headers['Accept-Language']), ['ko', 'ko', 'en']);
  assert.equal(requests[2][1]['If-None-Match'], '"7-a"');
});

test('the socket asks for the current language and batch frames, and follows on from the last seq', () => {
  setLanguage('ko');
  assert.equal(socketPath(12), '/ws?lang=ko&batch=1&since=12');
  assert.equal(socketPath(null), '/ws?lang=ko&batch=1');
  assert.equal(socketPath(0, 'en'), '/ws?lang=en&batch=1&since=0');
});

test("the dorm's locale is kept for a start offline; never fetched, it is English in the device's time zone", async () => {
  const storage = new MemoryStorage();
  const locale = { defaultLanguage: 'ko', languages: ['ko', 'en'], timeZone: 'Asia/Seoul' };
  assert.deepEqual(await fetchLocale({ storage, request: async () => Promise.reject(new TypeError('Failed to fetch')) }),
    { defaultLanguage: 'en', timeZone: undefined });
  assert.deepEqual(await fetchLocale({ storage, request: async (path) => (path === '/api/locale' ? locale : null) }), locale);
  assert.deepEqual(await fetchLocale({ storage, request: async () => Promise.reject(new TypeError('Failed to fetch')) }), locale);
  assert.deepEqual(savedLocale(storage), locale);
  storage.setItem('washboard.locale', '{broken');
  assert.deepEqual(savedLocale(storage), { defaultLanguage: 'en', timeZone: undefined });
});
