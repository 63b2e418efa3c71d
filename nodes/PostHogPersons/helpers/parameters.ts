import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_QUERY_PAGE_SIZE, MAX_QUERY_PAGE_SIZE } from '../transport';

/**
 * Reading node parameters the same way while a workflow runs (one input item, expressions
 * resolved) and while the editor loads a list (the fields as they stand in the panel), so the
 * code that turns fields into a query is written once for both. `picker`: the field is a resource
 * locator, whose value is unwrapped (see readLocator).
 */
export type ParameterReader = (name: string, fallback?: unknown, options?: { picker?: boolean }) => unknown;

/** The parameters of one input item during execution. */
export function itemParameters(ctx: IExecuteFunctions, itemIndex: number): ParameterReader {
	return (name, fallback, options) =>
		options?.picker ? readLocator(ctx, name, itemIndex, fallback) : ctx.getNodeParameter(name, itemIndex, fallback as never);
}

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/**
 * The parameters as the panel holds them, for list searches. Expressions cannot be resolved
 * there (they depend on input items): a field holding one is an error naming it.
 */
export function panelParameters(ctx: ILoadOptionsFunctions, purpose: string): ParameterReader {
	return (name, fallback, options) => {
		const raw = ctx.getCurrentNodeParameter(name);
		if (raw === undefined || raw === null) return fallback;
		if (hasExpression(raw)) {
			throw new NodeOperationError(ctx.getNode(), `${purpose} needs the fields of this node without expressions`, {
				description: `The field "${name}" holds an expression, which only has a value when the workflow runs. Give it a fixed value to see the list, or type the value yourself instead of picking it from the list.`,
			});
		}
		return options?.picker ? locatorValue(raw) : raw;
	};
}

/**
 * The value of a resource locator, or the value itself (plain text or numbers, as workflows saved
 * before the field was a picker hold them). A locator without a mode counts too.
 */
export function locatorValue(value: unknown): unknown {
	if (value !== null && typeof value === 'object' && ('mode' in value || '__rl' in value) && 'value' in value) {
		return (value as INodeParameterResourceLocator).value;
	}
	return value;
}

/**
 * A picker's value of an item, also when the picker holds a plain value or no mode. Only a value
 * stored as a picker is unwrapped: an object that an expression gives stays an object (an ID
 * must be text or a number). A URL comes back whole: the operation reads the ID from it. n8n's
 * `extractValue` is not used: n8n (2.x, 1.123) runs its regex in a VM context limited to 250 ms,
 * which a busy worker can exceed.
 */
export function readLocator(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown = ''): unknown {
	const value = ctx.getNodeParameter(name, itemIndex, fallback as never);
	const stored = name.split('.').reduce<unknown>((at, key) => (at as IDataObject | undefined)?.[key], ctx.getNode().parameters);
	return stored !== null && typeof stored === 'object' && '__rl' in stored ? locatorValue(value) : value;
}

/** "Return All" / "Limit" of an item: undefined for all records, else the Limit. */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	return returnAll ? undefined : Number(ctx.getNodeParameter('limit', itemIndex, 50));
}

/** The "Page Size" option (rows per query page), within 1 and PostHog's maximum. */
export function pageSizeOption(options: IDataObject): number {
	return Math.min(MAX_QUERY_PAGE_SIZE, Math.max(1, Math.floor(Number(options.pageSize ?? DEFAULT_QUERY_PAGE_SIZE))));
}
