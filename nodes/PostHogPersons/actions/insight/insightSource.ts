import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { buildPropertyFilters } from '../../helpers/filters';
import { parseJsonParameter } from '../../helpers/validation';
import { apiRequest } from '../../transport';
import type { DefinedInsightInput, InsightKind, SeriesInput } from './queryBuilder';
import { InsightInputError, buildInsightQuery, extractInsightSource } from './queryBuilder';

/**
 * Where the insight of an Insight operation comes from, resolved to its insight query:
 * a saved insight (`GET insights/`, scope insight:read), the "Defined in Node" fields, or the
 * raw JSON field. `origin` says which, for error messages.
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

/**
 * A saved insight from what a user pastes: a short ID (`AbC123xy`), a numeric ID, or an
 * insight URL (`https://us.posthog.com/project/1/insights/AbC123xy`, also `/edit`, `?…`, `#…`).
 */
export function parseInsightReference(value: unknown): InsightReference {
	const text = String(value ?? '').trim();
	if (text === '') {
		throw new InsightInputError(
			'No insight given',
			'Fill in Insight with the insight\'s short ID (the last part of its URL, e.g. AbC123xy), its URL or its numeric ID.',
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
		'Use the short ID from the insight\'s URL (letters and digits, e.g. AbC123xy), the whole URL, or the numeric insight ID.',
		'Insight',
	);
}

/** The typed "Defined in Node" fields of one item. */
export function readDefinedInsight(ctx: IExecuteFunctions, itemIndex: number, kind: InsightKind): DefinedInsightInput {
	const seriesCollection = ctx.getNodeParameter('insightSeries', itemIndex, {}) as IDataObject;
	const series = ((seriesCollection.entry as IDataObject[] | undefined) ?? []).map(
		(entry): SeriesInput => ({
			type: entry.type === 'action' ? 'action' : 'event',
			event: entry.event as string | undefined,
			actionId: entry.actionId as number | undefined,
			math: entry.math as string | undefined,
		}),
	);
	const settings = ctx.getNodeParameter('insightSettings', itemIndex, {}) as IDataObject;
	const funnelVizType =
		kind === 'funnel' ? (ctx.getNodeParameter('funnelVizType', itemIndex, 'steps') as string) : undefined;
	const usesInterval = kind !== 'funnelCorrelation' && (kind !== 'funnel' || funnelVizType === 'trends');
	return {
		series,
		dateFrom: ctx.getNodeParameter('dateFrom', itemIndex, '') as string,
		dateTo: settings.dateTo as string | undefined,
		interval: usesInterval ? (ctx.getNodeParameter('interval', itemIndex, 'day') as string) : undefined,
		properties: buildPropertyFilters(settings.propertyFilters as IDataObject | undefined, 'event'),
		filterTestAccounts: settings.filterTestAccounts === true,
		breakdownProperty: settings.breakdownProperty as string | undefined,
		breakdownType: settings.breakdownType as string | undefined,
		compare: settings.compare === true,
		totalValue: settings.totalValue === true,
		funnelVizType,
		funnelOrderType: settings.funnelOrderType as string | undefined,
		funnelWindowInterval: settings.funnelWindowInterval as number | undefined,
		funnelWindowIntervalUnit: settings.funnelWindowIntervalUnit as string | undefined,
	};
}

/**
 * The insight query for one item. "Defined in Node" and raw JSON need no request; a saved
 * insight is looked up with `basic=true` (metadata and query only, no results).
 */
export async function resolveInsightSource(
	this: IExecuteFunctions,
	kind: InsightKind,
	itemIndex: number,
): Promise<ResolvedInsightSource> {
	const type = this.getNodeParameter('insightSource', itemIndex, 'saved') as InsightSourceType;
	if (type === 'defined') {
		return {
			source: buildInsightQuery(kind, readDefinedInsight(this, itemIndex, kind)),
			type,
			origin: 'the insight fields of this node',
			fields: 'Steps / Series, Date From, Interval and Insight Settings',
		};
	}
	if (type === 'json') {
		const raw = parseJsonParameter<unknown>(
			this.getNode(),
			this.getNodeParameter('insightQuery', itemIndex, ''),
			'Insight Query (JSON)',
			itemIndex,
		);
		return {
			source: extractInsightSource(kind, raw, 'The Insight Query (JSON)'),
			type,
			origin: 'the Insight Query (JSON) field',
			fields: 'Insight Query (JSON)',
		};
	}
	const reference = parseInsightReference(this.getNodeParameter('insightId', itemIndex, ''));
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

async function fetchInsight(this: IExecuteFunctions, reference: InsightReference, itemIndex: number): Promise<IDataObject> {
	if (reference.id !== undefined) {
		const response = await apiRequest.call(this, {
			method: 'GET',
			endpoint: `insights/${reference.id}/`,
			qs: { basic: true },
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
		'Check the insight ID (copy it from the insight\'s URL) and the Project ID of the credential: the insight must belong to that project and must not be deleted.',
		'Insight',
	);
}
