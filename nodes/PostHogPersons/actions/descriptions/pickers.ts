import type { INodeProperties, INodePropertyMode } from 'n8n-workflow';

/**
 * Fields that pick something PostHog can list (resource locators): a searchable list in the
 * editor (methods/listSearch), and a mode to type the value (or map it with an expression).
 * Each factory takes the rest of the field (name, display name, description, displayOptions).
 */

type FieldBase = Pick<INodeProperties, 'displayName' | 'name'> & Partial<INodeProperties>;

/** What a picker adds to "From List": the list search method, its placeholder, and the modes to type the value. */
interface ListLocatorModes {
	method: string;
	placeholder: string;
	modes: INodePropertyMode[];
}

/** A resource locator whose first mode is "From List" (searched with `method`), then the typed `modes`. */
export function listLocator(base: FieldBase, { method, placeholder, modes }: ListLocatorModes): INodeProperties {
	return {
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		...base,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder,
				typeOptions: { searchListMethod: method, searchable: true, searchFilterRequired: false },
			},
			...modes,
		],
	};
}

/** An event name, from PostHog's event definitions (scope event_definition:read) or typed. */
export function eventNameLocator(base: FieldBase): INodeProperties {
	return listLocator(base, {
		method: 'searchEventNames',
		placeholder: 'Search events…',
		modes: [{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. $pageview or signed_up' }],
	});
}

/**
 * A property name. `searchPersonPropertyNames` lists person properties, `searchEventPropertyNames`
 * event properties; `searchPropertyNames` lists event or person properties after the field's
 * sibling Type / Breakdown Type.
 */
export function propertyNameLocator(
	base: FieldBase,
	method: 'searchPersonPropertyNames' | 'searchEventPropertyNames' | 'searchPropertyNames' = 'searchPersonPropertyNames',
	placeholder = 'e.g. plan',
): INodeProperties {
	return listLocator(base, {
		method,
		placeholder: 'Search properties…',
		modes: [{ displayName: 'By Name', name: 'name', type: 'string', placeholder }],
	});
}

/** An action (scope action:read), by its numeric ID. */
export function actionLocator(base: FieldBase): INodeProperties {
	return listLocator(base, {
		method: 'searchActions',
		placeholder: 'Search actions…',
		modes: [
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12',
				hint: "The number at the end of the action's URL in PostHog (…/data-management/actions/12)",
				validation: [{ type: 'regex', properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'Enter the numeric ID of the action' } }],
			},
		],
	});
}

/** A cohort (scope cohort:read): from the list, its URL or its numeric ID. */
export function cohortLocator(base: FieldBase): INodeProperties {
	return listLocator(base, {
		method: 'searchCohorts',
		placeholder: 'Search cohorts…',
		modes: [
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://us.posthog.com/project/1/cohorts/42',
				validation: [
					{
						type: 'regex',
						properties: { regex: '\\s*https?://.+/cohorts/\\d+([/?#].*)?\\s*', errorMessage: 'Enter the address of a cohort in PostHog' },
					},
				],
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 42',
				validation: [{ type: 'regex', properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'Enter the numeric ID of the cohort' } }],
			},
		],
	});
}

/**
 * A saved insight (scope insight:read): from the list (only insights the operation can read),
 * its URL, or its short ID / numeric ID.
 */
export function insightLocator(base: FieldBase): INodeProperties {
	return listLocator(base, {
		method: 'searchInsights',
		placeholder: 'Search saved insights…',
		modes: [
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://us.posthog.com/project/1/insights/AbC123xy',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '\\s*https?://.+/insights/[A-Za-z0-9_-]+([/?#].*)?\\s*',
							errorMessage: 'Enter the address of an insight in PostHog',
						},
					},
				],
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. AbC123xy or 42',
				hint: "The short ID at the end of the insight's URL, or its numeric ID",
			},
		],
	});
}

/** A node of a paths insight (`<step>_<page or event>`), listed from the insight's paths. */
export function pathNodeLocator(base: FieldBase, method: 'searchPathNodes' | 'searchPathNextNodes'): INodeProperties {
	return listLocator(base, {
		method,
		placeholder: 'Search the nodes of the paths…',
		modes: [
			{
				displayName: 'By Key',
				name: 'key',
				type: 'string',
				placeholder: 'e.g. 2_https://example.com/pricing',
				hint: 'The step (from 1), an underscore and the page or event, exactly as in the paths: 2_https://example.com/pricing',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^\\s*\\d+_.+',
							errorMessage: 'A node key is the step, an underscore and the page or event, e.g. 2_https://example.com/pricing',
						},
					},
				],
			},
		],
	});
}
