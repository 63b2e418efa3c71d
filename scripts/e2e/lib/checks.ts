/** Assertions that are collected per scenario and printed as a summary. */
import { isDeepStrictEqual, inspect } from 'node:util';

export interface CheckResult {
	name: string;
	ok: boolean;
	detail?: string;
}

function show(value: unknown): string {
	return inspect(value, { depth: 4, breakLength: 160, maxArrayLength: 20, maxStringLength: 300 });
}

export class Scenario {
	readonly checks: CheckResult[] = [];
	readonly notes: string[] = [];
	ms = 0;
	error?: string;

	constructor(
		readonly key: string,
		readonly title: string,
	) {}

	get ok(): boolean {
		return !this.error && this.checks.length > 0 && this.checks.every((check) => check.ok);
	}

	note(text: string): void {
		this.notes.push(text);
	}

	check(ok: boolean, name: string, detail?: unknown): boolean {
		this.checks.push({ name, ok, detail: ok || detail === undefined ? undefined : typeof detail === 'string' ? detail : show(detail) });
		return ok;
	}

	equal(actual: unknown, expected: unknown, name: string): boolean {
		const ok = isDeepStrictEqual(actual, expected);
		return this.check(ok, name, ok ? undefined : `expected ${show(expected)}\n        got      ${show(actual)}`);
	}

	/** Fails the scenario (and stops it) when a precondition does not hold. */
	require<T>(value: T | undefined | null | false, name: string, detail?: unknown): T {
		if (!this.check(Boolean(value), name, detail ?? 'missing')) throw new Error(`precondition failed: ${name}`);
		return value as T;
	}
}

export async function runScenario(scenario: Scenario, fn: (s: Scenario) => Promise<void>): Promise<void> {
	const started = Date.now();
	try {
		await fn(scenario);
	} catch (error) {
		scenario.error = (error as Error).stack ?? String(error);
	} finally {
		scenario.ms = Date.now() - started;
	}
}
