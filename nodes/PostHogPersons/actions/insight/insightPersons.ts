import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { IdSet } from '../../helpers/idSet';
import { forEachItem, withItemIndex } from '../../helpers/items';
import { emitRecordPages, outputFormat } from '../../helpers/output';
import type { ParameterReader } from '../../helpers/parameters';
import type { Progress, RecordPage } from '../../helpers/recordPages';
import { concatPages, finishPage, limitReached, upToLimit } from '../../helpers/recordPages';
import { itemParameters, pageSizeOption, readLimit } from '../../helpers/parameters';
import type { ShiftCheckStats } from '../../helpers/shiftCheck';
import { newShiftCheckStats, SHIFT_WINDOWS, slidRows } from '../../helpers/shiftCheck';
import { queryPages } from '../../transport';
import { actorIdOf, actorRecords, actorRowsToRecords, isMissingActor } from './actorRows';
import type { SelectorFor } from './actorsQuery';
import { buildActorsQuery, checkSelector } from './actorsQuery';
import { InsightInputError } from './dataPointChecks';
import type { DefinedInsightReader, ResolvedInsightSource } from './insightSource';
import { insightInputError, resolveInsightSource } from './insightSource';
import type { InsightKind } from './kinds';
import { INSIGHT_KINDS } from './kinds';

/**
 * The run of every Insight operation, per input item:
 * 1. read and check the data point (no request yet);
 * 2. resolve the insight query (saved insight: one GET; others: no request);
 * 3. build the ActorsQuery and check the data point against the insight (steps, series, ...);
 * 4. page through `POST query/` (transport queryAllPages) and emit one item per person, or a CSV.
 */

/** What an Insight operation adds to the shared run: how it reads its data point and its defined insight. */
export interface InsightOperationSpec<K extends InsightKind> {
	kind: K;
	readSelector(read: ParameterReader): SelectorFor[K];
	readDefined: DefinedInsightReader;
	/** A notice for a data point without persons (when an empty answer usually means a wrong input). */
	emptyHint?(selector: SelectorFor[K]): string;
}

/** Selector fields PostHog may name in a rejection, and the node field each comes from. */
const SELECTOR_FIELDS: Array<[RegExp, string]> = [
	[/\bfunnelStep\b/, 'Data Point / Step'],
	[/\bfunnelStepBreakdown\b/, 'Breakdown Value'],
	[/\bfunnelTrends(DropOff|EntrancePeriodStart)\b/, 'Data Point / Entrance Period Start'],
	[/\bfunnelCorrelationPersonEntity\b/, 'Correlated Event / Event Property'],
	[/\bfunnelCorrelationPropertyValues\b/, 'Person Properties'],
	[/\bfunnelCorrelationPersonConverted\b/, 'Persons'],
	[/\bpath(Start|End|Dropoff)Key\b/, 'Node / To Node'],
	[/\bday\b/, 'Day / Active Intervals'],
	[/\bstatus\b/, 'Status'],
	[/\bcompare\b/, 'Period'],
	[/\bbreakdown\b/, 'Breakdown Value'],
];

const SOURCE_MARKERS = /\b(FunnelsQuery|TrendsQuery|LifecycleQuery|StickinessQuery|RetentionQuery|PathsQuery|EventsNode|ActionsNode|series|dateRange|date_from|date_to|breakdownFilter|funnelsFilter|trendsFilter|retentionFilter|pathsFilter|targetEntity|returningEntity|properties|interval)\b/;

/** The data point part of an ActorsQuery (its source without the insight query), for messages. */
function selectorPart(query: IDataObject): IDataObject {
	const strip = (node: IDataObject): IDataObject => {
		const copy: IDataObject = { ...node };
		const inner = copy.source as IDataObject | undefined;
		if (inner && typeof inner === 'object') {
			copy.source = String(inner.kind).endsWith('ActorsQuery') || inner.kind === 'FunnelCorrelationQuery'
				? strip(inner)
				: `<${String(inner.kind)}>`;
		}
		return copy;
	};
	return strip((query.source ?? {}) as IDataObject);
}

/** Adds to a 400 from PostHog which part of the query is likely at fault. */
export function explainRejection(error: NodeApiError, query: IDataObject, resolved: ResolvedInsightSource): void {
	const text = `${error.message} ${String((error.context?.data as IDataObject | undefined)?.detail ?? '')}`;
	const selectorFields = SELECTOR_FIELDS.filter(([pattern]) => pattern.test(text)).map(([, field]) => field);
	const inSource = SOURCE_MARKERS.test(text);
	const sourceHint = `the insight query (${resolved.origin}; check ${resolved.fields})`;
	let blame: string;
	if (selectorFields.length > 0 && !inSource) blame = `the data point: check ${[...new Set(selectorFields)].join(', ')}`;
	else if (inSource && selectorFields.length === 0) blame = sourceHint;
	else blame = `the data point fields or ${sourceHint}`;
	const lines = [
		`PostHog rejected the persons query. The part at fault is most likely ${blame}.`,
		`Data point sent: ${JSON.stringify(selectorPart(query))}`,
	];
	error.description = [lines.join('\n'), error.description].filter(Boolean).join('\n');
}

export async function executeInsightPersons<K extends InsightKind>(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	spec: InsightOperationSpec<K>,
): Promise<INodeExecutionData[]> {
	const { kind } = spec;
	const operationName = INSIGHT_KINDS[kind].name;
	return await forEachItem.call(this, items, async (itemIndex) => {
		const read = itemParameters(this, itemIndex);
		const limit = readLimit(this, itemIndex);
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const pageSize = pageSizeOption(options);

		let query: IDataObject;
		let resolved: ResolvedInsightSource;
		let selector: SelectorFor[K];
		try {
			selector = spec.readSelector(read);
			checkSelector(kind, selector);
			resolved = await resolveInsightSource.call(this, kind, read, spec.readDefined, itemIndex);
			query = buildActorsQuery(kind, resolved.source, selector, {
				includeRecordings: options.includeRecordings === true,
			});
		} catch (error) {
			if (error instanceof InsightInputError) throw insightInputError(this, error, itemIndex);
			throw withItemIndex(this, error, itemIndex);
		}

		// pages as they arrive: a CSV file is written page by page, never all rows at once
		const seen = new IdSet();
		const shiftCheck = newShiftCheckStats();
		let rowCount = 0;
		let missingActorsCount = 0;
		async function* pages(this: IExecuteFunctions): AsyncGenerator<RecordPage> {
			const paging = {
				pageSize,
				refresh: options.bypassCache === true ? 'force_blocking' : 'blocking',
				itemIndex,
				name: `n8n: ${operationName}`,
			};
			const rows = queryPages.call(this, query, {
				...paging,
				maxRows: limit,
				// every page but the first from one row earlier: the shift check (helpers/shiftCheck.ts)
				overlap: true,
				// item output: speed over memory (see QueryPageOptions.readAhead); CSV: one page at a time
				readAhead: outputFormat(this, itemIndex) === 'items',
			});
			const progress: Progress = { emitted: 0, max: limit };
			for await (const page of rows) {
				const keyOf = actorIdOf(page.columns);
				// persons that slid onto the previous page (persons left the data point meanwhile), ahead of this one
				const slid = keyOf ? await slidRows.call(this, query, paging, page, keyOf, seen, shiftCheck) : [];
				const recovered = actorRowsToRecords(page.columns, slid, seen);
				shiftCheck.recovered += recovered.records.length;
				missingActorsCount += recovered.missing;
				rowCount += page.rows.length;
				const listed = { missing: 0, duplicates: 0 };
				const records = upToLimit(concatPages(recovered.records, actorRecords(page.columns, page.rows, seen, listed)), progress);
				yield records;
				finishPage(records);
				// PostHog's count covers the overlap row too (already counted with its own page)
				const overlapMissing = page.overlap && isMissingActor(page.columns, page.overlap) ? 1 : 0;
				missingActorsCount += Math.max(0, page.missingActorsCount - overlapMissing) || listed.missing;
				if (limitReached(progress)) return;
			}
		}
		const fileBase = `posthog-${operationName.toLowerCase().replace(/^get /, '').replace(/\s+/g, '-')}`;
		let output: INodeExecutionData[];
		try {
			output = await emitRecordPages(this, itemIndex, pages.call(this), fileBase, () => ({
				missing_actors_count: missingActorsCount,
				shiftCheck: { ...shiftCheck },
				...(resolved.insight ? { insight: resolved.insight } : {}),
			}));
		} catch (error) {
			if (error instanceof NodeApiError && error.httpCode === '400') explainRejection(error, query, resolved);
			throw withItemIndex(this, error, itemIndex);
		}

		if (rowCount === 0 && spec.emptyHint) {
			this.addExecutionHints({ message: spec.emptyHint(selector), type: 'info', location: 'outputPane' });
		}
		if (shiftCheck.unproven > 0) addShiftWarning(this, shiftCheck);
		if (missingActorsCount > 0) {
			this.addExecutionHints({
				message: `${missingActorsCount} of the persons behind this data point no longer exist in PostHog (deleted after their events); they are output with their ID only.`,
				type: 'info',
				location: 'outputPane',
			});
		}
		return output;
	});
}

function addShiftWarning(ctx: IExecuteFunctions, shiftCheck: ShiftCheckStats) {
	ctx.addExecutionHints({
		type: 'warning',
		location: 'outputPane',
		message: `Persons left this data point while the node paged through PostHog's Query API (they converted, or their events were deleted): ${shiftCheck.shiftedPages} page(s) started after persons not yet output, and ${shiftCheck.unproven} of them could not be proven complete after ${SHIFT_WINDOWS} re-reads each, so persons may be missing. ${shiftCheck.recovered} person(s) were found again and output. Raise Page Size (up to 50,000 persons are read at once) or run the operation again.`,
	});
}
