import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readLocator } from './parameters';
import { isUuid, valueAtPath } from './validation';

/**
 * The ID rules of every operation that takes a list of IDs (Bulk Delete, Look Up, Verify
 * Deletion, Split's distinct IDs, Delete Properties' names):
 * - a value from an input field, a value produced by an expression, and every element of a list
 *   is ONE ID, exactly as given: never split, never trimmed;
 * - only text typed into the parameter (no expression) is a list: one ID per line, and on a line
 *   IDs separated by commas; spaces around them are dropped;
 * - a whole number is written as its digits; objects, booleans, nested lists, empty text, other
 *   numbers and null are an error on the item (before anything is sent);
 * - person UUIDs are compared case-insensitively (PostHog answers in lower case) and must look
 *   like a UUID.
 */

export type IdKind = 'distinctId' | 'uuid';

/** The key under which an ID is compared and de-duplicated: UUIDs in lower case, distinct IDs verbatim. */
export function idKey(kind: IdKind, id: string): string {
	return kind === 'uuid' ? id.toLowerCase() : id;
}

/**
 * The kind of IDs an operation was given by an options parameter ("Delete By", "Look Up By",
 * "Verify By"): `distinct_ids`, or `uuids` / `ids` (person UUIDs). Anything else (e.g. from an
 * expression) is an error naming the field (`label`).
 */
export function readIdKind(ctx: IExecuteFunctions, itemIndex: number, parameter: string, label: string): IdKind {
	const value = ctx.getNodeParameter(parameter, itemIndex, 'distinct_ids');
	if (value === 'distinct_ids') return 'distinctId';
	if (value === 'uuids' || value === 'ids') return 'uuid';
	throw new NodeOperationError(ctx.getNode(), `"${String(value)}" is not a choice of ${label}`, {
		itemIndex,
		description: `Set ${label} to "Distinct IDs" or "Person UUIDs".`,
	});
}

/** Whether a parameter's raw (unevaluated) value is an n8n expression. */
function isExpression(raw: unknown): boolean {
	if (typeof raw === 'string') return raw.startsWith('=');
	if (raw !== null && typeof raw === 'object' && '__rl' in raw) {
		return isExpression((raw as INodeParameterResourceLocator).value);
	}
	return false;
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'boolean') return `the boolean ${String(value)}`;
	if (typeof value === 'number') return `the number ${String(value)}`;
	return typeof value;
}

function shown(value: unknown): string {
	let text: string;
	try {
		text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
	} catch {
		text = String(value);
	}
	return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

class IdError extends Error {
	constructor(
		message: string,
		/** Nothing was given at all (as opposed to something that is not an ID). */
		readonly empty = false,
	) {
		super(message);
	}
}

/** One ID from a value: text as is (not empty), a whole number as its digits; anything else throws. */
function oneId(value: unknown, where: string, whole: boolean): string {
	if (typeof value === 'string') {
		if (value === '') throw new IdError(`${where} is empty text`, whole);
		return value;
	}
	if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
	throw new IdError(`${where} is ${describe(value)} (${shown(value)}), not an ID`);
}

/** The IDs of a value from a field or an expression: one ID, or the elements of a list. */
export function idsFromValue(value: unknown): string[] {
	if (Array.isArray(value)) {
		if (value.length === 0) throw new IdError('The list of IDs is empty', true);
		return value.map((entry, index) => oneId(entry, `Element ${index + 1} of the list`, false));
	}
	if (value === undefined || value === null) throw new IdError('There is no value', true);
	return [oneId(value, 'The value', true)];
}

/** The IDs of text typed into a parameter: one per line, commas separate IDs on a line. */
export function idsFromTypedText(text: string): string[] {
	const ids: string[] = [];
	for (const line of text.split(/\r\n|\r|\n/)) {
		for (const part of line.split(',')) {
			const id = part.trim();
			if (id !== '') ids.push(id);
		}
	}
	if (ids.length === 0) throw new IdError('Nothing is filled in', true);
	return ids;
}

/** Drops repeated IDs (by `idKey`), keeping the first spelling and the order. */
export function uniqueIds(kind: IdKind, ids: string[]): string[] {
	const seen = new Set<string>();
	const out: string[] = [];
	for (const id of ids) {
		const key = idKey(kind, id);
		if (seen.has(key)) continue;
		seen.add(key);
		out.push(id);
	}
	return out;
}

/** Throws, naming the first offending values, if any ID is not a UUID. */
export function checkUuidList(ctx: IExecuteFunctions, ids: string[], itemIndex: number): void {
	const invalid = ids.filter((id) => !isUuid(id));
	if (invalid.length === 0) return;
	const list = invalid
		.slice(0, 3)
		.map((id) => `"${shown(id)}"`)
		.join(', ');
	throw new NodeOperationError(
		ctx.getNode(),
		`${invalid.length} of the person UUIDs ${invalid.length === 1 ? 'is' : 'are'} not a UUID: ${list}${invalid.length > 3 ? ', …' : ''}`,
		{
			itemIndex,
			description:
				'Person UUIDs look like 0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4d. To use the IDs your app sends to PostHog, choose "Distinct IDs" instead.',
		},
	);
}

export interface IdListOptions {
	/** Parameter holding typed IDs or an expression (default `ids`). */
	parameter?: string;
	kind: IdKind;
	/** Completes "No IDs to …", e.g. "delete". */
	purpose: string;
	/** Where the IDs come from: the item field of `idField` (`field`) or the parameter. Default: the `idsFrom` parameter. */
	source?: 'field' | 'parameter';
	/** What the values are, in messages (default IDs / ID). */
	noun?: { plural: string; singular: string };
}

/**
 * The IDs of one input item, read and checked by the rules above, de-duplicated within the item.
 * Bad input is a NodeOperationError on the item saying what is wrong and where.
 */
export function readItemIds(ctx: IExecuteFunctions, itemIndex: number, options: IdListOptions): string[] {
	const parameter = options.parameter ?? 'ids';
	const source = options.source ?? (ctx.getNodeParameter('idsFrom', itemIndex, 'parameter') === 'field' ? 'field' : 'parameter');
	let field = '';
	let parse: () => string[];
	if (source === 'field') {
		field = String(ctx.getNodeParameter('idField', itemIndex, '') ?? '').trim();
		const json: IDataObject = ctx.getInputData()[itemIndex]?.json ?? {};
		const value = valueAtPath(json, field);
		parse = () => idsFromValue(value);
	} else {
		const value = readLocator(ctx, parameter, itemIndex);
		const typed = !isExpression(ctx.getNode().parameters[parameter]) && typeof value === 'string';
		parse = () => (typed ? idsFromTypedText(value) : idsFromValue(value));
	}
	let ids: string[];
	try {
		ids = parse();
	} catch (error) {
		// the parsers only throw IdError
		const idError = error as IdError;
		const { plural, singular } = options.noun ?? { plural: 'IDs', singular: 'ID' };
		throw new NodeOperationError(
			ctx.getNode(),
			idError.empty ? `No ${plural} to ${options.purpose}: ${lowerFirst(idError.message)}` : `Invalid ${singular}: ${lowerFirst(idError.message)}`,
			{
				itemIndex,
				description:
					source === 'field'
						? `Read from the field "${field}" of the input item. Each text value or list element is one ${singular}, used exactly as given (nothing is split or trimmed); whole numbers are allowed. Check Input Field and the data coming into the node.`
						: `Type one ${singular} per line (commas also separate them on a line), or use an expression: its value is one ${singular}, or a list. Each must be text or a whole number.`,
			},
		);
	}
	ids = uniqueIds(options.kind, ids);
	if (options.kind === 'uuid') checkUuidList(ctx, ids, itemIndex);
	return ids;
}

function lowerFirst(text: string): string {
	return text.charAt(0).toLowerCase() + text.slice(1);
}
