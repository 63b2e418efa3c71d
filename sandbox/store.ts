// In-memory state of one sandbox project. Tests may read and mutate it directly (see sandbox/README.md).

import { hash32, formatUuid, uuidFromName } from './util/prng';
import { matchesPersonFilters, type PropertyFilterLike } from './query/filters';

export interface SandboxPerson {
	/** integer primary key (what retrieve returns as `id`) */
	id: number;
	uuid: string;
	/** in creation order (PostHog's PersonDistinctId order); retrieve sorts non-anonymous ids first */
	distinctIds: string[];
	/** current properties; replace the object (copy-on-write) rather than mutating it, see setPersonProperties */
	properties: Record<string, unknown>;
	createdAt: number;
	lastSeenAt: number | null;
	isIdentified: boolean;
	/** set on generated persons: index used to regenerate their seeded property history */
	seedIndex?: number;
}

export interface PropertyHistoryEntry {
	timestamp: number;
	op: '$set' | '$set_once' | '$unset';
	/** `$set`/`$set_once`: the properties; `$unset`: list of keys */
	properties: Record<string, unknown> | string[];
	/** 'seed' for generated history, 'api' for writes made through the sandbox API, 'test' for store helpers */
	source: 'seed' | 'api' | 'test';
}

export class SandboxEvent {
	constructor(
		/** global sequence number (stable for a given seed and options) */
		readonly index: number,
		readonly event: string,
		public distinctId: string,
		/** person UUID the event belongs to; can point to a deleted person (the event then has a "missing" actor) */
		public personId: string,
		/** epoch ms */
		readonly timestamp: number,
		/** shared, frozen objects — never mutate */
		readonly properties: Readonly<Record<string, unknown>>,
		/** per-person session number */
		readonly sessionNo: number,
		private readonly seed: number,
	) {}

	get uuid(): string {
		let hex = '';
		for (let i = 0; i < 4; i++) hex += hash32(`${this.seed}:event:${this.index}`, i).toString(16).padStart(8, '0');
		return formatUuid(hex, 4);
	}

	get sessionId(): string {
		let hex = this.timestamp.toString(16).padStart(12, '0').slice(-12);
		for (let i = 0; i < 3; i++) hex += hash32(`${this.seed}:session:${this.personId}:${this.sessionNo}`, i).toString(16).padStart(8, '0');
		return formatUuid(hex.slice(0, 32), 7);
	}
}

export interface SandboxCohort {
	id: number;
	name: string;
	description: string;
	/** PostHog cohort filter JSON, e.g. {properties: {type: 'OR', values: [{type: 'AND', values: [...]}]}} */
	filters: { properties: { type: 'AND' | 'OR'; values: { type: 'AND' | 'OR'; values: PropertyFilterLike[] }[] } } | null;
	isStatic: boolean;
	/** members of a static cohort (person UUIDs) */
	staticMembers: Set<string>;
	deleted: boolean;
	createdAt: number;
}

export interface ActionStep {
	event: string | null;
	url?: string;
	url_matching?: 'contains' | 'exact' | 'regex';
	properties?: PropertyFilterLike[];
}

export interface SandboxAction {
	id: number;
	name: string;
	steps: ActionStep[];
}

export interface SandboxInsight {
	id: number;
	short_id: string;
	name: string;
	description: string;
	query: Record<string, unknown>;
	created_at: number;
	last_modified_at: number;
	deleted: boolean;
	favorited: boolean;
	tags: string[];
}

export interface ActivityLogEntry {
	id: string;
	user: { first_name: string; email: string | null; is_system?: boolean };
	activity: string;
	scope: 'Person';
	/** the person's integer id, as a string (ActivityLog.item_id is a CharField) */
	item_id: string;
	detail: Record<string, unknown>;
	created_at: number;
}

export interface AsyncDeletionRow {
	/** person UUID (AsyncDeletion.key) */
	person_uuid: string;
	created_at: number;
	delete_verified_at: number | null;
	/** the key that requested it */
	requestedBy: string | null;
}

export interface StoreSettings {
	/** how many GET polls of an async query answer 202 (running) before it completes */
	asyncQueryPolls: number;
	/** real ms after which a queued event deletion is processed (events removed, row completed); <0 = never */
	eventDeletionDelayMs: number;
	/** real ms after which persons queued by bulk_delete in 'queued' mode are removed */
	queuedDeletionDelayMs: number;
	/** how long a blocking query result is served from cache (real ms), if the store has not changed */
	queryCacheTtlMs: number;
}

export interface AsyncQueryRecord {
	id: string;
	teamId: number;
	startedAt: number;
	polls: number;
	/** the full query response once computed */
	response: Record<string, unknown> | null;
	/** a failure: 400-style (with message) or 500-style (message null) */
	error: { status: number; message: string | null } | null;
	insightId: number | null;
}

export interface SandboxUser {
	first_name: string;
	email: string;
}

export class SandboxStore {
	readonly personsByUuid = new Map<string, SandboxPerson>();
	readonly personsById = new Map<number, SandboxPerson>();
	private distinctIdIndex: Map<string, SandboxPerson> | null = null;
	/** how many times each person UUID was deleted */
	readonly deletionCounts = new Map<string, number>();
	/** person UUIDs whose deletion always fails (listed in deletion_errors; a single DELETE answers 503) */
	readonly refusedDeletions = new Set<string>();
	/** distinct ids of deleted persons (distinct id -> deleted person UUID) until reset_person_distinct_id */
	readonly deletedDistinctIds = new Map<string, string>();
	/** reset_person_distinct_id calls, in order */
	readonly distinctIdResets: { distinctId: string; at: number; wasDeleted: boolean }[] = [];
	/** all events, in generation order; replaced (not mutated in place) when events are removed */
	events: SandboxEvent[] = [];
	readonly eventsByPerson = new Map<string, SandboxEvent[]>();
	readonly cohorts: SandboxCohort[] = [];
	readonly actions: SandboxAction[] = [];
	readonly insights: SandboxInsight[] = [];
	/** activity log, oldest first */
	readonly activity: ActivityLogEntry[] = [];
	/** AsyncDeletion rows (event deletions), oldest first */
	readonly asyncDeletions: AsyncDeletionRow[] = [];
	/** pending (not yet verified) row per person UUID, so queueing stays O(1) for big bulk deletes */
	private readonly pendingDeletions = new Map<string, AsyncDeletionRow>();
	/** queued recording deletions (no API exposes them; kept for assertions) */
	readonly recordingDeletions: { person_uuid: string; created_at: number }[] = [];
	/** property writes per person UUID made after seeding (API writes, store helpers); see propertyHistory() */
	readonly propertyHistoryByUuid = new Map<string, PropertyHistoryEntry[]>();
	/** async query statuses by query id (POST /query/ with refresh async/force_async) */
	readonly asyncQueries = new Map<string, AsyncQueryRecord>();
	/** blocking-query cache (cache key -> response and store version) */
	readonly queryCache = new Map<string, { version: number; computedAtReal: number; lastRefresh: number; response: Record<string, unknown> }>();
	/** regenerates the seeded property history of a generated person (set by seeding) */
	seedHistoryProvider: ((person: SandboxPerson) => PropertyHistoryEntry[]) | null = null;
	/** test-account filters of the project (used by filterTestAccounts) */
	testAccountFilters: PropertyFilterLike[] = [];
	readonly settings: StoreSettings = {
		asyncQueryPolls: 2,
		eventDeletionDelayMs: 2000,
		queuedDeletionDelayMs: 250,
		queryCacheTtlMs: 60_000,
	};
	/** bumped on every change; query caches use it */
	version = 0;
	/** bumped when persons are added or removed (the list order cache uses it); see touchPersons() */
	personsVersion = 0;
	nextPersonId = 1;
	private nextEventIndex = 0;
	private activitySeq = 0;
	private readonly timers = new Set<NodeJS.Timeout>();
	private deletionTimerPending = false;
	private cohortCache: { version: number; members: Map<number, Set<string>> } | null = null;

	constructor(
		readonly projectId: number,
		readonly seed: number,
		/** sandbox clock anchor (epoch ms) */
		private readonly anchor: number,
		private readonly realStart: number = Date.now(),
	) {}

	/** The sandbox clock: the `now` option plus the real time elapsed since start. */
	now(): number {
		return this.anchor + (Date.now() - this.realStart);
	}

	touch(): void {
		this.version++;
	}

	/** Call after changing a person's createdAt (or uuid) directly, so the list order is recomputed. */
	touchPersons(): void {
		this.personsVersion++;
		this.version++;
	}

	// ---------------------------------------------------------------- persons

	/** Live persons by distinct id (built on first use, then kept up to date). */
	get personsByDistinctId(): Map<string, SandboxPerson> {
		if (!this.distinctIdIndex) {
			const index = new Map<string, SandboxPerson>();
			for (const person of this.personsByUuid.values()) for (const did of person.distinctIds) index.set(did, person);
			this.distinctIdIndex = index;
		}
		return this.distinctIdIndex;
	}

	/** All live persons, by integer id. */
	get persons(): SandboxPerson[] {
		return [...this.personsById.values()];
	}

	/** Look up by integer id (number or numeric string) or UUID. */
	getPerson(idOrUuid: string | number): SandboxPerson | undefined {
		if (typeof idOrUuid === 'number') return this.personsById.get(idOrUuid);
		const s = String(idOrUuid).trim();
		if (/^-?\d+$/.test(s)) return this.personsById.get(Number(s));
		return this.personsByUuid.get(s.toLowerCase());
	}

	findByDistinctId(distinctId: string): SandboxPerson | undefined {
		return this.personsByDistinctId.get(distinctId);
	}

	/** Adds a person (tests may use this). Missing fields get deterministic defaults. */
	createPerson(input: {
		distinctIds: string[];
		properties?: Record<string, unknown>;
		uuid?: string;
		createdAt?: number;
		isIdentified?: boolean;
		id?: number;
	}): SandboxPerson {
		const id = input.id ?? this.nextPersonId;
		this.nextPersonId = Math.max(this.nextPersonId, id + 1);
		const person: SandboxPerson = {
			id,
			uuid: (input.uuid ?? uuidFromName(`${this.seed}:person:${this.projectId}:${id}`)).toLowerCase(),
			distinctIds: [...input.distinctIds],
			properties: { ...(input.properties ?? {}) },
			createdAt: input.createdAt ?? this.now(),
			lastSeenAt: null,
			isIdentified: input.isIdentified ?? false,
		};
		this.insertPerson(person);
		this.propertyHistoryByUuid.set(person.uuid, [
			{ timestamp: person.createdAt, op: '$set', properties: person.properties, source: 'test' },
		]);
		this.touch();
		return person;
	}

	/** Low-level insert used by seeding (no history, no version bump). */
	insertPerson(person: SandboxPerson): void {
		this.personsByUuid.set(person.uuid, person);
		this.personsById.set(person.id, person);
		if (this.distinctIdIndex) for (const did of person.distinctIds) this.distinctIdIndex.set(did, person);
		if (person.id >= this.nextPersonId) this.nextPersonId = person.id + 1;
		this.personsVersion++;
	}

	/** `$set` semantics: listed keys change, nothing is removed. Appends to the property history. */
	setPersonProperties(person: SandboxPerson, props: Record<string, unknown>, source: PropertyHistoryEntry['source'] = 'test', at = this.now()): void {
		person.properties = { ...person.properties, ...props };
		this.appendHistory(person.uuid, { timestamp: at, op: '$set', properties: { ...props }, source });
		this.touch();
	}

	/** `$unset` semantics. */
	unsetPersonProperties(person: SandboxPerson, keys: string[], source: PropertyHistoryEntry['source'] = 'test', at = this.now()): void {
		const next = { ...person.properties };
		for (const k of keys) delete next[k];
		person.properties = next;
		this.appendHistory(person.uuid, { timestamp: at, op: '$unset', properties: [...keys], source });
		this.touch();
	}

	appendHistory(uuid: string, entry: PropertyHistoryEntry): void {
		let list = this.propertyHistoryByUuid.get(uuid);
		if (!list) {
			list = [];
			this.propertyHistoryByUuid.set(uuid, list);
		}
		list.push(entry);
	}

	/** Property writes for a person (seeded history + writes made since), oldest first. */
	propertyHistory(uuid: string): PropertyHistoryEntry[] {
		const person = this.personsByUuid.get(uuid);
		const seeded = person && this.seedHistoryProvider ? this.seedHistoryProvider(person) : [];
		return [...seeded, ...(this.propertyHistoryByUuid.get(uuid) ?? [])]
			.map((e, i) => ({ e, i }))
			.sort((a, b) => a.e.timestamp - b.e.timestamp || a.i - b.i)
			.map((x) => x.e);
	}

	/** Removes a person (its events stay, as in ClickHouse). Increments deletionCounts. */
	deletePerson(uuid: string): boolean {
		const person = this.personsByUuid.get(uuid);
		if (!person) return false;
		this.personsByUuid.delete(uuid);
		this.personsById.delete(person.id);
		for (const did of person.distinctIds) {
			if (this.personsByDistinctId.get(did) === person) this.personsByDistinctId.delete(did);
			this.deletedDistinctIds.set(did, uuid);
		}
		this.deletionCounts.set(uuid, (this.deletionCounts.get(uuid) ?? 0) + 1);
		this.personsVersion++;
		this.touch();
		return true;
	}

	// ---------------------------------------------------------------- events

	/** Appends an event (tests may use this). Updates the person's last_seen_at. */
	addEvent(input: {
		event: string;
		distinctId: string;
		timestamp?: number;
		properties?: Record<string, unknown>;
		personId?: string;
		sessionNo?: number;
	}): SandboxEvent {
		const person = input.personId ? this.personsByUuid.get(input.personId) : this.personsByDistinctId.get(input.distinctId);
		const personId = input.personId ?? person?.uuid;
		if (!personId) throw new Error(`addEvent: no person for distinct id ${input.distinctId}`);
		const ev = new SandboxEvent(
			this.nextEventIndex++,
			input.event,
			input.distinctId,
			personId,
			input.timestamp ?? this.now(),
			Object.freeze({ ...(input.properties ?? {}) }),
			input.sessionNo ?? 0,
			this.seed,
		);
		this.pushEvent(ev);
		if (person && (person.lastSeenAt === null || ev.timestamp > person.lastSeenAt)) person.lastSeenAt = ev.timestamp;
		this.touch();
		return ev;
	}

	/** Low-level append used by seeding (keeps per-person lists sorted by timestamp). */
	pushEvent(ev: SandboxEvent): void {
		this.events.push(ev);
		let list = this.eventsByPerson.get(ev.personId);
		if (!list) {
			list = [];
			this.eventsByPerson.set(ev.personId, list);
		}
		if (list.length && list[list.length - 1].timestamp > ev.timestamp) {
			let i = list.length;
			while (i > 0 && list[i - 1].timestamp > ev.timestamp) i--;
			list.splice(i, 0, ev);
		} else list.push(ev);
	}

	/** Low-level bulk append of one person's events, already sorted by timestamp (seeding). */
	pushPersonEvents(personUuid: string, evs: SandboxEvent[]): void {
		if (this.eventsByPerson.has(personUuid)) {
			for (const ev of evs) this.pushEvent(ev);
			return;
		}
		for (const ev of evs) this.events.push(ev);
		this.eventsByPerson.set(personUuid, evs);
	}

	allocateEventIndex(): number {
		return this.nextEventIndex++;
	}

	/** Removes the events of the given persons captured before `before` (epoch ms). Returns how many. */
	removeEventsOfPersons(personUuids: Set<string>, before = Infinity): number {
		let removed = 0;
		for (const uuid of personUuids) {
			const list = this.eventsByPerson.get(uuid);
			if (!list) continue;
			const keep = list.filter((e) => e.timestamp >= before);
			removed += list.length - keep.length;
			if (keep.length) this.eventsByPerson.set(uuid, keep);
			else this.eventsByPerson.delete(uuid);
		}
		if (removed) {
			this.events = this.events.filter((e) => !(personUuids.has(e.personId) && e.timestamp < before));
			this.touch();
		}
		return removed;
	}

	/** Moves events of a distinct id to another person (used by split). */
	reassignEvents(distinctIds: Set<string>, fromUuid: string, toUuid: string): void {
		const list = this.eventsByPerson.get(fromUuid);
		if (!list) return;
		const moved: SandboxEvent[] = [];
		const kept: SandboxEvent[] = [];
		for (const e of list) (distinctIds.has(e.distinctId) ? moved : kept).push(e);
		if (!moved.length) return;
		this.eventsByPerson.set(fromUuid, kept);
		for (const e of moved) {
			e.personId = toUuid;
			let target = this.eventsByPerson.get(toUuid);
			if (!target) {
				target = [];
				this.eventsByPerson.set(toUuid, target);
			}
			target.push(e);
		}
		this.eventsByPerson.get(toUuid)?.sort((a, b) => a.timestamp - b.timestamp);
		this.touch();
	}

	// ---------------------------------------------------------------- cohorts, actions, insights

	getCohort(id: number): SandboxCohort | undefined {
		return this.cohorts.find((c) => c.id === id);
	}

	/** Cohort membership, computed from current person properties (static cohorts: explicit list). */
	cohortMembers(cohortId: number): Set<string> {
		if (!this.cohortCache || this.cohortCache.version !== this.version) {
			this.cohortCache = { version: this.version, members: new Map() };
		}
		const cached = this.cohortCache.members.get(cohortId);
		if (cached) return cached;
		const cohort = this.getCohort(cohortId);
		const members = new Set<string>();
		if (cohort) {
			if (cohort.isStatic) {
				for (const uuid of cohort.staticMembers) if (this.personsByUuid.has(uuid)) members.add(uuid);
			} else if (cohort.filters) {
				const group = cohort.filters.properties;
				for (const person of this.personsByUuid.values()) {
					const results = group.values.map((inner) =>
						inner.type === 'OR'
							? inner.values.some((f) => matchesPersonFilters(this, person, [f]))
							: matchesPersonFilters(this, person, inner.values),
					);
					const ok = group.type === 'OR' ? results.some(Boolean) : results.every(Boolean);
					if (ok) members.add(person.uuid);
				}
			}
		}
		this.cohortCache.members.set(cohortId, members);
		return members;
	}

	isInCohort(person: SandboxPerson | undefined, cohortId: number): boolean {
		if (!person) return false;
		return this.cohortMembers(cohortId).has(person.uuid);
	}

	getAction(id: number): SandboxAction | undefined {
		return this.actions.find((a) => a.id === id);
	}

	// ---------------------------------------------------------------- activity & deletions

	logActivity(user: SandboxUser | null, activity: string, person: { id: number }, detail: Record<string, unknown>): ActivityLogEntry {
		this.activitySeq++;
		let hex = '';
		for (let i = 0; i < 4; i++) hex += hash32(`${this.seed}:activity:${this.projectId}:${this.activitySeq}`, i).toString(16).padStart(8, '0');
		const now = this.now();
		const entry: ActivityLogEntry = {
			id: formatUuid(now.toString(16).padStart(12, '0') + hex.slice(12), 7),
			user: user ? { first_name: user.first_name, email: user.email } : { first_name: 'System', email: null, is_system: true },
			activity,
			scope: 'Person',
			item_id: String(person.id),
			detail: {
				id: null,
				changes: null,
				merge: null,
				trigger: null,
				name: null,
				short_id: null,
				type: null,
				...detail,
			},
			created_at: now,
		};
		this.activity.push(entry);
		return entry;
	}

	/** Queues an event deletion for a person (one pending row per person, like AsyncDeletion's unique key). */
	queueEventDeletion(personUuid: string, requestedBy: string | null): AsyncDeletionRow {
		const existing = this.pendingDeletions.get(personUuid);
		if (existing && existing.delete_verified_at === null) return existing;
		const row: AsyncDeletionRow = { person_uuid: personUuid, created_at: this.now(), delete_verified_at: null, requestedBy };
		this.asyncDeletions.push(row);
		this.pendingDeletions.set(personUuid, row);
		this.touch();
		if (this.settings.eventDeletionDelayMs >= 0 && !this.deletionTimerPending) {
			this.deletionTimerPending = true;
			this.later(this.settings.eventDeletionDelayMs, () => {
				this.deletionTimerPending = false;
				this.processAsyncDeletions();
			});
		}
		return row;
	}

	/**
	 * Processes every pending event deletion now: removes each person's events captured before its request
	 * and marks the rows completed (delete_verified_at). Returns how many rows were processed.
	 */
	processAsyncDeletions(): number {
		const cutoffs = new Map<string, number>();
		const rows = this.asyncDeletions.filter((r) => r.delete_verified_at === null);
		for (const row of rows) cutoffs.set(row.person_uuid, Math.max(cutoffs.get(row.person_uuid) ?? 0, row.created_at + 1));
		if (!rows.length) return 0;
		let removed = 0;
		for (const [uuid, cutoff] of cutoffs) {
			const list = this.eventsByPerson.get(uuid);
			if (!list) continue;
			const keep = list.filter((e) => e.timestamp >= cutoff);
			removed += list.length - keep.length;
			if (keep.length) this.eventsByPerson.set(uuid, keep);
			else this.eventsByPerson.delete(uuid);
		}
		if (removed) {
			this.events = this.events.filter((e) => {
				const cutoff = cutoffs.get(e.personId);
				return cutoff === undefined || e.timestamp >= cutoff;
			});
		}
		const now = this.now();
		for (const row of rows) row.delete_verified_at = now;
		this.pendingDeletions.clear();
		this.touch();
		return rows.length;
	}

	/** Runs fn after ms (real time); cancelled by dispose(). */
	later(ms: number, fn: () => void): void {
		const t = setTimeout(() => {
			this.timers.delete(t);
			fn();
		}, ms);
		t.unref?.();
		this.timers.add(t);
	}

	dispose(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
	}
}

/** PostHog sorts distinct ids with `sorted(ids, key=is_anonymous_id)`: non-UUID-looking ids first, stable. */
export function sortDistinctIds(ids: string[]): string[] {
	const anon = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
	return [...ids.filter((d) => !anon.test(d)), ...ids.filter((d) => anon.test(d))];
}
