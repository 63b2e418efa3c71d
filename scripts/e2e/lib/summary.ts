/** The report `npm run test:e2e` prints at the end: timings, every check, log tails on failure. */
import * as path from 'node:path';

import type { Scenario } from './checks';
import { LOGS_DIR } from './paths';
import { seconds, tail } from './procs';
import { rel } from './runHelpers';

export interface RunReport {
	title: string;
	phases: Array<[string, number]>;
	totalMs: number;
	hostInstalled: boolean;
	scenarios: Scenario[];
	failedSetup?: string;
	/** log files (names in .e2e/logs) whose tails are printed when the run failed */
	logs: string[];
	runDir: string;
}

export function isFailed(report: RunReport): boolean {
	return Boolean(report.failedSetup) || report.scenarios.some((s) => !s.ok);
}

export function formatReport(report: RunReport): string {
	const failed = isFailed(report);
	const out: string[] = ['', `==== e2e summary: ${report.title} ====`, 'Timings:'];
	for (const [name, ms] of report.phases) out.push(`  ${seconds(ms).padStart(8)}  ${name}`);
	out.push(`  ${seconds(report.totalMs).padStart(8)}  TOTAL${report.hostInstalled ? ' (including the host install)' : ''}`);
	for (const s of report.scenarios) {
		const passed = s.checks.filter((c) => c.ok).length;
		out.push('');
		out.push(`${s.ok ? 'PASS' : 'FAIL'}  ${s.title}  (${passed}/${s.checks.length} checks, ${seconds(s.ms)})`);
		for (const note of s.notes) out.push(`      note: ${note}`);
		for (const c of s.checks) {
			out.push(`   ${c.ok ? '✓' : '✗'} ${c.name}`);
			if (!c.ok && c.detail) out.push(`        ${c.detail.split('\n').join('\n        ')}`);
		}
		if (s.error && !s.error.startsWith('Error: precondition failed')) out.push(`   ✗ error: ${s.error.split('\n').slice(0, 12).join('\n     ')}`);
		if (s.checks.length === 0 && !s.error) out.push('   ✗ no checks ran');
	}
	if (report.failedSetup) out.push('', `FAIL  setup: ${report.failedSetup}`);
	if (failed) {
		for (const name of report.logs) {
			const file = path.join(LOGS_DIR, name);
			const text = tail(file, 40);
			if (text) out.push('', `---- tail of ${rel(file)} ----`, text);
		}
	}
	out.push('');
	const total = report.scenarios.length;
	const passedScenarios = report.scenarios.filter((s) => s.ok).length;
	out.push(
		failed
			? `E2E FAILED: ${passedScenarios}/${total} scenarios passed. Logs: ${rel(LOGS_DIR)}/, state: ${rel(report.runDir)}/`
			: `E2E PASSED: ${passedScenarios}/${total} scenarios in ${seconds(report.totalMs)}`,
	);
	out.push(`scenarios: ${passedScenarios} passed, ${total - passedScenarios} failed`);
	return `${out.join('\n')}\n`;
}
