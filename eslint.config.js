import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'url', 'util', 'stream', 'events', 'buffer', 'worker_threads', 'zlib', 'tls', 'dns'];
const pattern = (group, message) => ({ group, message });

/** The folder map of docs/architecture.md, enforced: shared/ is pure; server/electron/renderer never import each other. */
const layering = {
  'shared/**/*.ts': [
    pattern(nodeBuiltins, 'shared/ is pure: no Node modules.'),
    pattern(['electron', 'react', 'react-dom', 'rxdb', 'rxdb/*', 'dexie', 'sip.js', 'fastify', 'pg', '@electric-sql/*', 'pino'], 'shared/ is pure: no platform libraries.'),
    pattern(['**/server/**', '**/electron/**', '**/renderer/**', '../server/*', '../electron/*', '../renderer/*'], 'shared/ imports nothing outside shared/.'),
  ],
  'server/**/*.ts': [
    pattern(['**/electron/**', '**/renderer/**', 'electron', 'react', 'react-dom'], 'server/ imports only shared/.'),
  ],
  'electron/**/*.ts': [
    pattern(['**/server/**', '**/renderer/**', 'react', 'react-dom'], 'electron/ imports only shared/ (the renderer is reached through the bridge).'),
  ],
  'renderer/**/*.{ts,tsx}': [
    pattern(['**/server/**', '**/electron/**', 'electron', ...nodeBuiltins], 'renderer/ imports only shared/ and reaches main through the typed bridge.'),
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**', '.data/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty-pattern': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  ...Object.entries(layering).map(([files, patterns]) => ({
    files: [files],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
);
