// Paths over the sandbox's seeded events, as PostHog's PathsQueryRunner builds them: the PathsQuery result
// (links between nodes) and the persons behind a node or link (InsightActorsQuery over a PathsQuery whose
// pathsFilter carries pathStartKey / pathEndKey / pathDropoffKey).
//
// - Path items: $pageview → $current_url with one trailing "/" removed; $screen → $screen_name; other
//   events → the event name. includeEventTypes picks the events ($pageview, $screen, custom_event = names
//   not starting with "$"; none = all events), excludeEvents drops items or events, localPathCleaningFilters
//   rewrite items (regex → alias), pathGroupings replace items matching a "*" pattern by the pattern.
// - Each person's events are split into sessions after 30 minutes without an event; repeated items in a
//   row are merged; startPoint cuts the path before its first occurrence, endPoint after its first
//   occurrence (keeping the last stepLimit items), otherwise the first stepLimit items are kept.
// - Node keys are `<1-based index>_<item>`; a link goes from the key of index i−1 to that of index i; the
//   drop-off key of a path is the key of its last node.
// - Actors: pathDropoffKey = paths that ended at the node (wins over the others); pathStartKey = links
//   leaving the node; pathEndKey = nodes reached; both = one link. `event_count` counts the matching
//   (path, node) rows of each person; matched_recordings lists their events (paths always compute them).

import type { SandboxEvent, SandboxStore } from '../store';
import { errors } from '../errors';
import { compileQueryFilters, resolveDateRange, type ActorRow, type SourceResult } from './engine';
import { MS } from '../util/time';

type Obj = Record<string, any>;

const SESSION_GAP_MS = 30 * MS.minute;
const DEFAULT_STEP_LIMIT = 5;
const DEFAULT_EDGE_LIMIT = 50;

interface PathNode {
	key: string;
	/** key of the previous node of the path, or null for the first */
	previousKey: string | null;
	event: SandboxEvent;
}

interface PersonPath {
	personId: string;
	nodes: PathNode[];
	dropoffKey: string;
}

function unsupported(message: string): never {
	throw errors.validation(message);
}

function globToRegExp(pattern: string): RegExp {
	return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function pathItem(ev: SandboxEvent, filter: Obj): string {
	let item: string;
	if (ev.event === '$pageview') item = String(ev.properties.$current_url ?? '').replace(/(.)\/$/, '$1');
	else if (ev.event === '$screen') item = String(ev.properties.$screen_name ?? '');
	else item = ev.event;
	for (const cleaning of Array.isArray(filter.localPathCleaningFilters) ? [...filter.localPathCleaningFilters].sort((a: Obj, b: Obj) => (a.order ?? 0) - (b.order ?? 0)) : []) {
		if (typeof cleaning.regex === 'string') item = item.replace(new RegExp(cleaning.regex, 'g'), String(cleaning.alias ?? ''));
	}
	for (const grouping of Array.isArray(filter.pathGroupings) ? filter.pathGroupings : []) {
		if (globToRegExp(String(grouping)).test(item)) return String(grouping);
	}
	return item;
}

function includedEvent(ev: SandboxEvent, types: string[]): boolean {
	if (!types.length) return true;
	if (ev.event === '$pageview') return types.includes('$pageview');
	if (ev.event === '$screen') return types.includes('$screen');
	return types.includes('custom_event') && !ev.event.startsWith('$');
}

/** Every session path of every person, cut and limited as PostHog does. */
export function personPaths(store: SandboxStore, source: Obj, now: number): PersonPath[] {
	if (source.aggregation_group_type_index !== undefined && source.aggregation_group_type_index !== null) {
		unsupported('Group aggregation (aggregation_group_type_index) is not supported by the sandbox: it has no groups.');
	}
	if (source.funnelPathsFilter) unsupported('Funnel paths (funnelPathsFilter) are not supported by the sandbox.');
	const filter = (source.pathsFilter ?? {}) as Obj;
	const types: string[] = Array.isArray(filter.includeEventTypes) ? filter.includeEventTypes : [];
	if (types.includes('hogql')) unsupported('HogQL paths (includeEventTypes "hogql") are not supported by the sandbox.');
	const excluded = new Set<string>(Array.isArray(filter.excludeEvents) ? filter.excludeEvents.map(String) : []);
	const stepLimit = typeof filter.stepLimit === 'number' && filter.stepLimit > 0 ? filter.stepLimit : DEFAULT_STEP_LIMIT;
	const startPoint = typeof filter.startPoint === 'string' && filter.startPoint ? filter.startPoint : null;
	const endPoint = typeof filter.endPoint === 'string' && filter.endPoint ? filter.endPoint : null;
	const range = resolveDateRange(store, source.dateRange, 'day', now);
	const matchQuery = compileQueryFilters(store, source);

	const paths: PersonPath[] = [];
	for (const [personId, evs] of store.eventsByPerson) {
		const person = store.personsByUuid.get(personId);
		let session: Array<{ item: string; event: SandboxEvent }> = [];
		let last = -Infinity;
		const flush = () => {
			if (session.length) paths.push(...limitPath(personId, session, stepLimit, startPoint, endPoint));
			session = [];
		};
		for (const ev of evs) {
			if (ev.timestamp < range.from || ev.timestamp > range.to) continue;
			if (!includedEvent(ev, types) || excluded.has(ev.event) || !matchQuery(ev, person)) continue;
			const item = pathItem(ev, filter);
			if (excluded.has(item)) continue;
			if (ev.timestamp - last > SESSION_GAP_MS) flush();
			last = ev.timestamp;
			if (session.length && session[session.length - 1].item === item) continue; // runs of one item merge
			session.push({ item, event: ev });
		}
		flush();
	}
	return paths;
}

function limitPath(
	personId: string,
	session: Array<{ item: string; event: SandboxEvent }>,
	stepLimit: number,
	startPoint: string | null,
	endPoint: string | null,
): PersonPath[] {
	let path = session;
	if (startPoint !== null) {
		const at = path.findIndex((node) => node.item === startPoint);
		if (at < 0) return [];
		path = path.slice(at);
	}
	if (endPoint !== null) {
		const at = path.findIndex((node) => node.item === endPoint);
		if (at < 0) return [];
		path = path.slice(0, at + 1).slice(-stepLimit);
	} else {
		path = path.slice(0, stepLimit);
	}
	const nodes: PathNode[] = path.map((node, index) => ({
		key: `${index + 1}_${node.item}`,
		previousKey: index === 0 ? null : `${index}_${path[index - 1].item}`,
		event: node.event,
	}));
	return [{ personId, nodes, dropoffKey: nodes[nodes.length - 1].key }];
}

/** The PathsQuery result: links `{source, target, value, average_conversion_time}`, busiest first. */
export function pathsResults(store: SandboxStore, source: Obj, now: number): Obj[] {
	const filter = (source.pathsFilter ?? {}) as Obj;
	const links = new Map<string, { source: string; target: string; value: number; totalMs: number }>();
	for (const path of personPaths(store, source, now)) {
		path.nodes.forEach((node, index) => {
			if (node.previousKey === null) return;
			const id = `${node.previousKey}\u0000${node.key}`;
			const link = links.get(id) ?? { source: node.previousKey, target: node.key, value: 0, totalMs: 0 };
			link.value += 1;
			link.totalMs += node.event.timestamp - path.nodes[index - 1].event.timestamp;
			links.set(id, link);
		});
	}
	const min = typeof filter.minEdgeWeight === 'number' ? filter.minEdgeWeight : -Infinity;
	const max = typeof filter.maxEdgeWeight === 'number' ? filter.maxEdgeWeight : Infinity;
	const limit = typeof filter.edgeLimit === 'number' && filter.edgeLimit > 0 ? filter.edgeLimit : DEFAULT_EDGE_LIMIT;
	return [...links.values()]
		.filter((link) => link.value >= min && link.value <= max)
		.sort((a, b) => b.value - a.value || a.source.localeCompare(b.source) || a.target.localeCompare(b.target))
		.slice(0, limit)
		.map((link) => ({ source: link.source, target: link.target, value: link.value, average_conversion_time: link.totalMs / link.value }));
}

/** The persons behind a node or link (InsightActorsQuery over a PathsQuery). */
export function pathsActors(store: SandboxStore, source: Obj, now: number): SourceResult {
	const filter = (source.pathsFilter ?? {}) as Obj;
	const dropoffKey = typeof filter.pathDropoffKey === 'string' ? filter.pathDropoffKey : null;
	const startKey = typeof filter.pathStartKey === 'string' ? filter.pathStartKey : null;
	const endKey = typeof filter.pathEndKey === 'string' ? filter.pathEndKey : null;
	const matches = (path: PersonPath, node: PathNode): boolean => {
		if (dropoffKey !== null) return path.dropoffKey === dropoffKey && node.key === dropoffKey && node === path.nodes[path.nodes.length - 1];
		if (startKey !== null && node.previousKey !== startKey) return false;
		if (endKey !== null && node.key !== endKey) return false;
		return true;
	};
	const byPerson = new Map<string, ActorRow>();
	for (const path of personPaths(store, source, now)) {
		for (const node of path.nodes) {
			if (!matches(path, node)) continue;
			let row = byPerson.get(path.personId);
			if (!row) {
				row = { uuid: path.personId, eventCount: 0, matchingEvents: [] };
				byPerson.set(path.personId, row);
			}
			row.eventCount = (row.eventCount ?? 0) + 1;
			if ((row.matchingEvents as SandboxEvent[]).length < 100) (row.matchingEvents as SandboxEvent[]).push(node.event);
		}
	}
	return { rows: [...byPerson.values()], extraColumns: new Set(['event_count']), includeRecordings: true };
}
