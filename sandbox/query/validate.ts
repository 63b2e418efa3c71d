// Query body validation against PostHog's query schema (sandbox/schema/query-schema.json), set up exactly as
// the schema's README prescribes. Failures are reported like PostHog's pydantic errors
// ("JSON parse error - 1 validation error for QueryRequest ..."); the wording is an approximation.

import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { pyRepr, pyTypeName } from '../util/pyjson';

type Schema = { $schema?: string; $comment?: string; definitions: Record<string, unknown> };

let schemaCache: Schema | null = null;
let mainValidator: ValidateFunction | null = null;
let explainAjv: Ajv | null = null;
const defValidators = new Map<string, ValidateFunction>();

export function loadQuerySchema(): Schema {
	if (!schemaCache) {
		const file = path.join(__dirname, '..', 'schema', 'query-schema.json');
		schemaCache = JSON.parse(fs.readFileSync(file, 'utf8')) as Schema;
	}
	return schemaCache;
}

function newAjv(): Ajv {
	const ajv = new Ajv({ allowUnionTypes: true, discriminator: true });
	addFormats(ajv);
	return ajv;
}

/** Ajv 8 (allowUnionTypes, discriminator, ajv-formats) on the schema with `$ref: '#/definitions/ActorsQuery'` as the root. */
export function actorsQueryValidator(): ValidateFunction {
	if (!mainValidator) mainValidator = newAjv().compile({ ...loadQuerySchema(), $ref: '#/definitions/ActorsQuery' });
	return mainValidator;
}

/** A validator for any definition of the schema (used to validate saved insights and explain failures). */
export function definitionValidator(name: string): ValidateFunction {
	let v = defValidators.get(name);
	if (!v) {
		if (!explainAjv) {
			explainAjv = newAjv();
			explainAjv.addSchema({ ...loadQuerySchema(), $id: 'posthog-query-schema' });
		}
		const got = explainAjv.getSchema(`posthog-query-schema#/definitions/${name}`);
		if (!got) throw new Error(`Unknown schema definition ${name}`);
		v = got;
		defValidators.set(name, v);
	}
	return v;
}

const FILTER_TYPE_DEFS: Record<string, string> = {
	event: 'EventPropertyFilter',
	person: 'PersonPropertyFilter',
	element: 'ElementPropertyFilter',
	event_metadata: 'EventMetadataPropertyFilter',
	session: 'SessionPropertyFilter',
	cohort: 'CohortPropertyFilter',
	recording: 'RecordingPropertyFilter',
	log_entry: 'LogEntryPropertyFilter',
	group: 'GroupPropertyFilter',
	feature: 'FeaturePropertyFilter',
	flag: 'FlagPropertyFilter',
	hogql: 'HogQLPropertyFilter',
	empty: 'EmptyPropertyFilter',
	data_warehouse: 'DataWarehousePropertyFilter',
	data_warehouse_person_property: 'DataWarehousePersonPropertyFilter',
	error_tracking_issue: 'ErrorTrackingIssueFilter',
	log: 'LogPropertyFilter',
	revenue_analytics: 'RevenueAnalyticsPropertyFilter',
};

function definitionFor(obj: unknown): string | null {
	if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
	const defs = loadQuerySchema().definitions;
	const kind = (obj as Record<string, unknown>).kind;
	if (typeof kind === 'string' && defs[kind]) return kind;
	const type = (obj as Record<string, unknown>).type;
	if (typeof type === 'string' && FILTER_TYPE_DEFS[type] && defs[FILTER_TYPE_DEFS[type]]) return FILTER_TYPE_DEFS[type];
	return null;
}

interface PydanticError {
	loc: (string | number)[];
	msg: string;
	type: string;
	input: unknown;
}

function getAt(data: unknown, segments: string[]): unknown {
	let cur = data;
	for (const s of segments) {
		if (cur === null || typeof cur !== 'object') return undefined;
		cur = (cur as Record<string, unknown>)[s];
	}
	return cur;
}

function segmentsOf(instancePath: string): string[] {
	if (!instancePath) return [];
	return instancePath
		.split('/')
		.slice(1)
		.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const WRAPPER_KEYWORDS = new Set(['anyOf', 'oneOf', 'discriminator', 'if', 'not']);

function pickError(errs: ErrorObject[]): ErrorObject {
	const depth = (e: ErrorObject) => segmentsOf(e.instancePath).length + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 1 : 0);
	const concrete = errs.filter((e) => !WRAPPER_KEYWORDS.has(e.keyword) || e.keyword === 'discriminator');
	const pool = concrete.length ? concrete : errs;
	let best = pool[0];
	for (const e of pool) if (depth(e) > depth(best)) best = e;
	return best;
}

function toPydantic(err: ErrorObject, data: unknown, basePath: (string | number)[]): PydanticError {
	const segs = segmentsOf(err.instancePath);
	const value = getAt(data, segs);
	const loc = [...basePath, ...segs];
	const p = err.params as Record<string, unknown>;
	switch (err.keyword) {
		case 'required':
			return { loc: [...loc, String(p.missingProperty)], msg: 'Field required', type: 'missing', input: value };
		case 'additionalProperties': {
			const extra = String(p.additionalProperty);
			return { loc: [...loc, extra], msg: 'Extra inputs are not permitted', type: 'extra_forbidden', input: (value as Record<string, unknown>)?.[extra] };
		}
		case 'type': {
			const t = String(p.type).split(',')[0];
			if (t === 'integer') {
				if (typeof value === 'number') {
					return { loc, msg: 'Input should be a valid integer, got a number with a fractional part', type: 'int_from_float', input: value };
				}
				return { loc, msg: 'Input should be a valid integer', type: 'int_type', input: value };
			}
			const map: Record<string, [string, string]> = {
				string: ['Input should be a valid string', 'string_type'],
				boolean: ['Input should be a valid boolean', 'bool_type'],
				number: ['Input should be a valid number', 'float_type'],
				array: ['Input should be a valid list', 'list_type'],
				object: ['Input should be a valid dictionary', 'dict_type'],
				null: ['Input should be None', 'none_required'],
			};
			const [msg, type] = map[t] ?? [`Input should be a valid ${t}`, `${t}_type`];
			return { loc, msg, type, input: value };
		}
		case 'const':
			return { loc, msg: `Input should be ${pyRepr(p.allowedValue)}`, type: 'literal_error', input: value };
		case 'enum': {
			const allowed = (p.allowedValues as unknown[]).map((v) => pyRepr(v));
			const text = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}` : allowed[0];
			return { loc, msg: `Input should be ${text}`, type: 'enum', input: value };
		}
		case 'maxItems':
			return {
				loc,
				msg: `List should have at most ${String(p.limit)} items after validation, not ${Array.isArray(value) ? value.length : '?'}`,
				type: 'too_long',
				input: value,
			};
		case 'discriminator': {
			const tag = String(p.tag ?? 'kind');
			const tagValue = p.tagValue;
			const tags = insightQueryKinds().map((k) => `'${k}'`).join(', ');
			if (tagValue === undefined) return { loc, msg: `Unable to extract tag using discriminator '${tag}'`, type: 'union_tag_not_found', input: value };
			return {
				loc,
				msg: `Input tag ${pyRepr(tagValue)} found using '${tag}' does not match any of the expected tags: ${tags}`,
				type: 'union_tag_invalid',
				input: value,
			};
		}
		default:
			return { loc, msg: `Input should be a valid value (${err.message ?? err.keyword})`, type: err.keyword, input: value };
	}
}

function insightQueryKinds(): string[] {
	const node = loadQuerySchema().definitions.InsightQueryNode as { oneOf: { $ref: string }[] };
	return node.oneOf.map((r) => r.$ref.split('/').pop() as string);
}

function explain(data: unknown, defName: string, basePath: (string | number)[], depthGuard = 0): PydanticError | null {
	const v = definitionValidator(defName);
	if (v(data)) return null;
	const errs = v.errors ?? [];
	if (!errs.length) return null;
	const pick = pickError(errs);
	const segs = segmentsOf(pick.instancePath);
	if (depthGuard < 20) {
		for (let d = segs.length; d >= 1; d--) {
			const sub = getAt(data, segs.slice(0, d));
			const subDef = definitionFor(sub);
			if (!subDef) continue;
			const inner = explain(sub, subDef, [...basePath, ...segs.slice(0, d)], depthGuard + 1);
			if (inner) return inner;
			break;
		}
	}
	return toPydantic(pick, data, basePath);
}

/** Insert the node kind after each path segment whose value has one, the way pydantic labels union members. */
function labelLoc(root: unknown, loc: (string | number)[], rootLabel: string): string {
	const out: string[] = [rootLabel];
	let cur: unknown = root;
	const kindOf = (v: unknown) =>
		v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>).kind === 'string' ? String((v as Record<string, unknown>).kind) : null;
	const k0 = kindOf(cur);
	if (k0) out.push(k0);
	loc.forEach((seg, i) => {
		out.push(String(seg));
		cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg as string] : undefined;
		const k = kindOf(cur);
		if (k && i !== loc.length - 1) out.push(k);
	});
	return out.join('.');
}

function truncRepr(v: unknown): string {
	const r = pyRepr(v);
	return r.length > 100 ? `${r.slice(0, 48)}...${r.slice(-48)}` : r;
}

export function formatPydantic(model: string, rootLabel: string, root: unknown, errs: PydanticError[]): string {
	const lines = [`${errs.length} validation error${errs.length === 1 ? '' : 's'} for ${model}`];
	for (const e of errs) {
		lines.push(labelLoc(root, e.loc, rootLabel));
		lines.push(`  ${e.msg} [type=${e.type}, input_value=${truncRepr(e.input)}, input_type=${pyTypeName(e.input)}]`);
	}
	return lines.join('\n');
}

/**
 * Validates an ActorsQuery node. Returns null when valid, else a pydantic-style message
 * (for the "JSON parse error - ..." detail).
 */
export function validateActorsQuery(query: unknown): string | null {
	const v = actorsQueryValidator();
	if (v(query)) return null;
	const err = explain(query, 'ActorsQuery', []) ?? toPydantic(pickError(v.errors ?? []), query, []);
	return formatPydantic('QueryRequest', 'query', query, [err]);
}

export function pydanticSimple(model: string, loc: string, msg: string, type: string, input: unknown): string {
	return `1 validation error for ${model}\n${loc}\n  ${msg} [type=${type}, input_value=${truncRepr(input)}, input_type=${pyTypeName(input)}]`;
}

/** Query kinds that exist in PostHog's QuerySchema union (used for the unknown-kind message). */
export const KNOWN_QUERY_KINDS = [
	'EventsNode', 'ActionsNode', 'PersonsNode', 'DataWarehouseNode', 'EventsQuery', 'ActorsQuery', 'GroupsQuery',
	'InsightActorsQuery', 'InsightActorsQueryOptions', 'SessionsTimelineQuery', 'HogQuery', 'HogQLQuery', 'HogQLMetadata',
	'HogQLAutocomplete', 'HogQLASTQuery', 'SessionAttributionExplorerQuery', 'RevenueExampleEventsQuery',
	'RevenueExampleDataWarehouseTablesQuery', 'ErrorTrackingQuery', 'WebOverviewQuery', 'WebStatsTableQuery',
	'WebExternalClicksTableQuery', 'WebGoalsQuery', 'WebVitalsQuery', 'WebVitalsPathBreakdownQuery', 'WebPageURLSearchQuery',
	'RecordingsQuery', 'DataVisualizationNode', 'DataTableNode', 'SavedInsightNode', 'InsightVizNode', 'TrendsQuery',
	'FunnelsQuery', 'RetentionQuery', 'PathsQuery', 'StickinessQuery', 'LifecycleQuery', 'FunnelCorrelationQuery',
	'DatabaseSchemaQuery', 'LogsQuery', 'SuggestedQuestionsQuery', 'TeamTaxonomyQuery', 'EventTaxonomyQuery',
	'ActorsPropertyTaxonomyQuery', 'TracesQuery', 'VectorSearchQuery',
];
