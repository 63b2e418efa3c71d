import type { IDataObject } from 'n8n-workflow';

import { isIsoDate } from '../../helpers/dates';
import { BREAKDOWN_OTHER } from './kinds';

/**
 * Checks shared by the data point fields of several insight kinds: dates, whole numbers,
 * series references, breakdown values. Wrong input throws `InsightInputError` (message, how to
 * fix it, the field at fault) before anything is sent; insightPersons.ts turns it into a
 * NodeOperationError with the item index.
 */

/** Invalid input, found before anything is sent. `field` is the display name of the field at fault. */
export class InsightInputError extends Error {
	constructor(
		message: string,
		readonly description: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'InsightInputError';
	}
}

/** A day of a data point, as PostHog shows it (absolute date or date-time); undefined when empty. */
export function checkDay(value: string | undefined, field: string, example: string): string | undefined {
	const text = (value ?? '').trim();
	if (text === '') return undefined;
	if (!isIsoDate(text)) {
		throw new InsightInputError(
			`"${text}" in ${field} is not a date`,
			`Give the date as PostHog shows it for the data point, for example ${example} (YYYY-MM-DD, optionally with a time HH:MM:SS). Relative dates like -7d are not accepted here.`,
			field,
		);
	}
	return text;
}

/** A whole number ≥ `minimum` (numbers and numeric text), or undefined. */
export function wholeNumber(value: unknown, minimum = 1): number | undefined {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
	return typeof number === 'number' && Number.isInteger(number) && number >= minimum ? number : undefined;
}

/** One of the allowed values of an options field, or undefined when empty. */
export function checkOption(value: string | undefined, allowed: readonly string[], field: string): string | undefined {
	if (value === undefined || value === '') return undefined;
	if (!allowed.includes(value)) {
		throw new InsightInputError(`"${value}" is not a valid ${field}`, `Use one of: ${allowed.join(', ')}.`, field);
	}
	return value;
}

// ------------------------------------------------------------------ series

/** Checks the Data Point Series field without the insight: a position ≥ 1 or a name. */
export function checkSeriesReference(reference: string | number | undefined): void {
	const text = String(reference ?? '').trim();
	if (text === '') {
		throw new InsightInputError(
			'No series given',
			'Fill in the series: its position (1 for the first, A in PostHog; 2 for B; ...) or its name.',
			'Series',
		);
	}
	if (/^-?\d+(\.\d+)?$/.test(text) && (!Number.isInteger(Number(text)) || Number(text) < 1)) {
		throw new InsightInputError(
			`Series position must be a whole number of at least 1 (got ${text})`,
			'Series are counted from 1 (A in PostHog is 1, B is 2, ...).',
			'Series',
		);
	}
}

/** Display name of a series node, as PostHog labels it. */
function seriesLabel(node: IDataObject): string {
	return String(node.custom_name ?? node.name ?? node.event ?? (node.kind === 'ActionsNode' ? `action ${String(node.id)}` : 'all events'));
}

function seriesList(series: IDataObject[]): string {
	return series.map((node, index) => `${index + 1} = ${seriesLabel(node)}`).join(', ');
}

/** 0-based index of a series from its 1-based position or its name (custom name, name or event). */
export function resolveSeriesIndex(series: IDataObject[], reference: string | number): number {
	const text = String(reference).trim();
	if (/^\d+$/.test(text)) {
		const position = Number(text);
		if (position < 1 || position > series.length) {
			throw new InsightInputError(
				`The insight has ${series.length} series; there is no series ${position}`,
				`Series are counted from 1 (A in PostHog is 1). This insight's series: ${seriesList(series)}.`,
				'Series',
			);
		}
		return position - 1;
	}
	for (const key of ['custom_name', 'name', 'event'] as const) {
		const matches = series.map((node, index) => (node[key] === text ? index : -1)).filter((index) => index >= 0);
		if (matches.length === 1) return matches[0];
		if (matches.length > 1) {
			throw new InsightInputError(
				`Several series of the insight are named "${text}" (positions ${matches.map((index) => index + 1).join(', ')})`,
				'Give the series by its position instead (1 for the first, A in PostHog).',
				'Series',
			);
		}
	}
	throw new InsightInputError(
		`The insight has no series named "${text}"`,
		`Give the series by its position (1 = first) or its name. This insight's series: ${seriesList(series)}.`,
		'Series',
	);
}

// ------------------------------------------------------------------ breakdowns

/** The insight's breakdown filter, if it breaks down by anything. */
export function breakdownOf(source: IDataObject): IDataObject | undefined {
	const filter = source.breakdownFilter as IDataObject | undefined;
	if (!filter) return undefined;
	const hasSingle = filter.breakdown !== undefined && filter.breakdown !== null && filter.breakdown !== '';
	const hasMulti = Array.isArray(filter.breakdowns) && filter.breakdowns.length > 0;
	return hasSingle || hasMulti ? filter : undefined;
}

export function noBreakdownError(): InsightInputError {
	return new InsightInputError(
		'The insight has no breakdown, but a Breakdown Value is set',
		'Clear Breakdown Value, or use an insight that is broken down by a property.',
		'Breakdown Value',
	);
}

/** The breakdown filter, or an error when a Breakdown Value is given for an insight without one. */
export function requireBreakdown(source: IDataObject): IDataObject {
	const filter = breakdownOf(source);
	if (!filter) throw noBreakdownError();
	return filter;
}

export function parseJsonArray(text: string, field: string): unknown[] {
	try {
		const parsed = JSON.parse(text) as unknown;
		if (Array.isArray(parsed)) return parsed;
	} catch {
		// handled below
	}
	throw new InsightInputError(
		`${field} "${text}" is not a JSON array`,
		'For a breakdown by several properties, give one value per property as a JSON array, e.g. ["Chrome", "US"].',
		field,
	);
}

/** Several breakdowns (`breakdowns`): one value per breakdown, as text or numbers. */
export function multiBreakdownValues(filter: IDataObject, text: string): Array<string | number> {
	const count = (filter.breakdowns as unknown[]).length;
	const values = text.startsWith('[') ? parseJsonArray(text, 'Breakdown Value') : [text];
	if (values.length !== count) {
		throw new InsightInputError(
			`The insight is broken down by ${count} properties, but Breakdown Value has ${values.length} value(s)`,
			'Give one value per breakdown property, as a JSON array in the order of the breakdowns, e.g. ["Chrome", "US"].',
			'Breakdown Value',
		);
	}
	return values.map((value) => (typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value)));
}

/** A cohort ID of a cohort breakdown (or `all` for PostHog's "all users" series). */
export function cohortBreakdownValue(text: string): number | 'all' {
	if (text === 'all') return 'all';
	if (!/^\d+$/.test(text)) {
		throw new InsightInputError(
			`Breakdown Value "${text}" is not a cohort ID`,
			'The insight is broken down by cohorts: give the numeric ID of the cohort (or "all" for all users).',
			'Breakdown Value',
		);
	}
	return Number(text);
}

/** PostHog's "Other" bucket is a label added to results, not a value persons have. */
export function rejectOtherBucket(text: string): void {
	if (text === BREAKDOWN_OTHER) {
		throw new InsightInputError(
			'"Other" is not a breakdown value persons have',
			'PostHog groups the smaller breakdown values under "Other" after counting, so it cannot list their persons. Raise the breakdown limit of the insight so the value gets its own series, and use that value.',
			'Breakdown Value',
		);
	}
}
