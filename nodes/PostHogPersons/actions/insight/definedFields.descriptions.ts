import type { INodeProperties } from 'n8n-workflow';

import { PROPERTY_TYPES, propertyFiltersProperty } from '../../helpers/filters';
import { actionLocator, eventNameLocator, propertyNameLocator } from '../descriptions/pickers';
import { DEFINED_IN_NODE } from './insightSource.descriptions';

/**
 * "Defined in Node" fields every insight kind uses: an event or action, Date From, Breakdown,
 * and Insight Settings (date to, test-account filter, property filters, and the breakdown
 * settings of workflows made before Breakdown was on screen).
 */

/** Event or action: the Type option and the picker for each (one entry of a series, or an entity). */
export function entityFields(): INodeProperties[] {
	return [
		{
			displayName: 'Type',
			name: 'type',
			type: 'options',
			options: [
				{ name: 'Action', value: 'action', description: 'An action defined in PostHog' },
				{ name: 'Event', value: 'event', description: 'An event by name' },
			],
			default: 'event',
		},
		eventNameLocator({
			displayName: 'Event Name',
			name: 'event',
			description: 'The event, exactly as PostHog stores it (the list needs the scope event_definition:read)',
			displayOptions: { show: { type: ['event'] } },
		}),
		actionLocator({
			displayName: 'Action',
			name: 'actionId',
			description: 'The action (the list needs the scope action:read)',
			displayOptions: { show: { type: ['action'] } },
		}),
	];
}

/** Date From (on screen) of every defined insight. */
export function dateFromProperty(defaultValue = '-30d'): INodeProperties {
	return {
		displayName: 'Date From',
		name: 'dateFrom',
		type: 'string',
		default: defaultValue,
		placeholder: 'e.g. -30d or 2024-01-01',
		description: 'Start of the date range: relative (-7d, -4w, -3m, -1mStart, all) or a date',
		displayOptions: { show: DEFINED_IN_NODE },
	};
}

/** Breakdown (None / Event Property / Person Property) and its property, on screen for defined insights. */
export function breakdownProperties(): INodeProperties[] {
	return [
		{
			displayName: 'Breakdown',
			name: 'breakdownType',
			type: 'options',
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'By Event Property', value: 'event' },
				{ name: 'By Person Property', value: 'person' },
			],
			default: 'none',
			description: 'Whether the insight is broken down by the values of a property',
			displayOptions: { show: DEFINED_IN_NODE },
		},
		propertyNameLocator(
			{
				displayName: 'Breakdown Property',
				name: 'breakdownProperty',
				required: true,
				description:
					'The property whose values break the insight down (the list shows event or person properties after Breakdown; needs the scope property_definition:read)',
				displayOptions: { show: { ...DEFINED_IN_NODE, breakdownType: ['event', 'person'] } },
			},
			'searchPropertyNames',
			'e.g. $browser',
		),
	];
}

/**
 * Where Insight Settings held the breakdown before it moved on screen: shown only while a
 * workflow from then still has a value, so it keeps working (and can be cleared).
 */
export function legacyBreakdownSettings(): INodeProperties[] {
	return [
		propertyNameLocator(
			{
				displayName: 'Breakdown Property (Old Setting)',
				name: 'breakdownProperty',
				description: 'Breakdown of a workflow made before Breakdown was on screen; used while Breakdown is None',
				displayOptions: { show: { breakdownProperty: [{ _cnd: { gt: '' } }] } },
			},
			'searchPropertyNames',
		),
		{
			displayName: 'Breakdown Type (Old Setting)',
			name: 'breakdownType',
			type: 'options',
			options: PROPERTY_TYPES,
			default: 'event',
			description: 'Whose property the old Breakdown Property is',
			displayOptions: { show: { breakdownType: [{ _cnd: { gt: '' } }] } },
		},
	];
}

/** Date To, test-account filter and property filters (Insight Settings of every defined insight). */
export function rangeAndFilterSettings(): INodeProperties[] {
	return [
		{
			displayName: 'Date To',
			name: 'dateTo',
			type: 'string',
			default: '',
			placeholder: 'e.g. 2024-01-31 or -1d',
			description: 'End of the date range (relative like -1d, or a date). Empty means now.',
		},
		{
			displayName: 'Filter Out Internal and Test Users',
			name: 'filterTestAccounts',
			type: 'boolean',
			default: false,
			description: "Whether to apply the project's internal and test account filters",
		},
		propertyFiltersProperty('propertyFilters', 'Property Filters', true, 'Only count events (and persons) matching all these conditions'),
	];
}

/** The Insight Settings collection of a defined insight. */
export function insightSettingsProperty(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Insight Settings',
		name: 'insightSettings',
		type: 'collection',
		placeholder: 'Add setting',
		default: {},
		displayOptions: { show: DEFINED_IN_NODE },
		options,
	};
}
