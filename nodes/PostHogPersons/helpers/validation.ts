import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readLocator } from './parameters';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const UUID_RE = new RegExp(UUID_PATTERN);

export function isUuid(value: string): boolean {
	return UUID_RE.test(value);
}

/**
 * A text parameter that must not be empty (whole numbers from expressions become their digits).
 * Names are trimmed; with `exact` (distinct IDs) the text is used exactly as given, never
 * trimmed, and anything but text or a whole number is an error. Empty is a NodeOperationError:
 * `message` says what is missing, `description` how to fix it.
 */
export function requiredText(
	ctx: IExecuteFunctions,
	parameter: string,
	itemIndex: number,
	message: string,
	description: string,
	options: { exact?: boolean } = {},
): string {
	const raw = readLocator(ctx, parameter, itemIndex);
	let text = '';
	if (typeof raw === 'string') text = options.exact ? raw : raw.trim();
	else if (typeof raw === 'number' && (!options.exact || Number.isSafeInteger(raw))) text = String(raw);
	else if (options.exact && raw !== null && raw !== undefined) {
		const kind = Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : typeof raw === 'number' ? 'a number that is not whole' : `a ${typeof raw}`;
		throw new NodeOperationError(ctx.getNode(), `The value of "${parameter}" is ${kind}, not text`, {
			itemIndex,
			description: 'A distinct ID is text (or a whole number). Check the expression of this field.',
		});
	}
	if (text === '') throw new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
	return text;
}

/** A person ID as PostHog's `/persons/{id}/` accepts it: the numeric ID or the UUID. */
export function checkPersonId(node: INode, value: unknown, itemIndex: number): string {
	const text = String(value ?? '').trim();
	if (/^\d+$/.test(text) || isUuid(text)) return text;
	throw new NodeOperationError(
		node,
		text === '' ? 'No person ID given' : `"${text}" is not a person ID (a number or a UUID)`,
		{
			itemIndex,
			description:
				'Use the person\'s numeric ID or UUID. To find a person by the ID your app sends (distinct ID), switch the Person field to "By Distinct ID".',
		},
	);
}

/**
 * The numeric ID of a cohort given in the Cohort field: a whole number, its digits, or the
 * cohort's address in PostHog (…/cohorts/42). Undefined when the field is empty (no filter).
 */
export function cohortIdOf(node: INode, value: unknown, itemIndex: number): number | undefined {
	const text = String(value ?? '').trim();
	if (text === '') return undefined;
	const match = /^(\d+)$/.exec(text) ?? /\/cohorts\/(\d+)(?:[/?#]|$)/.exec(text);
	if (match) return Number(match[1]);
	throw new NodeOperationError(node, `"${text}" is not a cohort ID or the address of a cohort`, {
		itemIndex,
		description:
			'Pick the cohort from the list, or give its numeric ID (e.g. 42) or its address in PostHog (e.g. https://us.posthog.com/project/1/cohorts/42).',
	});
}

/** Parses a JSON parameter that may already be an object (n8n's json type) or text. */
export function parseJsonParameter<T = IDataObject>(node: INode, value: unknown, label: string, itemIndex: number): T {
	if (typeof value !== 'string') return value as T;
	const text = value.trim();
	if (text === '') return undefined as T;
	try {
		return JSON.parse(text) as T;
	} catch (error) {
		throw new NodeOperationError(node, `${label} is not valid JSON: ${(error as Error).message}`, {
			itemIndex,
			description: `Check the ${label} field: it must be valid JSON (double-quoted keys and strings, no trailing commas).`,
		});
	}
}

/** Value at a dotted path of an object (`user.ids` → json.user.ids); the path as a whole key wins. */
export function valueAtPath(json: IDataObject, path: string): unknown {
	if (path in json) return json[path];
	let current: unknown = json;
	for (const part of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as IDataObject)[part];
	}
	return current;
}
