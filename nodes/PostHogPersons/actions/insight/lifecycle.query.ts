import type { IDataObject } from 'n8n-workflow';

import { InsightInputError, checkDay } from './dataPointChecks';
import type { KindQuery } from './kindQuery';
import { actorsQuery } from './kindQuery';

/**
 * Get Lifecycle Persons: `InsightActorsQuery` over a `LifecycleQuery` with a status and any
 * date inside the period of the bar (PostHog truncates it to the period start).
 */

export const LIFECYCLE_STATUSES = ['new', 'returning', 'resurrecting', 'dormant'] as const;

export interface LifecycleSelector {
	status: string;
	day?: string;
}

function check(selector: LifecycleSelector): void {
	if (!(LIFECYCLE_STATUSES as readonly string[]).includes(selector.status)) {
		throw new InsightInputError(
			`"${String(selector.status)}" is not a lifecycle status`,
			`Use one of: ${LIFECYCLE_STATUSES.join(', ')}.`,
			'Status',
		);
	}
	if (checkDay(selector.day, 'Day', '2024-01-15') === undefined) {
		throw new InsightInputError(
			'No day given',
			'Fill in Day with a date of the period whose bar you would click in PostHog, e.g. 2024-01-15 (any time inside the period works).',
			'Day',
		);
	}
}

function build(source: IDataObject, selector: LifecycleSelector): IDataObject {
	return actorsQuery({ kind: 'InsightActorsQuery', source, day: (selector.day ?? '').trim(), status: selector.status }, ['actor'], {});
}

export const lifecycleQuery: KindQuery<LifecycleSelector> = { check, build };
