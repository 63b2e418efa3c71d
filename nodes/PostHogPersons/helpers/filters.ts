import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { propertyNameLocator } from '../actions/descriptions/pickers';
import { locatorValue } from './parameters';

/** Operators PostHog accepts in property filters (persons list and queries). */
/** Whose property a filter or breakdown reads. */
export const PROPERTY_TYPES = [
	{ name: 'Event Property', value: 'event' },
	{ name: 'Person Property', value: 'person' },
];

export const PROPERTY_OPERATORS = [
	{ name: 'Contains', value: 'icontains' },
	{ name: 'Date After', value: 'is_date_after' },
	{ name: 'Date Before', value: 'is_date_before' },
	{ name: 'Date Is', value: 'is_date_exact' },
	{ name: 'Does Not Contain', value: 'not_icontains' },
	{ name: 'Does Not Match Regex', value: 'not_regex' },
	{ name: 'Equals', value: 'exact' },
	{ name: 'Greater Than', value: 'gt' },
	{ name: 'Greater Than or Equal', value: 'gte' },
	{ name: 'Is Not', value: 'is_not' },
	{ name: 'Is Not Set', value: 'is_not_set' },
	{ name: 'Is Set', value: 'is_set' },
	{ name: 'Less Than', value: 'lt' },
	{ name: 'Less Than or Equal', value: 'lte' },
	{ name: 'Matches Regex', value: 'regex' },
];

const NUMERIC_OPERATORS = new Set(['gt', 'gte', 'lt', 'lte']);

/**
 * A fixedCollection of property filters ({key, operator, value} rows). With `withType` each row
 * also says whose property it is (event or person); without, all rows are person properties.
 */
export function propertyFiltersProperty(
	name: string,
	displayName: string,
	withType: boolean,
	description: string,
): INodeProperties {
	const values: INodeProperties[] = [
		propertyNameLocator(
			{
				displayName: 'Property',
				name: 'key',
				description: withType
					? 'Name of the property (the list shows event or person properties after Type; needs the scope property_definition:read)'
					: 'Name of the person property (the list needs the scope property_definition:read)',
			},
			withType ? 'searchPropertyNames' : 'searchPersonPropertyNames',
			'e.g. email',
		),
		{
			displayName: 'Operator',
			name: 'operator',
			type: 'options',
			options: PROPERTY_OPERATORS,
			default: 'exact',
		},
		{
			displayName: 'Value',
			name: 'value',
			type: 'string',
			default: '',
			description:
				'Value to compare with. For "Equals" / "Is Not", several values can be given separated by commas. Ignored by "Is Set" and "Is Not Set".',
		},
	];
	if (withType) {
		values.unshift({
			displayName: 'Type',
			name: 'type',
			type: 'options',
			options: PROPERTY_TYPES,
			default: 'event',
			description: 'Whose property it is',
		});
	}
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add filter',
		default: {},
		description,
		options: [{ displayName: 'Filter', name: 'filter', values }],
	};
}

function filterValue(operator: string, raw: unknown): IDataObject[string] {
	if (operator === 'is_set' || operator === 'is_not_set') return operator;
	if (typeof raw !== 'string') return raw as IDataObject[string];
	const text = raw.trim();
	if (NUMERIC_OPERATORS.has(operator) && text !== '' && Number.isFinite(Number(text))) return Number(text);
	if ((operator === 'exact' || operator === 'is_not') && text.includes(',')) {
		return text
			.split(',')
			.map((part) => part.trim())
			.filter((part) => part !== '');
	}
	return text;
}

/** PostHog property filter objects from the fixedCollection value. */
export function buildPropertyFilters(collection: IDataObject | undefined, defaultType: string): IDataObject[] {
	const rows = ((collection?.filter as IDataObject[] | undefined) ?? []).filter(
		(row) => String(locatorValue(row.key) ?? '').trim() !== '',
	);
	return rows.map((row) => {
		const operator = String(row.operator ?? 'exact');
		return {
			key: String(locatorValue(row.key)).trim(),
			operator,
			value: filterValue(operator, row.value),
			type: String(row.type ?? defaultType),
		};
	});
}
