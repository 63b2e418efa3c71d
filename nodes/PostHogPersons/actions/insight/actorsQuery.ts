import type { IDataObject } from 'n8n-workflow';

import type { FunnelSelector } from './funnel.query';
import { funnelQuery } from './funnel.query';
import type { CorrelationSelector } from './funnelCorrelation.query';
import { funnelCorrelationQuery } from './funnelCorrelation.query';
import type { ActorsQueryOptions, KindQuery } from './kindQuery';
import type { InsightKind } from './kinds';
import type { LifecycleSelector } from './lifecycle.query';
import { lifecycleQuery } from './lifecycle.query';
import type { PathsSelector } from './paths.query';
import { pathsQuery } from './paths.query';
import type { RetentionSelector } from './retention.query';
import { retentionQuery } from './retention.query';
import type { StickinessSelector } from './stickiness.query';
import { stickinessQuery } from './stickiness.query';
import type { TrendsSelector } from './trends.query';
import { trendsQuery } from './trends.query';

/** The data point selector of each insight kind. */
export type SelectorFor = {
	funnel: FunnelSelector;
	funnelCorrelation: CorrelationSelector;
	trends: TrendsSelector;
	lifecycle: LifecycleSelector;
	stickiness: StickinessSelector;
	retention: RetentionSelector;
	paths: PathsSelector;
};

/** Every kind's query module; the type makes a missing kind a compile error. */
export const KIND_QUERIES: { [K in InsightKind]: KindQuery<SelectorFor[K]> } = {
	funnel: funnelQuery,
	funnelCorrelation: funnelCorrelationQuery,
	trends: trendsQuery,
	lifecycle: lifecycleQuery,
	stickiness: stickinessQuery,
	retention: retentionQuery,
	paths: pathsQuery,
};

/** Checks a data point selector before anything is sent (rules that need no insight). */
export function checkSelector<K extends InsightKind>(kind: K, selector: SelectorFor[K]): void {
	(KIND_QUERIES[kind] as KindQuery<SelectorFor[K]>).check(selector);
}

/**
 * The ActorsQuery for one data point of an insight query (without limit/offset, which the
 * paging adds). Checks the selector alone, then against the insight (steps, series, days, ...).
 */
export function buildActorsQuery<K extends InsightKind>(
	kind: K,
	source: IDataObject,
	selector: SelectorFor[K],
	options: ActorsQueryOptions = {},
): IDataObject {
	const query = KIND_QUERIES[kind] as KindQuery<SelectorFor[K]>;
	query.check(selector);
	return query.build(source, selector, options);
}
