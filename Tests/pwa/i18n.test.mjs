import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import {
  LANGUAGES, catalogues, clockTime, currentLanguage, formattingLocale, minutes, pickLanguage, setLanguage, setTimeZone, t,
  translatePage,
} from '../../Sources/UsageApp/Resources/Public/js/i18n.mjs';

/** Names a Korean string may spell in Latin letters: the app's and the devices'. */
const LATIN_NAMES = ['Washboard', 'iPhone', 'iPad'];

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
const forms = (entry) => (typeof entry === 'string' ? [entry] : Object.values(entry));

/**
 * What a catalogue must agree on with English, as a list of problems: the same keys, the
 * same placeholders for each, a plain string where English has one, and for a count
 * exactly the plural forms its language needs.
 */
function differences(catalogue, lang, reference = catalogues.en) {
  const problems = [];
  const keys = new Set(Object.keys(catalogue));
  for (const key of Object.keys(reference)) if (!keys.has(key)) problems.push(`${lang} lacks ${key}`);
  for (const key of keys) {
    if (!(key in reference)) {
      problems.push(`${lang} has ${key}, which English has not`);
      continue;
    }
    const entry = catalogue[key];
    const wanted = new Set(forms(reference[key]).flatMap(placeholders));
    const found = new Set(forms(entry).flatMap(placeholders));
    if ([...wanted].sort().join() !== [...found].sort().join()) {
      problems.push(`${lang} ${key}: {${[...found].sort()}} where English has {${[...wanted].sort()}}`);
    }
    if ((typeof entry === 'string') !== (typeof reference[key] === 'string')) {
      problems.push(`${lang} ${key}: a count in one language and not in the other`);
    } else if (typeof entry !== 'string') {
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.sort().join();
      if (Object.keys(entry).sort().join() !== needed) problems.push(`${lang} ${key}: forms ${Object.keys(entry)}, needs ${needed}`);
    }
  }
  return problems;
}

test('Korean and English have the same keys, the same placeholders, and the plural forms each needs', () => {
  assert.deepEqual(LANGUAGES.toSorted(), Object.keys(catalogues).sort());
  assert.deepEqual(differences(catalogues.en, 'en'), []);
  assert.deepEqual(differences(catalogues.ko, 'ko'), []);
});

test('the catalogue check catches a missing or extra key, a lost placeholder and a missing plural form', () => {
  const { 'machine.free': _, ...missing } = catalogues.ko;
  assert.deepEqual(differences(missing, 'ko'), ['ko lacks machine.free']);
  assert.deepEqual(differences({ ...catalogues.ko, 'machine.spare': '예비' }, 'ko'), ['ko has machine.spare, which English has not']);
  assert.deepEqual(differences({ ...catalogues.ko, 'machine.running': '사용 중' }, 'ko'),
    ['ko machine.running: {} where English has {left}']);
  assert.deepEqual(differences({ ...catalogues.en, 'machine.reportedBy': { other: 'Reported by {count} residents' } }, 'en'),
    ['en machine.reportedBy: forms other, needs one,other']);
  assert.deepEqual(differences({ ...catalogues.ko, 'machine.reportedBy': '주민 {count}명이 신고함' }, 'ko'),
    ['ko machine.reportedBy: a count in one language and not in the other']);
});

test('Korean strings spell no word in Latin letters but the names of the app and of devices', () => {
  const latin = Object.entries(catalogues.ko).flatMap(([key, entry]) =>
    forms(entry).flatMap((text) => text.replace(/\{\w+\}/g, '').match(/[A-Za-z]+/g) ?? [])
      .filter((word) => !LATIN_NAMES.includes(word)).map((word) => `${key}: ${word}`));
  assert.deepEqual(latin, []);
});

const publicFolder = new URL('../../Sources/UsageApp/Resources/Public/', import.meta.url);
const sources = [
  ...readdirSync(new URL('js/', publicFolder)).filter((file) => file !== 'i18n.mjs').map((file) => `js/${file}`),
  'index.html', 'kiosk/index.html', 'kiosk/kiosk.mjs',
].map((file) => [file, readFileSync(new URL(file, publicFolder), 'utf8')]);

test('every key the page asks for is in the catalogue, and every key in it is asked for somewhere', () => {
  const asked = sources.flatMap(([file, text]) =>
    [...text.matchAll(/\bt\('([^']+)'|data-i18n(?:-aria-label)?="([^"]+)"/g)].map((m) => [file, m[1] ?? m[2]]));
  assert.ok(asked.length > 100, `found ${asked.length} lookups`);
  assert.deepEqual(asked.filter(([, key]) => !(key in catalogues.en)).map(([file, key]) => `${file}: ${key}`), []);
  const everything = sources.map(([, text]) => text).join('\n');
  assert.deepEqual(Object.keys(catalogues.en).filter((key) => !everything.includes(`'${key}'`) && !everything.includes(`"${key}"`)), []);
});

test("the language: the resident's preference, else the device's first Korean or English, else the dorm's default", () => {
  assert.equal(pickLanguage({ preference: 'en', navigatorLanguages: ['ko-KR'], defaultLanguage: 'ko' }), 'en');
  assert.equal(pickLanguage({ preference: null, navigatorLanguages: ['fr-FR', 'en-GB', 'ko'], defaultLanguage: 'ko' }), 'en');
  assert.equal(pickLanguage({ preference: null, navigatorLanguages: ['KO-kr'], defaultLanguage: 'en' }), 'ko');
  assert.equal(pickLanguage({ preference: null, navigatorLanguages: ['ja-JP', 'zh'], defaultLanguage: 'ko' }), 'ko');
  assert.equal(pickLanguage({ preference: 'fr', navigatorLanguages: [], defaultLanguage: undefined }), 'en');
  assert.equal(pickLanguage(), 'en');
});

test('times and numbers are written in the device\'s own variant of the language, when it has one', () => {
  assert.equal(formattingLocale('en', ['ko-KR', 'en-GB', 'en-US']), 'en-GB');
  assert.equal(formattingLocale('ko', ['en-GB']), 'ko');
});

test('plural forms follow the language: English has one and other, Korean one form for every count', () => {
  setLanguage('en');
  assert.equal(t('machine.reportedBy', { count: 1 }), 'Reported by 1 resident');
  assert.equal(t('machine.reportedBy', { count: 2 }), 'Reported by 2 residents');
  assert.equal(t('queued.waiting', { count: 1200 }), '1,200 actions wait to be sent.');
  setLanguage('ko');
  assert.equal(t('machine.reportedBy', { count: 1 }), '주민 1명이 신고함');
  assert.equal(t('machine.reportedBy', { count: 2 }), '주민 2명이 신고함');
  assert.equal(currentLanguage(), 'ko');
  assert.throws(() => setLanguage('fr'), RangeError);
  assert.equal(currentLanguage(), 'ko', 'an unknown language changes nothing');
});

test('minutes and clock times come from the platform, in the dorm\'s time zone', () => {
  setLanguage('en');
  assert.equal(minutes(12), '12 min');
  assert.equal(minutes(1, { long: true }), '1 minute');
  setLanguage('ko');
  assert.equal(minutes(12), '12분');
  setTimeZone('Asia/Seoul');
  assert.equal(clockTime('2026-12-01T09:07:00Z', { locales: 'en-GB' }), '18:07', 'the dorm is nine hours ahead');
  setTimeZone('Nowhere/Atlantis');
  const deviceClock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' }).format(new Date('2026-12-01T09:07:00Z'));
  assert.equal(clockTime('2026-12-01T09:07:00Z', { locales: 'en-GB' }), deviceClock, 'an unknown zone is ignored: the device\'s own');
});

test('translatePage writes every marked text and label, and the page language', () => {
  const element = (dataset) => ({
    dataset, textContent: 'old', attributes: {},
    setAttribute(name, value) {
      this.attributes[name] = value;
    },
  });
  const heading = element({ i18n: 'enroll.title' });
  const region = element({ i18nAriaLabel: 'notices.label' });
  const root = {
    documentElement: { lang: 'en' },
    querySelectorAll: (selector) => (selector === '[data-i18n]' ? [heading] : [region]),
  };
  setLanguage('ko');
  translatePage(root);
  assert.equal(heading.textContent, '세탁실 이용 등록');
  assert.deepEqual(region.attributes, { 'aria-label': '공지' });
  assert.equal(root.documentElement.lang, 'ko');
});
