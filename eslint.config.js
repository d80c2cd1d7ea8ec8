import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One no-restricted-imports rule per layer: the folders (anywhere in a relative path) and packages it may not import. */
function layers(list) {
  return list.map(({ files, may, not, packages }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: not.map((dir) => `**/${dir}/**`), message: `wrong direction: ${may}.` }, { group: packages, message: `wrong direction: ${may}.` }] }],
    },
  }));
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.lab/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Imports run one way: fronts (src/cli, src/bot) -> dialogs -> cards -> escalation, hand-over -> engine.
  ...layers([
    { files: ['src/engine/**'], may: 'the engine imports nothing of the fronts, the dialogs, the cards, escalation or the hand-over, nor Bot Framework', not: ['bot', 'cli', 'dialogs', 'cards', 'escalation', 'handover'], packages: ['botbuilder', 'botbuilder-*', 'restify'] },
    { files: ['src/escalation/**', 'src/handover/**'], may: 'escalation and the hand-over protocol sit on the engine alone', not: ['bot', 'cli', 'dialogs', 'cards'], packages: ['botbuilder', 'botbuilder-*', 'restify'] },
    { files: ['cards/**'], may: 'cards present the engine; they import no front and no dialog', not: ['bot', 'cli', 'dialogs'], packages: ['restify'] },
    { files: ['dialogs/**'], may: 'dialogs import cards and the engine, never the bot or the CLI', not: ['bot', 'cli'], packages: ['restify'] },
    { files: ['src/cli/**'], may: 'the CLI is a front of the engine, with no Bot Framework in it', not: ['bot', 'dialogs', 'cards'], packages: ['botbuilder', 'botbuilder-*', 'restify'] },
  ]),
  // The bot begins the dialogs; the types they share with it live below them (escalation, the engine).
  {
    files: ['src/bot/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[importKind='type'][source.value=/\\/dialogs\\//]", message: 'a type the bot shares with a dialog lives below both (src/escalation, src/engine).' },
        { selector: "ImportDeclaration[source.value=/\\/dialogs\\//] > ImportSpecifier[importKind='type']", message: 'a type the bot shares with a dialog lives below both (src/escalation, src/engine).' },
      ],
    },
  },
  // The environment is read by the fronts' configuration (src/bot/config.ts, src/cli, the ticket sinks) and handed in.
  {
    files: ['src/engine/**'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'the engine reads no environment: take it from the front that calls you.' }] },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
