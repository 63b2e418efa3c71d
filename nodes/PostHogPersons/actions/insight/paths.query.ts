import type { IDataObject } from 'n8n-workflow';

import type { ParameterReader } from '../../helpers/parameters';
import { InsightInputError, wholeNumber } from './dataPointChecks';
import type { RangeAndFilters } from './definedInsight';
import { addRangeAndFilters, readRangeAndFilters } from './definedInsight';
import type { ActorsQueryOptions, KindQuery } from './kindQuery';
import { actorsQuery } from './kindQuery';

/**
 * Get Paths Persons: `InsightActorsQuery` over a `PathsQuery` whose `pathsFilter` names the
 * node or edge. Node keys are `<step>_<page or event>` with the step counted from 1, e.g.
 * `2_https://example.com/pricing` (the full URL with one trailing slash removed, unless path
 * cleaning rewrites it), exactly as the paths result's `source` / `target`.
 *
 * - reached: `pathEndKey` = persons whose paths reached the node;
 * - continued: `pathStartKey` = persons who went on from the node to any next step;
 * - edge: both = persons who went from one node straight to the next;
 * - droppedOff: `pathDropoffKey` = persons whose path ended at the node.
 *
 * PostHog does not check keys: a key that is not in the insight's paths returns nobody.
 */

export const PATH_PERSONS = ['reached', 'continued', 'droppedOff', 'edge'] as const;

export interface PathsSelector {
	persons: (typeof PATH_PERSONS)[number];
	/** The node (for an edge: where it starts). */
	node: string;
	/** Edge only: the next node. */
	nextNode?: string;
}

const KEY_RE = /^(\d+)_(.+)$/s;

/** A node key, checked: `<step ≥ 1>_<item>`; returns the step. */
function checkKey(key: string | undefined, field: string): number {
	const text = key ?? '';
	const match = KEY_RE.exec(text);
	const step = match ? Number(match[1]) : 0;
	if (!match || step < 1) {
		throw new InsightInputError(
			text.trim() === '' ? `No node given in ${field}` : `"${text}" in ${field} is not a node key of a paths insight`,
			'Pick the node from the list (it shows the nodes of this insight\'s paths), or type its key: the step counted from 1, an underscore and the page or event exactly as in the paths, e.g. 2_https://example.com/pricing.',
			field,
		);
	}
	return step;
}

function check(selector: PathsSelector): void {
	if (!PATH_PERSONS.includes(selector.persons)) {
		throw new InsightInputError(
			`"${String(selector.persons)}" is not a choice of persons`,
			'Choose Reached Node, Continued From Node, Dropped Off at Node or Went Along Edge.',
			'Persons',
		);
	}
	const step = checkKey(selector.node, selector.persons === 'edge' ? 'From Node' : 'Node');
	if (selector.persons === 'edge') {
		const next = checkKey(selector.nextNode, 'To Node');
		if (next !== step + 1) {
			throw new InsightInputError(
				`An edge goes from a node of step N to one of step N+1, but From Node is step ${step} and To Node is step ${next}`,
				`Pick To Node among the nodes of step ${step + 1} (the list shows those that follow From Node).`,
				'To Node',
			);
		}
	}
}

/** The data point as pathsFilter keys. */
export function pathKeys(selector: PathsSelector): IDataObject {
	switch (selector.persons) {
		case 'reached':
			return { pathEndKey: selector.node };
		case 'continued':
			return { pathStartKey: selector.node };
		case 'droppedOff':
			return { pathDropoffKey: selector.node };
		default:
			return { pathStartKey: selector.node, pathEndKey: selector.nextNode };
	}
}

/** The paths insight without any actors keys (a raw JSON query may carry some). */
export function withoutPathKeys(source: IDataObject): IDataObject {
	const pathsFilter = { ...((source.pathsFilter ?? {}) as IDataObject) };
	delete pathsFilter.pathStartKey;
	delete pathsFilter.pathEndKey;
	delete pathsFilter.pathDropoffKey;
	return { ...source, pathsFilter };
}

function build(insight: IDataObject, selector: PathsSelector, options: ActorsQueryOptions): IDataObject {
	const plain = withoutPathKeys(insight);
	const source = { ...plain, pathsFilter: { ...(plain.pathsFilter as IDataObject), ...pathKeys(selector) } };
	const actors: IDataObject = { kind: 'InsightActorsQuery', source };
	// As PostHog's persons modal for paths: most hits first; actor_id makes the order unique.
	return actorsQuery(actors, ['actor', 'event_count'], options, ['event_count DESC', 'actor_id DESC']);
}

export const pathsQuery: KindQuery<PathsSelector> = { check, build };

// ------------------------------------------------------------------ "Defined in Node"

const EVENT_TYPES = ['$pageview', '$screen', 'custom_event'];

export interface DefinedPathsInput extends RangeAndFilters {
	includeEventTypes?: string[];
	startPoint?: string;
	endPoint?: string;
	stepLimit?: number;
	excludeEvents?: string[];
	pathReplacements?: boolean;
}

/** The PathsQuery of the "Defined in Node" fields. */
export function buildPathsQuery(input: DefinedPathsInput): IDataObject {
	const types = input.includeEventTypes ?? [];
	const unknown = types.filter((type) => !EVENT_TYPES.includes(type));
	if (types.length === 0 || unknown.length > 0) {
		throw new InsightInputError(
			types.length === 0 ? 'No event types for the paths' : `"${unknown.join(', ')}" is not a paths event type`,
			'Choose what the paths are made of: page views, screen views and/or custom events.',
			'Event Types',
		);
	}
	const stepLimit = wholeNumber(input.stepLimit ?? 5, 2);
	if (stepLimit === undefined) {
		throw new InsightInputError(
			`Steps must be a whole number of at least 2 (got ${String(input.stepLimit)})`,
			'Set Steps to how many steps of each path to follow, e.g. 5.',
			'Steps',
		);
	}
	const pathsFilter: IDataObject = { includeEventTypes: types, stepLimit };
	const startPoint = String(input.startPoint ?? '').trim();
	const endPoint = String(input.endPoint ?? '').trim();
	if (startPoint !== '') pathsFilter.startPoint = startPoint;
	if (endPoint !== '') pathsFilter.endPoint = endPoint;
	if (input.excludeEvents && input.excludeEvents.length > 0) pathsFilter.excludeEvents = input.excludeEvents;
	if (input.pathReplacements) pathsFilter.pathReplacements = true;
	const query: IDataObject = { kind: 'PathsQuery', pathsFilter };
	addRangeAndFilters(query, input);
	return query;
}

/** Text separated by commas or new lines (or a list from an expression), without empty entries. */
function commaList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[,\n]/);
	return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** Reads the "Defined in Node" fields of Get Paths Persons and builds its PathsQuery. */
export function definedPathsInsight(read: ParameterReader): IDataObject {
	const settings = (read('insightSettings', {}) ?? {}) as IDataObject;
	return buildPathsQuery({
		includeEventTypes: (read('pathEventTypes', ['$pageview']) as string[] | undefined) ?? [],
		startPoint: read('startPoint', '') as string,
		endPoint: settings.endPoint as string | undefined,
		stepLimit: read('stepLimit', 5) as number,
		excludeEvents: commaList(settings.excludeEvents),
		...readRangeAndFilters(read, settings),
		pathReplacements: settings.pathReplacements === true,
	});
}
