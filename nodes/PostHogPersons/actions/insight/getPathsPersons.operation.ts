import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { pathNodeLocator } from '../descriptions/pickers';
import { dateFromProperty, insightSettingsProperty, rangeAndFilterSettings } from './definedFields.descriptions';
import type { InsightOperationSpec } from './insightPersons';
import { executeInsightPersons } from './insightPersons';
import { DEFINED_IN_NODE, insightOptionsProperty, insightSourceProperties } from './insightSource.descriptions';
import type { PathsSelector } from './paths.query';
import { definedPathsInsight } from './paths.query';

const NODE_KEY_HELP =
	'A node key is the step (counted from 1), an underscore and the page or event, exactly as in the paths: 2_https://example.com/pricing (the full URL without a trailing slash). A key that is not in the paths of this insight returns nobody.';

const properties: INodeProperties[] = [
	...insightSourceProperties('paths'),
	{
		displayName: 'Event Types',
		name: 'pathEventTypes',
		type: 'multiOptions',
		options: [
			{ name: 'Custom Events', value: 'custom_event', description: 'Your own events, by name' },
			{ name: 'Page Views', value: '$pageview', description: 'Pages, by their full URL' },
			{ name: 'Screen Views', value: '$screen', description: 'Mobile screens, by their screen name' },
		],
		default: ['$pageview'],
		description: 'What the steps of the paths are',
		displayOptions: { show: DEFINED_IN_NODE },
	},
	{
		displayName: 'Start Point',
		name: 'startPoint',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/pricing',
		description: 'Only paths from this page (full URL) or event on; empty for paths from anywhere',
		displayOptions: { show: DEFINED_IN_NODE },
	},
	{
		displayName: 'Steps',
		name: 'stepLimit',
		type: 'number',
		typeOptions: { minValue: 2 },
		default: 5,
		description: 'How many steps of each path to follow',
		displayOptions: { show: DEFINED_IN_NODE },
	},
	dateFromProperty('-7d'),
	insightSettingsProperty([
		{
			displayName: 'End Point',
			name: 'endPoint',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://example.com/signup',
			description: 'Only paths that lead to this page (full URL) or event, counted back from it',
		},
		{
			displayName: 'Exclude',
			name: 'excludeEvents',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://example.com/blog, $autocapture',
			description: 'Pages or events to leave out of the paths, separated by commas',
		},
		{
			displayName: 'Apply Path Cleaning Rules',
			name: 'pathReplacements',
			type: 'boolean',
			default: false,
			description: "Whether to apply the project's path cleaning rules to URLs (node keys then use the cleaned paths)",
		},
		...rangeAndFilterSettings(),
	]),
	{
		displayName: 'Persons',
		name: 'pathPersons',
		type: 'options',
		options: [
			{
				name: 'Continued From Node',
				value: 'continued',
				description: 'Persons who went on from the node to any next step ("Continuing" in PostHog)',
			},
			{
				name: 'Dropped Off at Node',
				value: 'droppedOff',
				description: 'Persons whose path ended at the node ("Dropping off" in PostHog)',
			},
			{
				name: 'Reached Node',
				value: 'reached',
				description: 'Persons whose paths reached the node',
			},
			{
				name: 'Went Along Edge',
				value: 'edge',
				description: 'Persons who went from one node straight to the next (a link between two nodes)',
			},
		],
		default: 'reached',
		description: 'Which persons of a node (or of a link between two nodes) of the paths',
	},
	pathNodeLocator(
		{
			displayName: 'Node',
			name: 'pathNode',
			required: true,
			description: `The node of the paths. The list runs the paths insight and shows its nodes. ${NODE_KEY_HELP}`,
			displayOptions: { show: { pathPersons: ['continued', 'droppedOff', 'reached'] } },
		},
		'searchPathNodes',
	),
	pathNodeLocator(
		{
			displayName: 'From Node',
			name: 'pathNode',
			required: true,
			description: `Where the link starts. The list runs the paths insight and shows its nodes. ${NODE_KEY_HELP}`,
			displayOptions: { show: { pathPersons: ['edge'] } },
		},
		'searchPathNodes',
	),
	pathNodeLocator(
		{
			displayName: 'To Node',
			name: 'pathNextNode',
			required: true,
			description: `Where the link goes: a node of the next step. The list shows the nodes the paths go to from From Node. ${NODE_KEY_HELP}`,
			displayOptions: { show: { pathPersons: ['edge'] } },
		},
		'searchPathNextNodes',
	),
	...returnAllOrLimit,
	insightOptionsProperty('paths'),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getPathsPersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

const spec: InsightOperationSpec<'paths'> = {
	kind: 'paths',
	readDefined: definedPathsInsight,
	readSelector(read): PathsSelector {
		const persons = read('pathPersons', 'reached') as PathsSelector['persons'];
		return {
			persons,
			node: String(read('pathNode', '', { picker: true }) ?? '').trim(),
			nextNode: persons === 'edge' ? String(read('pathNextNode', '', { picker: true }) ?? '').trim() : undefined,
		};
	},
	emptyHint: (selector) =>
		`No persons for ${selector.persons === 'edge' ? `the link ${selector.node} → ${selector.nextNode}` : `the node ${selector.node}`}. PostHog does not check node keys: a key that is not in the paths of this insight (wrong step number, URL with a trailing slash, a page path instead of the full URL) returns nobody. Pick the node from the list to be sure.`,
};

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, spec);
}
