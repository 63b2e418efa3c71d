/**
 * What the node's panel shows, computed with n8n-workflow's own display rules (the ones the
 * editor and the engine apply): data point fields only where they apply, Data Point Options for
 * saved insights and raw JSON, old top-level fields only while an earlier workflow holds a value;
 * and the typed resource → operation map against the Operation lists.
 */
import type { INode, INodeParameters, INodeProperties } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { PostHogPersons } from '../../nodes/PostHogPersons/PostHogPersons.node';
import { resources } from '../../nodes/PostHogPersons/actions/router';

const type = new PostHogPersons();
// the description as the editor gets it (JSON from n8n's REST API: no `undefined` left)
const properties = JSON.parse(JSON.stringify(type.description.properties)) as INodeProperties[];

/** The names of the top-level fields the panel shows for these parameters (defaults filled in as n8n does). */
function shown(parameters: INodeParameters): string[] {
	const node = { typeVersion: 1, parameters } as unknown as INode;
	const values = NodeHelpers.getNodeParameters(properties, parameters, true, false, node, type.description) as INodeParameters;
	return properties
		.filter((property) => NodeHelpers.displayParameter(values, property, node, type.description))
		.map((property) => property.name)
		.filter((name, index, all) => all.indexOf(name) === index);
}

const insight = (operation: string, parameters: INodeParameters = {}) => shown({ resource: 'insight', operation, ...parameters });

describe('data point fields are shown where they apply', () => {
	test('saved funnel: Step and Data Point Options; no entrance period or breakdown fields on screen', () => {
		const fields = insight('getFunnelPersons', { insightSource: 'saved' });
		expect(fields).toEqual(expect.arrayContaining(['insightId', 'dataPoint', 'step', 'dataPointOptions']));
		for (const hidden of ['entrancePeriodStart', 'breakdownValue', 'dataPointEntrancePeriod', 'dataPointBreakdown', 'insightSeries', 'breakdownType']) {
			expect([hidden, fields.includes(hidden)]).toEqual([hidden, false]);
		}
	});

	test('defined funnel: Breakdown Value only with a breakdown, Entrance Period Start (and no Step) only over time', () => {
		const steps = insight('getFunnelPersons', { insightSource: 'defined' });
		expect(steps).toEqual(expect.arrayContaining(['insightSeries', 'funnelVizType', 'breakdownType', 'step']));
		expect(steps).not.toContain('dataPointBreakdown');
		expect(steps).not.toContain('dataPointEntrancePeriod');
		expect(steps).not.toContain('dataPointOptions');
		const withBreakdown = insight('getFunnelPersons', { insightSource: 'defined', breakdownType: 'event' });
		expect(withBreakdown).toEqual(expect.arrayContaining(['breakdownProperty', 'dataPointBreakdown']));
		const overTime = insight('getFunnelPersons', { insightSource: 'defined', funnelVizType: 'trends' });
		expect(overTime).toContain('dataPointEntrancePeriod');
		expect(overTime).not.toContain('step');
	});

	test('trends: Period only when comparing (defined), in Data Point Options otherwise', () => {
		expect(insight('getTrendsPersons', { insightSource: 'defined' })).not.toContain('dataPointPeriod');
		expect(insight('getTrendsPersons', { insightSource: 'defined', comparePrevious: true })).toContain('dataPointPeriod');
		const saved = insight('getTrendsPersons', { insightSource: 'json' });
		expect(saved).toContain('dataPointOptions');
		expect(saved).not.toContain('compare');
		const options = properties.find((property) => property.name === 'dataPointOptions' && JSON.stringify(property.displayOptions).includes('getTrendsPersons')) as INodeProperties;
		expect((options.options as INodeProperties[]).map((option) => option.name)).toEqual(['breakdownValue', 'compare']);
	});

	test('a workflow made before Data Point Options shows its old top-level values (and only those)', () => {
		const legacy = insight('getFunnelPersons', { insightSource: 'saved', breakdownValue: 'Chrome' });
		expect(legacy).toContain('breakdownValue');
		expect(legacy).not.toContain('entrancePeriodStart');
		expect(insight('getTrendsPersons', { insightSource: 'saved', compare: 'previous' })).toContain('compare');
		expect(insight('getTrendsPersons', { insightSource: 'saved', compare: 'current' })).not.toContain('compare');
		// n8n keeps the value when it loads the workflow
		const node = { typeVersion: 1 } as INode;
		const kept = NodeHelpers.getNodeParameters(properties, { resource: 'insight', operation: 'getTrendsPersons', insightSource: 'saved', breakdownValue: 'Chrome', compare: 'previous' }, true, false, node, type.description);
		expect(kept).toMatchObject({ breakdownValue: 'Chrome', compare: 'previous' });
	});

	test('the settings of earlier workflows are not offered under Insight Settings, but shown while set', () => {
		const settingsOf = (operation: string) =>
			properties.find((property) => property.name === 'insightSettings' && JSON.stringify(property.displayOptions).includes(operation)) as INodeProperties;
		const offered = (operation: string, settings: INodeParameters) => {
			const node = { typeVersion: 1, parameters: {} } as unknown as INode;
			return (settingsOf(operation).options as INodeProperties[])
				.filter((option) => NodeHelpers.displayParameter(settings, option, node, type.description))
				.map((option) => option.name);
		};
		const fresh = offered('getTrendsPersons', {});
		expect(fresh).toEqual(expect.arrayContaining(['dateTo', 'filterTestAccounts', 'propertyFilters', 'totalValue']));
		for (const old of ['breakdownProperty', 'breakdownType', 'compare']) expect([old, fresh.includes(old)]).toEqual([old, false]);
		expect(offered('getTrendsPersons', { breakdownProperty: '$browser', breakdownType: 'person', compare: true })).toEqual(
			expect.arrayContaining(['breakdownProperty', 'breakdownType', 'compare']),
		);
	});

	test('retention and paths: defined fields only for defined insights; To Node only for a link', () => {
		expect(insight('getRetentionPersons', { insightSource: 'saved' })).toEqual(expect.arrayContaining(['insightId', 'cohortRow', 'dataPointOptions']));
		expect(insight('getRetentionPersons', { insightSource: 'saved' })).not.toContain('startEvent');
		expect(insight('getRetentionPersons', { insightSource: 'defined' })).toEqual(expect.arrayContaining(['startType', 'startEvent', 'returningEvent', 'retentionType', 'period', 'totalIntervals', 'cohortRow']));
		expect(insight('getRetentionPersons', { insightSource: 'defined', startType: 'action' })).toContain('startAction');
		expect(insight('getPathsPersons', { insightSource: 'saved' })).toContain('pathNode');
		expect(insight('getPathsPersons', { insightSource: 'saved' })).not.toContain('pathNextNode');
		expect(insight('getPathsPersons', { insightSource: 'saved', pathPersons: 'edge' })).toContain('pathNextNode');
	});
});

describe('the resource → operation map', () => {
	test('every operation of the Operation lists has a module, and every module an entry in its list', () => {
		for (const resource of Object.keys(resources) as Array<keyof typeof resources>) {
			const list = properties.find((property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(resource));
			const values = (list?.options as Array<{ value: string }>).map((option) => option.value).sort();
			expect([resource, values]).toEqual([resource, Object.keys(resources[resource]).sort()]);
		}
	});

	test('Insight operations are sorted by name and each says what it does without an article', () => {
		const list = properties.find((property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes('insight'));
		const options = list?.options as Array<{ name: string; action: string }>;
		expect(options.map((option) => option.name)).toEqual([...options.map((option) => option.name)].sort());
		expect(options.map((option) => option.name)).toEqual(expect.arrayContaining(['Get Retention Persons', 'Get Paths Persons']));
		for (const option of options) expect(option.action).toMatch(/^Get [a-z ]+ persons$/);
	});
});
