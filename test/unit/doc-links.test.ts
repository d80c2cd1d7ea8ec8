/** The README and the docs link only to files that exist: moving code or a doc breaks this test, not a reader's click. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve('.');
const pages = ['README.md', 'infra/README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('links in the README and the docs', function () {
  for (const page of pages) {
    it(`${page}: every relative link names a file that exists`, function () {
      const text = readFileSync(path.join(root, page), 'utf8');
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^(https?:|mailto:|#)/.test(t));
      const missing = targets.filter((t) => !existsSync(path.resolve(path.dirname(path.join(root, page)), decodeURIComponent(t.split('#')[0]!))));
      assert.deepEqual(missing, []);
    });
  }

  it('the README stays short: what it is, set-up, use, where to go next', function () {
    const lines = readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').length;
    assert.ok(lines <= 150, `${lines} lines`);
  });
});
