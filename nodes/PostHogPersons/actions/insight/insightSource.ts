import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ParameterReader } from '../../helpers/parameters';
import { parseJsonParameter } from '../../helpers/validation';
import type { PostHogContext } from '../../transport';
import { apiRequest } from '../../transport';
import { InsightInputError } from './dataPointChecks';
import type { InsightKind } from './kinds';
import { INSIGHT_KINDS, describeSourceKind, operationsForSourceKind } from './kinds';
import type { DataPointField } from './insightSource.descriptions';
import { RAW_QUERY_EXAMPLES } from './insightSource.descriptions';

/**
 * Where the insight of an Insight operation comes from, resolved to its insight query: a
 * saved insight (`GET insights/`, scope insight:read), the "Defined in Node" fields, or the raw
 * JSON field. `origin` says which, for error messages.
 */

export type InsightSourceType = 'saved' | 'defined' | 'json';

export interface ResolvedInsightSource {
	source: IDataObject;
	type: InsightSourceType;
	/** Human-readable origin, e.g. `saved insight "Signup funnel" (AbC123xy)`. */
	origin: string;
	/** Where to look when PostHog rejects the insight query. */
	fields: string;
	/** The saved insight (id, short_id, name), if any. */
	insight?: IDataObject;
}

export interface InsightReference {
	shortId?: string;
	id?: number;
}

/** Builds the insight query of the operation's "Defined in Node" fields. */
export type DefinedInsightReader = (read: ParameterReader) => IDataObject;

/**
 * A saved insight from what a user gives: a short ID (`AbC123xy`), a numeric ID, or an insight
 * URL (`https://us.posthog.com/project/1/insights/AbC123xy`, also `/edit`, `?…`, `#…`).
 */
export function parseInsightReference(value: unknown): InsightReference {
	const text = String(value ?? '').trim();
	if (text === '') {
		throw new InsightInputError(
			'No insight given',
			"Pick the insight from the list, or give its short ID (the last part of its URL, e.g. AbC123xy), its URL or its numeric ID.",
			'Insight',
		);
	}
	let candidate = text;
	if (/^https?:\/\//i.test(text) || text.includes('/insights/')) {
		const match = /\/insights\/([^/?#]+)/.exec(text);
		if (!match) {
			throw new InsightInputError(
				`"${text}" is not an insight URL`,
				'Open the insight in PostHog and copy its address: it contains /insights/ followed by the short ID, e.g. https://us.posthog.com/project/1/insights/AbC123xy.',
				'Insight',
			);
		}
		candidate = decodeURIComponent(match[1]);
	}
	if (/^\d+$/.test(candidate)) return { id: Number(candidate) };
	if (/^[A-Za-z0-9_-]{1,64}$/.test(candidate)) return { shortId: candidate };
	throw new InsightInputError(
		`"${text}" is not an insight short ID, URL or ID`,
		"Use the short ID from the insight's URL (letters and digits, e.g. AbC123xy), the whole URL, or the numeric insight ID.",
		'Insight',
	);
}

/** What every insight query of a kind must have, beyond its `kind`. */
function checkShape(kind: InsightKind, node: IDataObject, label: string): void {
	const wanted = INSIGHT_KINDS[kind].sourceKind;
	if (kind === 'retention') {
		if (!node.retentionFilter || typeof node.retentionFilter !== 'object') {
			throw new InsightInputError(`${label} has no retentionFilter`, 'A RetentionQuery needs a "retentionFilter" (period, totalIntervals, targetEntity, returningEntity).');
		}
		return;
	}
	if (kind === 'paths') {
		if (!node.pathsFilter || typeof node.pathsFilter !== 'object') {
			throw new InsightInputError(`${label} has no pathsFilter`, 'A PathsQuery needs a "pathsFilter" (for example {"includeEventTypes": ["$pageview"]}).');
		}
		return;
	}
	if (!Array.isArray(node.series) || node.series.length === 0) {
		throw new InsightInputError(`${label} has no series`, `A ${wanted} needs at least one series (events or actions).`);
	}
}

/**
 * The insight query out of a saved insight's `query`, or out of raw JSON: an insight query
 * itself, an InsightVizNode, or a whole insight object (`{query: ...}`). Checks that it is a
 * product-analytics insight of the kind the operation needs; the source is returned unchanged.
 */
export function extractInsightSource(kind: InsightKind, value: unknown, label: string): IDataObject {
	const info = INSIGHT_KINDS[kind];
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new InsightInputError(
			`${label} has no insight query`,
			`Expected a JSON object such as {"kind": "${info.sourceKind}", ...} or an insight's {"kind": "InsightVizNode", "source": {...}}.`,
		);
	}
	let node = value as IDataObject;
	if (node.kind === undefined && node.query && typeof node.query === 'object') node = node.query as IDataObject;
	if (node.kind === 'InsightVizNode') {
		node = (node.source ?? {}) as IDataObject;
	} else if (node.kind === 'DataVisualizationNode' || node.kind === 'DataTableNode' || node.kind === 'HogQLQuery') {
		throw new InsightInputError(
			`${label} is a SQL or table insight (${String(node.kind)}), not a chart insight`,
			"Only PostHog's product analytics charts (kind InsightVizNode: funnels, trends, retention, paths, lifecycle, stickiness) have persons behind their data points. Pick such an insight.",
		);
	}
	const sourceKind = typeof node.kind === 'string' ? node.kind : undefined;
	const wanted = info.sourceKind;
	if (!sourceKind) {
		throw new InsightInputError(
			`${label} has no "kind"`,
			`Expected a ${wanted} (a JSON object with "kind": "${wanted}"), or an InsightVizNode wrapping one.`,
		);
	}
	if (sourceKind !== wanted) {
		const use = operationsForSourceKind(sourceKind);
		throw new InsightInputError(
			`${label} is ${describeSourceKind(sourceKind)}, but ${info.name} needs ${info.label} insight (${wanted})`,
			use.length > 0
				? `Use the operation ${use.join(' (or ')}${use.length > 1 ? ')' : ''} for this insight, or pick ${info.label} insight.`
				: `The node has no persons operation for ${sourceKind}. Pick ${info.label} insight.`,
		);
	}
	checkShape(kind, node, label);
	return node;
}

/** Whether a value equals the example; walks only as deep as the example (any input depth is safe). */
function sameAsExample(value: unknown, example: unknown): boolean {
	if (example === null || typeof example !== 'object') return value === example;
	if (value === null || typeof value !== 'object' || Array.isArray(value) !== Array.isArray(example)) return false;
	const keys = Object.keys(example);
	if (Object.keys(value).length !== keys.length) return false;
	return keys.every((key) => sameAsExample((value as IDataObject)[key], (example as IDataObject)[key]));
}

/** The raw JSON field's query; the untouched example is refused rather than run. */
function rawInsightQuery(ctx: PostHogContext, kind: InsightKind, read: ParameterReader, itemIndex: number): IDataObject {
	const raw = parseJsonParameter<unknown>(ctx.getNode(), read('insightQuery', ''), 'Insight Query (JSON)', itemIndex);
	if (raw === undefined) {
		throw new InsightInputError(
			'Insight Query (JSON) is empty',
			`Paste the insight query (a ${INSIGHT_KINDS[kind].sourceKind}) into Insight Query (JSON).`,
			'Insight Query (JSON)',
		);
	}
	if (sameAsExample(raw, RAW_QUERY_EXAMPLES[kind])) {
		throw new InsightInputError(
			'Insight Query (JSON) still holds the example query',
			`The node does not run the example it shows. Replace it with your insight's query (in PostHog: the insight's "…" menu → "Edit SQL / Show JSON"), or change it to the query you want.`,
			'Insight Query (JSON)',
		);
	}
	return extractInsightSource(kind, raw, 'The Insight Query (JSON)');
}

/**
 * The insight query for one item (or for the panel, when a list is loaded). "Defined in Node"
 * and raw JSON need no request; a saved insight is one `GET insights/`.
 */
export async function resolveInsightSource(
	this: PostHogContext,
	kind: InsightKind,
	read: ParameterReader,
	readDefined: DefinedInsightReader,
	itemIndex = 0,
): Promise<ResolvedInsightSource> {
	const type = read('insightSource', 'saved') as InsightSourceType;
	if (type === 'defined') {
		return {
			source: readDefined(read),
			type,
			origin: 'the insight fields of this node',
			fields: kind === 'retention' || kind === 'paths' ? 'the insight fields and Insight Settings' : 'Steps / Series, Date From, Interval and Insight Settings',
		};
	}
	if (type === 'json') {
		return {
			source: rawInsightQuery(this, kind, read, itemIndex),
			type,
			origin: 'the Insight Query (JSON) field',
			fields: 'Insight Query (JSON)',
		};
	}
	const reference = parseInsightReference(read('insightId', '', { picker: true }));
	const insight = await fetchInsight.call(this, reference, itemIndex);
	const label = `Saved insight "${String(insight.name || insight.derived_name || '(unnamed)')}" (${String(insight.short_id ?? insight.id)})`;
	return {
		source: extractInsightSource(kind, insight.query, label),
		type: 'saved',
		origin: `the query of ${label.charAt(0).toLowerCase()}${label.slice(1)}`,
		fields: 'the insight in PostHog',
		insight: { id: insight.id, short_id: insight.short_id, name: insight.name },
	};
}

/**
 * A saved insight by numeric ID (`insights/{id}/`) or by short ID (the list filtered with
 * `short_id`, `basic=true`: metadata and query only, no results).
 */
async function fetchInsight(this: PostHogContext, reference: InsightReference, itemIndex: number): Promise<IDataObject> {
	if (reference.id !== undefined) {
		const response = await apiRequest.call(this, {
			method: 'GET',
			endpoint: `insights/${reference.id}/`,
			requestClass: 'query',
			idempotent: true,
			itemIndex,
			acceptStatus: [404],
		});
		if (response.statusCode === 404 || response.body.deleted === true) throw notFound(`ID ${reference.id}`);
		return response.body;
	}
	const response = await apiRequest.call(this, {
		method: 'GET',
		endpoint: 'insights/',
		qs: { short_id: reference.shortId, basic: true },
		requestClass: 'query',
		idempotent: true,
		itemIndex,
	});
	const results = ((response.body.results as IDataObject[] | undefined) ?? []).filter(
		(insight) => insight.short_id === reference.shortId && insight.deleted !== true,
	);
	if (results.length === 0) throw notFound(`short ID "${reference.shortId}"`);
	return results[0];
}

function notFound(what: string): InsightInputError {
	return new InsightInputError(
		`No insight with the ${what} in this project`,
		"Check the insight (pick it from the list, or copy its ID from the insight's URL) and the Project ID of the credential: the insight must belong to that project and must not be deleted.",
		'Insight',
	);
}

/** An InsightInputError as the NodeOperationError n8n shows, with the item and the field at fault. */
export function insightInputError(ctx: PostHogContext, error: InsightInputError, itemIndex?: number): NodeOperationError {
	const description = error.field ? `${error.description} (field: ${error.field})` : error.description;
	return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description });
}

/**
 * The value of a data point field (see `DataPointField`): the on-screen field of a defined
 * insight, or Data Point Options of a saved insight or raw JSON; else the top-level field of a
 * workflow made before either existed.
 */
export function dataPointField(read: ParameterReader, spec: DataPointField, fallback: unknown = ''): unknown {
	const filled = (value: unknown) => value !== undefined && value !== null && value !== '';
	const current =
		read('insightSource', 'saved') === 'defined'
			? read(spec.definedName, null)
			: ((read('dataPointOptions', {}) ?? {}) as IDataObject)[spec.field.name];
	if (filled(current)) return current;
	if (spec.legacy) {
		const legacy = read(spec.field.name, null);
		if (filled(legacy)) return legacy;
	}
	return fallback;
}
