// Property filter evaluation (person, event, cohort filters and AND/OR groups), following the semantics of
// PostHog's HogQL property_to_expr for the operators the sandbox supports.

import type { SandboxPerson, SandboxStore, SandboxEvent } from '../store';
import { parseIsoDate } from '../util/time';

export interface PropertyFilterLike {
	key?: string;
	value?: unknown;
	operator?: string;
	type?: string;
	[extra: string]: unknown;
}

export interface PropertyGroupLike {
	type: 'AND' | 'OR';
	values: unknown[];
}

/** A filter the sandbox cannot evaluate (HogQL expressions, session filters, ...). */
export class UnsupportedFilterError extends Error {}

export interface FilterContext {
	store: SandboxStore;
	person: SandboxPerson | undefined;
	event?: SandboxEvent;
}

function asString(v: unknown): string {
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	return JSON.stringify(v);
}

function isMissing(v: unknown): boolean {
	return v === undefined || v === null;
}

function toList(v: unknown): unknown[] {
	return Array.isArray(v) ? v : [v];
}

function toNumber(v: unknown): number {
	if (typeof v === 'number') return v;
	if (typeof v === 'string' && v.trim() !== '') return Number(v);
	return NaN;
}

function dateOf(v: unknown): number | null {
	if (typeof v === 'number') return v > 1e11 ? v : v * 1000;
	if (typeof v !== 'string') return null;
	const iso = parseIsoDate(v);
	if (iso !== null) return iso;
	const t = Date.parse(v);
	return Number.isNaN(t) ? null : t;
}

const SUPPORTED_OPERATORS = new Set([
	'exact', 'in', 'is_not', 'not_in', 'icontains', 'not_icontains', 'icontains_multi', 'not_icontains_multi', 'regex', 'not_regex',
	'gt', 'gte', 'lt', 'lte', 'min', 'max', 'between', 'not_between', 'is_set', 'is_not_set', 'is_date_exact', 'is_date_before', 'is_date_after',
]);
const SUPPORTED_TYPES = new Set(['person', 'event', 'cohort', 'empty']);

/**
 * Rejects filters the sandbox cannot evaluate up front (so the answer does not depend on whether a matching
 * event happens to exist). `allowEvent`: event filters make sense in this position.
 */
export function assertSupportedFilters(filters: unknown, allowEvent = true): void {
	if (filters === undefined || filters === null) return;
	if (Array.isArray(filters)) {
		for (const f of filters) assertSupportedFilters(f, allowEvent);
		return;
	}
	if (isGroup(filters)) {
		for (const f of filters.values) assertSupportedFilters(f, allowEvent);
		return;
	}
	if (typeof filters !== 'object') return;
	const f = filters as PropertyFilterLike;
	const type = f.type ?? 'event';
	if (!SUPPORTED_TYPES.has(type) || (type === 'event' && !allowEvent)) {
		throw new UnsupportedFilterError(`Property filters of type "${type}" are not supported by the sandbox.`);
	}
	if (type !== 'cohort' && type !== 'empty' && f.operator !== undefined && !SUPPORTED_OPERATORS.has(f.operator)) {
		throw new UnsupportedFilterError(`Property filter operator "${f.operator}" is not supported by the sandbox.`);
	}
}

export function matchOperator(actual: unknown, operator: string | undefined, expected: unknown): boolean {
	const op = operator ?? 'exact';
	switch (op) {
		case 'exact':
		case 'in':
			if (isMissing(actual)) return false;
			return toList(expected).some((e) => asString(e) === asString(actual));
		case 'is_not':
		case 'not_in':
			if (isMissing(actual)) return true;
			return !toList(expected).some((e) => asString(e) === asString(actual));
		case 'icontains':
			if (isMissing(actual)) return false;
			return asString(actual).toLowerCase().includes(asString(expected).toLowerCase());
		case 'not_icontains':
			if (isMissing(actual)) return true;
			return !asString(actual).toLowerCase().includes(asString(expected).toLowerCase());
		case 'icontains_multi':
			if (isMissing(actual)) return false;
			return toList(expected).some((e) => asString(actual).toLowerCase().includes(asString(e).toLowerCase()));
		case 'not_icontains_multi':
			if (isMissing(actual)) return true;
			return !toList(expected).some((e) => asString(actual).toLowerCase().includes(asString(e).toLowerCase()));
		case 'regex':
		case 'not_regex': {
			if (isMissing(actual)) return op === 'not_regex';
			let re: RegExp;
			try {
				re = new RegExp(asString(expected));
			} catch {
				return false;
			}
			const hit = re.test(asString(actual));
			return op === 'regex' ? hit : !hit;
		}
		case 'gt':
		case 'gte':
		case 'lt':
		case 'lte':
		case 'min':
		case 'max': {
			const a = toNumber(actual);
			const e = toNumber(expected);
			if (Number.isNaN(a) || Number.isNaN(e)) return false;
			if (op === 'gt') return a > e;
			if (op === 'gte' || op === 'min') return a >= e;
			if (op === 'lt') return a < e;
			return a <= e;
		}
		case 'between':
		case 'not_between': {
			const a = toNumber(actual);
			const [lo, hi] = toList(expected).map(toNumber);
			if (Number.isNaN(a) || Number.isNaN(lo) || Number.isNaN(hi)) return op === 'not_between' && isMissing(actual);
			const inside = a >= lo && a <= hi;
			return op === 'between' ? inside : !inside;
		}
		case 'is_set':
			return !isMissing(actual);
		case 'is_not_set':
			return isMissing(actual);
		case 'is_date_exact':
		case 'is_date_before':
		case 'is_date_after': {
			const a = dateOf(actual);
			const e = dateOf(expected);
			if (a === null || e === null) return false;
			if (op === 'is_date_before') return a < e;
			if (op === 'is_date_after') return a > e;
			const dateOnly = typeof expected === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(expected.trim());
			return dateOnly ? new Date(a).toISOString().slice(0, 10) === expected.trim() : a === e;
		}
		default:
			throw new UnsupportedFilterError(`Property filter operator "${op}" is not supported by the sandbox.`);
	}
}

function matchOne(ctx: FilterContext, filter: PropertyFilterLike): boolean {
	const type = filter.type ?? 'event';
	switch (type) {
		case 'person':
			return matchOperator(ctx.person?.properties[String(filter.key)], filter.operator, filter.value);
		case 'event':
			if (!ctx.event) throw new UnsupportedFilterError('Event property filters need an event context.');
			if (filter.key === 'distinct_id') return matchOperator(ctx.event.distinctId, filter.operator, filter.value);
			return matchOperator(ctx.event.properties[String(filter.key)], filter.operator, filter.value);
		case 'cohort': {
			const id = Number(filter.value);
			const inCohort = ctx.store.isInCohort(ctx.person, id);
			return filter.operator === 'not_in' ? !inCohort : inCohort;
		}
		case 'empty':
			return true;
		default:
			throw new UnsupportedFilterError(`Property filters of type "${type}" are not supported by the sandbox.`);
	}
}

function isGroup(v: unknown): v is PropertyGroupLike {
	return !!v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as PropertyGroupLike).values) && ((v as PropertyGroupLike).type === 'AND' || (v as PropertyGroupLike).type === 'OR');
}

/** Evaluates a list (AND) of filters or a property group. */
export function matchesFilters(ctx: FilterContext, filters: unknown): boolean {
	if (filters === undefined || filters === null) return true;
	if (Array.isArray(filters)) return filters.every((f) => matchesFilters(ctx, f));
	if (isGroup(filters)) {
		if (!filters.values.length) return true;
		return filters.type === 'OR'
			? filters.values.some((f) => matchesFilters(ctx, f))
			: filters.values.every((f) => matchesFilters(ctx, f));
	}
	if (typeof filters === 'object') return matchOne(ctx, filters as PropertyFilterLike);
	return true;
}

export function matchesPersonFilters(store: SandboxStore, person: SandboxPerson | undefined, filters: unknown): boolean {
	return matchesFilters({ store, person }, filters);
}

/** Walks filters and reports whether any needs an event context (type "event"). */
export function hasEventFilters(filters: unknown): boolean {
	if (!filters) return false;
	if (Array.isArray(filters)) return filters.some(hasEventFilters);
	if (isGroup(filters)) return filters.values.some(hasEventFilters);
	return typeof filters === 'object' && ((filters as PropertyFilterLike).type ?? 'event') === 'event';
}
