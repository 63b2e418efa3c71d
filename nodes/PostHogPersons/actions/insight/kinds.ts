/**
 * The insight kinds the Insight operations cover, defined once: operation value and name, the
 * insight query kind each one reads, how PostHog's insights list filters it, and how to call it
 * in a sentence. The operation list (Insight.resource.ts), error messages, query names and the
 * saved-insight picker all read this table.
 */

interface KindInfo {
	/** Operation value (the `operation` parameter). */
	operation: string;
	/** Operation display name, also the `name` of the query in PostHog's query log. */
	name: string;
	action: string;
	description: string;
	/** The insight query kind (`query.source.kind` of a saved insight). */
	sourceKind: string;
	/** `insight=` filter of PostHog's insights list. */
	listFilter: string;
	/** The insight, in a sentence: "a funnel insight". */
	label: string;
}

export const INSIGHT_KINDS = {
	funnel: {
		operation: 'getFunnelPersons',
		name: 'Get Funnel Persons',
		action: 'Get funnel persons',
		description: 'Persons who converted through or dropped off at a funnel step (or a conversion-over-time point)',
		sourceKind: 'FunnelsQuery',
		listFilter: 'FUNNELS',
		label: 'a funnel',
	},
	funnelCorrelation: {
		operation: 'getFunnelCorrelationPersons',
		name: 'Get Funnel Correlation Persons',
		action: 'Get funnel correlation persons',
		description: "Persons behind a row of a funnel's correlation analysis (an event, event property or person property)",
		sourceKind: 'FunnelsQuery',
		listFilter: 'FUNNELS',
		label: 'a funnel',
	},
	trends: {
		operation: 'getTrendsPersons',
		name: 'Get Trends Persons',
		action: 'Get trends persons',
		description: 'Persons behind one point of a trends insight (series, day, breakdown value)',
		sourceKind: 'TrendsQuery',
		listFilter: 'TRENDS',
		label: 'a trends',
	},
	lifecycle: {
		operation: 'getLifecyclePersons',
		name: 'Get Lifecycle Persons',
		action: 'Get lifecycle persons',
		description: 'New, returning, resurrecting or dormant persons of a lifecycle insight on a day',
		sourceKind: 'LifecycleQuery',
		listFilter: 'LIFECYCLE',
		label: 'a lifecycle',
	},
	stickiness: {
		operation: 'getStickinessPersons',
		name: 'Get Stickiness Persons',
		action: 'Get stickiness persons',
		description: 'Persons active in exactly N intervals of a stickiness insight',
		sourceKind: 'StickinessQuery',
		listFilter: 'STICKINESS',
		label: 'a stickiness',
	},
	retention: {
		operation: 'getRetentionPersons',
		name: 'Get Retention Persons',
		action: 'Get retention persons',
		description: 'Persons of one cohort row of a retention insight, with the intervals they came back in',
		sourceKind: 'RetentionQuery',
		listFilter: 'RETENTION',
		label: 'a retention',
	},
	paths: {
		operation: 'getPathsPersons',
		name: 'Get Paths Persons',
		action: 'Get paths persons',
		description: 'Persons who reached, continued from or dropped off at a node (or passed an edge) of a paths insight',
		sourceKind: 'PathsQuery',
		listFilter: 'PATHS',
		label: 'a paths',
	},
} as const satisfies Record<string, KindInfo>;

export type InsightKind = keyof typeof INSIGHT_KINDS;

export type InsightOperation = (typeof INSIGHT_KINDS)[InsightKind]['operation'];

export const INSIGHT_KIND_NAMES = Object.keys(INSIGHT_KINDS) as InsightKind[];

/** The kind behind an operation value, if it is an Insight operation. */
export function kindOfOperation(operation: string): InsightKind | undefined {
	return INSIGHT_KIND_NAMES.find((kind) => INSIGHT_KINDS[kind].operation === operation);
}

/** The operations that read insights of a query kind, for "use the operation … instead". */
export function operationsForSourceKind(sourceKind: string): string[] {
	return INSIGHT_KIND_NAMES.filter((kind) => INSIGHT_KINDS[kind].sourceKind === sourceKind).map(
		(kind) => INSIGHT_KINDS[kind].name,
	);
}

/** The insight kind as a word: "funnel", "trends". */
export function kindNoun(kind: InsightKind): string {
	return INSIGHT_KINDS[kind].label.replace(/^an? /, '');
}

/** "Funnel", "Trends", … for an insight query kind; other query kinds as they are. */
export function sourceKindTitle(sourceKind: string): string {
	const kind = INSIGHT_KIND_NAMES.find((candidate) => INSIGHT_KINDS[candidate].sourceKind === sourceKind);
	if (!kind) return sourceKind;
	const noun = kindNoun(kind);
	return noun.charAt(0).toUpperCase() + noun.slice(1);
}

/** "a funnel insight (FunnelsQuery)", or "a XyzQuery" for kinds the node has no operation for. */
export function describeSourceKind(sourceKind: string): string {
	const kind = INSIGHT_KIND_NAMES.find((candidate) => INSIGHT_KINDS[candidate].sourceKind === sourceKind);
	return kind ? `${INSIGHT_KINDS[kind].label} insight (${sourceKind})` : `a ${sourceKind}`;
}

/** PostHog's breakdown buckets for "none" and "other" (labels PostHog adds to results). */
export const BREAKDOWN_NULL = '$$_posthog_breakdown_null_$$';
export const BREAKDOWN_OTHER = '$$_posthog_breakdown_other_$$';
