import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const UUID_RE = new RegExp(UUID_PATTERN);

export function isUuid(value: string): boolean {
	return UUID_RE.test(value);
}

/**
 * A text parameter that must not be empty (numbers from expressions are accepted as text; a
 * resource locator gives its value). Empty is a NodeOperationError: `message` says what is
 * missing, `description` how to fix it.
 */
export function requiredText(
	ctx: IExecuteFunctions,
	parameter: string,
	itemIndex: number,
	message: string,
	description: string,
): string {
	const raw = ctx.getNodeParameter(parameter, itemIndex, '', { extractValue: true }) as unknown;
	const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
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
 * A list of IDs from a parameter: an array (from an expression), a JSON array as text, or text
 * separated by commas, semicolons or line breaks (as a form field delivers it). Values are
 * trimmed; empty entries dropped; order kept; duplicates removed.
 */
export function parseIdList(value: unknown): string[] {
	let entries: unknown[];
	if (Array.isArray(value)) {
		entries = value.flatMap((entry) => (typeof entry === 'string' ? splitText(entry) : [entry]));
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (text.startsWith('[')) {
			try {
				const parsed = JSON.parse(text) as unknown;
				if (Array.isArray(parsed)) return parseIdList(parsed);
			} catch {
				// not JSON: treat as separated text
			}
		}
		entries = splitText(text);
	} else if (typeof value === 'number') {
		entries = [value];
	} else {
		entries = [];
	}
	const ids: string[] = [];
	const seen = new Set<string>();
	for (const entry of entries) {
		if (entry === null || entry === undefined) continue;
		const id = (typeof entry === 'object' ? JSON.stringify(entry) : String(entry)).trim();
		if (id === '' || seen.has(id)) continue;
		seen.add(id);
		ids.push(id);
	}
	return ids;
}

function splitText(text: string): string[] {
	return text.split(/[,;\r\n]+/);
}

/** Throws, naming the first offending values, if any entry is not a UUID. */
export function checkUuids(node: INode, ids: string[], itemIndex: number, label = 'UUIDs'): void {
	const invalid = ids.filter((id) => !isUuid(id));
	if (invalid.length === 0) return;
	const shown = invalid.slice(0, 3).map((id) => `"${id}"`).join(', ');
	throw new NodeOperationError(
		node,
		`${invalid.length} of the ${label} ${invalid.length === 1 ? 'is' : 'are'} not a UUID: ${shown}${invalid.length > 3 ? ', …' : ''}`,
		{
			itemIndex,
			description:
				'Person UUIDs look like 0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4d. To delete or look up persons by the IDs your app sends, choose "Distinct IDs" instead.',
		},
	);
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

/**
 * The IDs of one input item, per "IDs From" (see `idSourceProperties`): the item's field, or
 * the `ids` parameter, parsed with `parseIdList`. No IDs at all is a NodeOperationError saying
 * where they were expected (`purpose` completes "No IDs to ...").
 */
export function itemIds(ctx: IExecuteFunctions, itemIndex: number, purpose: string): string[] {
	const fromField = ctx.getNodeParameter('idsFrom', itemIndex, 'parameter') === 'field';
	let ids: string[];
	let field = '';
	if (fromField) {
		field = String(ctx.getNodeParameter('idField', itemIndex, '') ?? '').trim();
		ids = parseIdList(valueAtPath(ctx.getInputData()[itemIndex]?.json ?? {}, field));
	} else {
		ids = parseIdList(ctx.getNodeParameter('ids', itemIndex, ''));
	}
	if (ids.length > 0) return ids;
	throw new NodeOperationError(ctx.getNode(), `No IDs to ${purpose}`, {
		itemIndex,
		description: fromField
			? `The input item has no value in the field "${field}". Check Input Field, or the data coming into the node.`
			: 'Fill in IDs with one or more distinct IDs or person UUIDs (separated by commas or new lines), or map a field of the input item that holds them.',
	});
}
