/** Pages that list data are generated from it: the committed page must be what the data gives today. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findingsTable, withFindings } from '../../src/engine/knowledge/findings-doc.js';
import { knowledge } from '../../src/engine/knowledge/knowledge.js';

const page = fileURLToPath(new URL('../../../docs/diagnosis.md', import.meta.url));

describe('docs generated from the knowledge base', function () {
  it('docs/diagnosis.md lists every rule of knowledge.json, as `npm run docs` writes it', function () {
    const committed = readFileSync(page, 'utf8');
    assert.equal(committed, withFindings(committed), 'docs/diagnosis.md is out of date: run `npm run docs`');
    for (const rule of Object.keys(knowledge.rules)) assert.ok(findingsTable().includes(`| \`${rule}\` |`), rule);
  });
});
