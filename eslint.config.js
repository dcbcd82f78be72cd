import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'src/app/cards/node_modules/', 'src/app/settings/node_modules/', '.dependency-cruiser.cjs', '.ci/.tools/', 'test-artifacts/', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['bench/**', 'src/server/demo.ts', 'src/server/cli/**', 'src/sandbox/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
