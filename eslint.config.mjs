// Lint configuration.
// - nodes/, credentials/ and package.json: @n8n/node-cli's own ESLint config, unchanged (the
//   rule set of `n8n-node lint`, which n8n's verification scanner applies too). It is written
//   for a repository holding only node code (`**/*.ts`); here it is limited to the shipped
//   source, so its entries that match every TypeScript file are given the shipped folders.
// - Dev-only code (sandbox/, test/, scripts/) is not shipped; it runs on Node with file
//   system and timers, so it gets the TypeScript recommended rules only.
import js from '@eslint/js';
import { config as n8nNodeConfig } from '@n8n/node-cli/eslint';
import tseslint from 'typescript-eslint';
import { globalIgnores } from 'eslint/config';

const SHIPPED = ['nodes/**/*.ts', 'credentials/**/*.ts'];

const shippedOnly = n8nNodeConfig.map((entry) =>
	entry.files?.length === 1 && entry.files[0] === '**/*.ts' ? { ...entry, files: SHIPPED } : entry,
);

export default tseslint.config(
	globalIgnores(['dist', 'node_modules', '.e2e', '.dev', '.cache', 'coverage', 'bench/out', 'examples/output']),
	...shippedOnly,
	{
		files: ['sandbox/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: {
			'@typescript-eslint/no-explicit-any': 'off',
			'@typescript-eslint/no-require-imports': 'off',
		},
	},
);
