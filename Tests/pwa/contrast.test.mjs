import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

// WCAG 2.x contrast of the text colours the stylesheet pairs, read from its custom properties.
const css = readFileSync(new URL('../../Sources/UsageApp/Resources/Public/app.css', import.meta.url), 'utf8');
const colours = Object.fromEntries([...css.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1], m[2]]));

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const ratio = (a, b) => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
};

test('every text colour on its background reaches WCAG AA (4.5:1)', () => {
  const pairs = [
    ['ink', 'paper'], ['muted', 'paper'], ['muted', 'card'], ['free', 'card'], ['running', 'card'], ['theme', 'card'],
    ['done', 'done-bg'], ['broken', 'broken-bg'], ['muted', 'done-bg'], ['muted', 'broken-bg'], ['ink', 'done-bg'],
  ];
  for (const [text, background] of pairs) {
    assert.ok(colours[text] && colours[background], `--${text} and --${background} are defined`);
    const value = ratio(colours[text], colours[background]);
    assert.ok(value >= 4.5, `--${text} on --${background}: ${value.toFixed(2)}:1`);
  }
  assert.ok(ratio('#ffffff', colours.theme) >= 4.5, 'white on the theme colour (header, buttons)');
});
