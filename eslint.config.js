import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'src/app/cards/node_modules/', 'src/app/settings/node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['bench/**', 'src/server/demo.ts', 'src/server/dead-letters-cli.ts', 'src/server/backfill-cli.ts', 'src/sandbox/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
