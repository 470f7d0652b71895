import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const publicFolder = new URL('../../Sources/UsageApp/Resources/Public/', import.meta.url);

test('the service worker caches every module, so that the app opens offline', () => {
  const sw = readFileSync(new URL('sw.js', publicFolder), 'utf8');
  const shell = sw.match(/const SHELL = \[([^\]]*)\]/)[1];
  for (const file of readdirSync(new URL('js/', publicFolder))) {
    assert.ok(shell.includes(`'/js/${file}'`), `sw.js lists /js/${file}`);
  }
});
