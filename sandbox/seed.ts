// Deterministic data generation. Person i is generated from its own PRNG (seed, i), so the same seed and
// options always produce identical persons, distinct ids, properties, events and history.

import { Random, hash32, flatString, uuid4FromName, uuid7FromName } from './util/prng';
import { MS } from './util/time';
import { SandboxEvent, type SandboxPerson, type SandboxStore, type PropertyHistoryEntry } from './store';

const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'David', 'Emma', 'Felix', 'Grace', 'Hugo', 'Iris', 'Jonas', 'Kira', 'Liam', 'Maya', 'Noah', 'Olivia', 'Paul', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Will', 'Xena', 'Yusuf', 'Zoe', 'José', 'Łukasz', 'Søren', 'Amélie'];
const LAST_NAMES = ['Anders', 'Baker', 'Costa', 'Dubois', 'Evans', 'Fischer', 'García', 'Hansen', 'Ito', 'Jensen', 'Kowalski', 'López', 'Müller', 'Nakamura', 'Olsen', 'Petrov', 'Quintero', 'Rossi', 'Schmidt', "O'Brien", 'Tanaka', 'Usman', 'Varga', 'Weber', 'Young', 'Zimmer'];
const DOMAINS = ['example.com', 'acme.io', 'globex.com', 'initech.net', 'umbrella.org', 'hooli.dev'];
export const INTERNAL_DOMAIN = 'sandbox-internal.test';
const COUNTRIES: [string, number][] = [['US', 30], ['DE', 12], ['GB', 12], ['FR', 9], ['IN', 9], ['BR', 7], ['CA', 6], ['JP', 5], ['AU', 5], ['NL', 5]];
const CITIES: Record<string, string[]> = {
	US: ['New York', 'San Francisco', 'Austin'], DE: ['Berlin', 'München'], GB: ['London', 'Manchester'], FR: ['Paris', 'Lyon'],
	IN: ['Bengaluru', 'Mumbai'], BR: ['São Paulo'], CA: ['Toronto', 'Montréal'], JP: ['Tokyo'], AU: ['Sydney'], NL: ['Amsterdam'],
};
export const BROWSERS: [string, number][] = [['Chrome', 50], ['Safari', 20], ['Firefox', 15], ['Microsoft Edge', 10], ['Opera', 5]];
const OS: Record<string, string> = { Chrome: 'Windows', Safari: 'Mac OS X', Firefox: 'Linux', 'Microsoft Edge': 'Windows', Opera: 'Android' };
const PLANS: [string, number][] = [['free', 60], ['pro', 30], ['enterprise', 10]];
const REFERRERS = ['$direct', 'google.com', 'news.ycombinator.com', 'twitter.com', 'github.com'];
const CONTENT_URLS = ['/', '/docs', '/blog/launch-week', '/blog/persons-api', '/features', '/about'];
const AMOUNTS = [9, 29, 99, 299];
export const SITE = 'https://app.sandbox-shop.test';

/** Interned, frozen event property objects (events share them to keep memory flat). */
class PropertyInterner {
	private readonly cache = new Map<string, Readonly<Record<string, unknown>>>();
	get(key: string, build: () => Record<string, unknown>): Readonly<Record<string, unknown>> {
		let hit = this.cache.get(key);
		if (!hit) {
			hit = Object.freeze(build());
			this.cache.set(key, hit);
		}
		return hit;
	}
}

export interface SeedOptions {
	seed: number;
	persons: number;
	eventsPerPerson: number;
	now: number;
}

interface PlannedEvent {
	event: string;
	ts: number;
	url: string;
	session: number;
	extra?: Record<string, string | number>;
}

interface GeneratedPerson {
	person: SandboxPerson;
	anonId: string | null;
	userId: string;
	browser: string;
	planned: PlannedEvent[];
	/** property writes: $set_once + $set at creation, maybe a later plan upgrade */
	history: PropertyHistoryEntry[];
}

export function seedStore(store: SandboxStore, opts: SeedOptions): void {
	const interner = new PropertyInterner();
	const staticBeta = new Set<string>();
	for (let i = 1; i <= opts.persons; i++) {
		const g = generatePersonData(opts, i, false);
		const person = g.person;
		person.seedIndex = i;
		store.insertPerson(person);
		if (person.isIdentified && i % 7 === 0) staticBeta.add(person.uuid);
		if (!g.planned.length) continue;
		const identifyAt = g.planned.find((e) => e.event === '$identify')?.ts ?? Infinity;
		const ppp = !person.isIdentified;
		const evs: SandboxEvent[] = new Array(g.planned.length);
		for (let k = 0; k < g.planned.length; k++) {
			const p = g.planned[k];
			const distinctId = person.isIdentified ? (p.ts < identifyAt && g.anonId ? g.anonId : g.userId) : (g.anonId as string);
			const evBrowser = p.extra?.$browser !== undefined ? String(p.extra.$browser) : g.browser;
			let key = evBrowser + '|' + p.url + (ppp ? '|1' : '|0');
			if (p.extra) for (const x in p.extra) key += '|' + x + '=' + p.extra[x];
			const props = interner.get(key, () => {
				const base: Record<string, unknown> = { $browser: evBrowser, $os: OS[evBrowser], $current_url: SITE + p.url, $pathname: p.url };
				if (ppp) base.$process_person_profile = false;
				if (p.extra) for (const x in p.extra) if (x !== '$browser') base[x] = p.extra[x];
				return base;
			});
			evs[k] = new SandboxEvent(store.allocateEventIndex(), p.event, distinctId, person.uuid, p.ts, props, p.session, opts.seed);
		}
		store.pushPersonEvents(person.uuid, evs);
	}
	// seeded property history is regenerated on demand instead of being kept for every person
	store.seedHistoryProvider = (person) => (person.seedIndex ? generatePersonData(opts, person.seedIndex, true).history : []);

	seedCohorts(store, staticBeta, opts.now);
	seedActions(store);
	seedInsights(store, opts);
	store.testAccountFilters = [{ key: 'email', value: `@${INTERNAL_DOMAIN}`, operator: 'not_icontains', type: 'person' }];
}

function generatePersonData(opts: SeedOptions, i: number, withHistory: boolean): GeneratedPerson {
	const rng = new Random(hash32(`person:${i}`, opts.seed));
	const windowStart = opts.now - 60 * MS.day;
	let createdAt = Math.floor(windowStart + rng.next() * 60 * MS.day);
	const identified = rng.chance(0.8);
	rng.next(); // keeps the stream aligned with earlier versions of the generator
	const uuid = uuid4FromName(`person:${i}`, opts.seed);
	const country = rng.weighted(COUNTRIES);
	const browser = rng.weighted(BROWSERS);
	const userId = `user-${String(i).padStart(6, '0')}`;
	const first = rng.pick(FIRST_NAMES);
	const last = rng.pick(LAST_NAMES);
	const internal = identified && rng.chance(0.02);
	const domain = internal ? INTERNAL_DOMAIN : rng.pick(DOMAINS);
	const email = asciiEmail(`${first}.${last}.${i}@${domain}`);
	const plan = identified ? rng.weighted(PLANS) : 'free';
	const referrer = rng.pick(REFERRERS);

	const distinctIds: string[] = [];
	const anonId = !identified || rng.chance(0.6) ? uuid7FromName(createdAt, `anon:${i}`, opts.seed) : null;
	if (anonId) distinctIds.push(anonId);
	if (identified) {
		distinctIds.push(userId);
		if (rng.chance(0.3)) distinctIds.push(email);
		if (i % 250 === 0) {
			const extra = 9 + rng.int(4);
			for (let k = 0; k < extra; k++) distinctIds.push(flatString(`device-${hash32(`device:${i}:${k}`, opts.seed).toString(16).padStart(8, '0')}${rng.hex(4)}`));
		}
	}

	// $set_once-style properties first, then the $set ones (same key order as before the refactor)
	const props: Record<string, unknown> = { $initial_browser: browser, $initial_referring_domain: referrer, $browser: browser, $os: OS[browser], country };
	if (identified) {
		props.email = email;
		props.name = `${first} ${last}`;
		props.plan = plan;
		if (rng.chance(0.35)) props.address = { city: rng.pick(CITIES[country]), country_code: country, zip: String(10000 + rng.int(89999)) };
		if (rng.chance(0.3)) props.tags = rng.chance(0.5) ? ['beta', 'newsletter'] : ['newsletter'];
		if (rng.chance(0.2)) props.preferences = { theme: rng.pick(['dark', 'light']), notifications: { email: rng.chance(0.5), push: rng.chance(0.3) } };
		if (rng.chance(0.25)) props.signup_count = 1 + rng.int(3);
		if (rng.chance(0.15)) props.beta = true;
		if (rng.chance(0.05)) props.bio = `Says "hi", likes commas, and\nnew lines`;
	}
	const upgraded = identified && plan !== 'free' && rng.chance(0.25);
	const upgradeFraction = upgraded ? rng.next() : 0;

	const planned = opts.eventsPerPerson > 0 ? planEvents(rng, opts, createdAt, identified) : [];
	let lastSeenAt: number | null = null;
	if (planned.length) {
		// created_at is the first time the person was seen
		createdAt = planned[0].ts;
		lastSeenAt = planned[planned.length - 1].ts;
	}
	const history: PropertyHistoryEntry[] = [];
	if (withHistory) {
		const setOnce: Record<string, unknown> = { $initial_browser: browser, $initial_referring_domain: referrer };
		const set: Record<string, unknown> = {};
		for (const k of Object.keys(props)) if (!(k in setOnce)) set[k] = props[k];
		if (upgraded) set.plan = 'free';
		history.push({ timestamp: createdAt, op: '$set_once', properties: setOnce, source: 'seed' });
		history.push({ timestamp: createdAt, op: '$set', properties: set, source: 'seed' });
		if (upgraded) history.push({ timestamp: Math.floor(createdAt + upgradeFraction * (opts.now - createdAt)), op: '$set', properties: { plan }, source: 'seed' });
	}
	const person: SandboxPerson = { id: i, uuid, distinctIds, properties: props, createdAt, lastSeenAt, isIdentified: identified };
	return { person, anonId, userId, browser, planned, history };
}

const ASCII: Record<string, string> = { é: 'e', í: 'i', ø: 'o', ü: 'u', ł: 'l', á: 'a', ã: 'a', ó: 'o' };
function asciiEmail(s: string): string {
	return s.toLowerCase().replace(/[^a-z0-9.@'-]/g, (c) => ASCII[c] ?? 'x');
}

function planEvents(rng: Random, opts: SeedOptions, createdAt: number, identified: boolean): PlannedEvent[] {
	const now = opts.now;
	const avg = opts.eventsPerPerson;
	const total = Math.max(1, 1 + Math.floor(rng.next() * (2 * avg - 1)));
	const out: PlannedEvent[] = [];
	// activity span: some persons churn early (dormant), others stay active until now
	const span = now - createdAt;
	const activeUntil = rng.chance(0.4) ? createdAt + Math.pow(rng.next(), 2) * span : now;
	const sessions = Math.max(1, Math.ceil(total / 2));
	const sessionTimes = [createdAt];
	for (let s = 1; s < sessions; s++) sessionTimes.push(Math.floor(createdAt + rng.next() * (activeUntil - createdAt)));
	sessionTimes.sort((a, b) => a - b);
	// some persons come back after a long break (resurrecting)
	if (sessions > 2 && rng.chance(0.2)) sessionTimes[sessionTimes.length - 1] = Math.floor(now - rng.next() * 3 * MS.day);
	sessionTimes.sort((a, b) => a - b);
	const sessionOf = (ts: number) => {
		let s = 0;
		for (let k = 0; k < sessionTimes.length; k++) if (sessionTimes[k] <= ts) s = k;
		return s;
	};
	const otherBrowser = () => (rng.chance(0.1) ? { $browser: rng.weighted(BROWSERS) } : undefined);

	let used = 0;
	const reversed = identified && rng.chance(0.05);
	if (identified) {
		// funnel: $pageview -> signed_up -> purchased, with drop-offs and conversions outside the 14-day window
		const r = rng.next();
		const signupDelay = r < 0.5 ? rng.next() * MS.day : r < 0.8 ? MS.day + rng.next() * 9 * MS.day : 10 * MS.day + rng.next() * 20 * MS.day;
		const signupAt = Math.floor(reversed ? createdAt : createdAt + signupDelay);
		if (signupAt <= now && rng.chance(0.75)) {
			const sess = sessionOf(signupAt);
			out.push({ event: '$pageview', ts: reversed ? createdAt + 5 * MS.minute : createdAt, url: rng.pick(['/', '/pricing', '/features']), session: 0, extra: otherBrowser() });
			out.push({ event: 'signed_up', ts: signupAt, url: '/signup', session: sess, extra: { signup_method: rng.pick(['email', 'google', 'github']) } });
			out.push({ event: '$identify', ts: signupAt + 1000, url: '/signup', session: sess });
			used += 3;
			if (rng.chance(0.5)) {
				const purchaseAt = Math.floor(signupAt + rng.next() * 20 * MS.day);
				if (purchaseAt <= now) {
					out.push({ event: 'purchased', ts: purchaseAt, url: '/checkout', session: sessionOf(purchaseAt), extra: { amount: rng.pick(AMOUNTS), currency: 'USD' } });
					used++;
				}
			}
		}
	}
	if (!out.length) {
		out.push({ event: '$pageview', ts: createdAt, url: rng.pick(['/', '/pricing', '/features', '/docs']), session: 0, extra: otherBrowser() });
		used++;
	}
	const viewsPricing = rng.chance(0.4);
	for (let k = used; k < total; k++) {
		const s = rng.int(sessionTimes.length);
		const ts = Math.floor(sessionTimes[s] + rng.next() * 30 * MS.minute);
		if (ts > now) continue;
		if (viewsPricing && rng.chance(0.3)) {
			out.push({ event: 'viewed_pricing', ts, url: '/pricing', session: s, extra: { plan_viewed: rng.pick(['pro', 'enterprise']) } });
		} else {
			const url = viewsPricing && rng.chance(0.3) ? '/pricing' : rng.pick(CONTENT_URLS);
			out.push({ event: '$pageview', ts, url, session: s, extra: otherBrowser() });
		}
	}
	out.sort((a, b) => a.ts - b.ts);
	return out;
}

function cohortFilter(values: Record<string, unknown>[]): NonNullable<SandboxStore['cohorts'][number]['filters']> {
	return { properties: { type: 'OR', values: [{ type: 'AND', values: values as never }] } };
}

function seedCohorts(store: SandboxStore, staticBeta: Set<string>, now: number): void {
	const createdAt = now - 90 * MS.day;
	const dynamic = (id: number, name: string, description: string, values: Record<string, unknown>[], deleted = false) =>
		store.cohorts.push({ id, name, description, filters: cohortFilter(values), isStatic: false, staticMembers: new Set(), deleted, createdAt });
	dynamic(1, 'Pro plan', 'Persons on the pro plan', [{ key: 'plan', type: 'person', value: ['pro'], operator: 'exact' }]);
	dynamic(2, 'Enterprise customers', 'Persons on the enterprise plan', [{ key: 'plan', type: 'person', value: ['enterprise'], operator: 'exact' }]);
	dynamic(3, 'US users', 'Persons in the United States', [{ key: 'country', type: 'person', value: ['US'], operator: 'exact' }]);
	dynamic(4, 'Paying customers', 'Pro or enterprise', [{ key: 'plan', type: 'person', value: ['pro', 'enterprise'], operator: 'exact' }]);
	store.cohorts.push({ id: 5, name: 'Beta testers (static)', description: 'Uploaded list', filters: null, isStatic: true, staticMembers: staticBeta, deleted: false, createdAt });
	dynamic(6, 'Old free users (deleted)', 'Deleted cohort; never returned', [{ key: 'plan', type: 'person', value: ['free'], operator: 'exact' }], true);
}

function seedActions(store: SandboxStore): void {
	store.actions.push({ id: 1, name: 'Viewed pricing page', steps: [{ event: '$pageview', url: '/pricing', url_matching: 'contains' }] });
	store.actions.push({ id: 2, name: 'Signed up or purchased', steps: [{ event: 'signed_up' }, { event: 'purchased' }] });
	store.actions.push({
		id: 3,
		name: 'Chrome pageview',
		steps: [{ event: '$pageview', properties: [{ key: '$browser', value: 'Chrome', operator: 'exact', type: 'event' }] }],
	});
}

function seedInsights(store: SandboxStore, opts: SeedOptions): void {
	const rng = new Random(hash32('insights', opts.seed));
	const shortId = () => rng.alnum(8);
	const created = opts.now - 30 * MS.day;
	const add = (name: string, description: string, query: Record<string, unknown>) => {
		const id = store.insights.length + 1;
		store.insights.push({ id, short_id: shortId(), name, description, query, created_at: created + id * MS.hour, last_modified_at: created + id * MS.hour, deleted: false, favorited: id === 1, tags: [] });
	};
	const viz = (source: Record<string, unknown>) => ({ kind: 'InsightVizNode', source });
	const ev = (event: string, extra: Record<string, unknown> = {}) => ({ kind: 'EventsNode', event, name: event, ...extra });

	add('Signup funnel', '$pageview → signed_up → purchased', viz({
		kind: 'FunnelsQuery',
		series: [ev('$pageview'), ev('signed_up'), ev('purchased')],
		dateRange: { date_from: '-30d' },
		funnelsFilter: { funnelVizType: 'steps', funnelOrderType: 'ordered', funnelWindowInterval: 14, funnelWindowIntervalUnit: 'day' },
	}));
	add('Signup conversion over time', 'Funnel trends', viz({
		kind: 'FunnelsQuery',
		series: [ev('$pageview'), ev('signed_up')],
		interval: 'day',
		dateRange: { date_from: '-14d' },
		funnelsFilter: { funnelVizType: 'trends' },
	}));
	add('Daily pageviews', 'Trends, total count', viz({
		kind: 'TrendsQuery',
		series: [ev('$pageview', { math: 'total' })],
		interval: 'day',
		dateRange: { date_from: '-30d' },
		trendsFilter: { display: 'ActionsLineGraph' },
	}));
	add('Daily active users by browser', 'Trends with a breakdown', viz({
		kind: 'TrendsQuery',
		series: [ev('$pageview', { math: 'dau' })],
		interval: 'day',
		dateRange: { date_from: '-14d' },
		breakdownFilter: { breakdown_type: 'event', breakdown: '$browser' },
	}));
	add('User lifecycle', 'Lifecycle of pageviews', viz({
		kind: 'LifecycleQuery',
		series: [ev('$pageview')],
		interval: 'day',
		dateRange: { date_from: '-30d' },
	}));
	add('Pageview stickiness', 'Stickiness', viz({
		kind: 'StickinessQuery',
		series: [ev('$pageview')],
		interval: 'day',
		dateRange: { date_from: '-30d' },
	}));
	add('Weekly signups', 'Trends by week', viz({
		kind: 'TrendsQuery',
		series: [ev('signed_up')],
		interval: 'week',
		dateRange: { date_from: '-8w' },
		trendsFilter: { display: 'ActionsBar' },
	}));
	add('Purchases (total)', 'Total-value trends display', viz({
		kind: 'TrendsQuery',
		series: [ev('purchased')],
		interval: 'day',
		dateRange: { date_from: '-30d' },
		trendsFilter: { display: 'BoldNumber' },
	}));
	add('SQL: persons per plan', 'A SQL insight (not an InsightVizNode)', {
		kind: 'DataVisualizationNode',
		source: { kind: 'HogQLQuery', query: "SELECT properties.plan AS plan, count() FROM persons GROUP BY plan ORDER BY count() DESC" },
	});
	add('Signup funnel by browser', 'Funnel with a breakdown', viz({
		kind: 'FunnelsQuery',
		series: [ev('$pageview'), ev('signed_up')],
		dateRange: { date_from: '-30d' },
		breakdownFilter: { breakdown_type: 'event', breakdown: '$browser' },
		funnelsFilter: { funnelVizType: 'steps' },
	}));
	const entity = (id: string) => ({ id, name: id, type: 'events', kind: 'EventsNode' });
	add('Signup retention', 'Retention: signed up, then came back (daily)', viz({
		kind: 'RetentionQuery',
		dateRange: { date_from: '-14d' },
		retentionFilter: { period: 'Day', totalIntervals: 7, retentionType: 'retention_first_time', targetEntity: entity('signed_up'), returningEntity: entity('$pageview') },
	}));
	add('Weekly returning visitors by browser', 'Recurring weekly retention with a breakdown', viz({
		kind: 'RetentionQuery',
		dateRange: { date_from: '-6w' },
		breakdownFilter: { breakdown_type: 'event', breakdown: '$browser' },
		retentionFilter: { period: 'Week', totalIntervals: 5, retentionType: 'retention_recurring', targetEntity: entity('$pageview'), returningEntity: entity('$pageview') },
	}));
	add('Site paths', 'Paths of page views', viz({
		kind: 'PathsQuery',
		dateRange: { date_from: '-14d' },
		pathsFilter: { includeEventTypes: ['$pageview'], stepLimit: 5 },
	}));
	add('Paths from pricing', 'Paths of page views and custom events starting at the pricing page', viz({
		kind: 'PathsQuery',
		dateRange: { date_from: '-30d' },
		pathsFilter: { includeEventTypes: ['$pageview', 'custom_event'], startPoint: `${SITE}/pricing`, stepLimit: 4 },
	}));
}
