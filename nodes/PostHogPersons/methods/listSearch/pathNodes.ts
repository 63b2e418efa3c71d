import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InsightInputError } from '../../actions/insight/dataPointChecks';
import { insightInputError, resolveInsightSource } from '../../actions/insight/insightSource';
import { definedPathsInsight, withoutPathKeys } from '../../actions/insight/paths.query';
import { locatorValue, panelParameters } from '../../helpers/parameters';
import { apiRequest } from '../../transport';
import { localPage, matches, scopeError } from './common';

/**
 * Node fields of Get Paths Persons: the node keys of the insight's paths, read from its
 * PathsQuery result (one `POST query/`, like opening the insight in PostHog), so a key is always
 * one PostHog knows. Each link of the result is `{source, target, value}`.
 */

interface PathNode {
	key: string;
	step: number;
	/** paths that arrived at the node (sum of incoming links) */
	arrived: number;
	/** paths that went on from the node (sum of outgoing links) */
	continued: number;
}

async function pathLinks(ctx: ILoadOptionsFunctions): Promise<IDataObject[]> {
	const read = panelParameters(ctx, 'The list of path nodes');
	let source: IDataObject;
	try {
		source = (await resolveInsightSource.call(ctx, 'paths', read, definedPathsInsight)).source;
	} catch (error) {
		if (error instanceof InsightInputError) throw insightInputError(ctx, error);
		throw scopeError(ctx, error, 'saved insights');
	}
	let response;
	try {
		response = await apiRequest.call(ctx, {
			method: 'POST',
			endpoint: 'query/',
			body: { query: withoutPathKeys(source), refresh: 'blocking', name: 'n8n: Get Paths Persons (list of nodes)' },
			requestClass: 'query',
			idempotent: true,
		});
	} catch (error) {
		throw scopeError(ctx, error, 'path nodes');
	}
	const status = response.body.query_status as IDataObject | undefined;
	if (response.statusCode === 202 || (status && status.complete === false)) {
		throw new NodeOperationError(ctx.getNode(), 'PostHog is still computing the paths', {
			description: 'Open the list again in a moment, or type the node key.',
		});
	}
	return ((response.body.results as IDataObject[] | undefined) ?? []).filter(
		(link) => typeof link.source === 'string' && typeof link.target === 'string',
	);
}

function nodesOf(links: IDataObject[]): PathNode[] {
	const nodes = new Map<string, PathNode>();
	const node = (key: string) => {
		let entry = nodes.get(key);
		if (!entry) {
			entry = { key, step: Number(/^(\d+)_/.exec(key)?.[1] ?? 0), arrived: 0, continued: 0 };
			nodes.set(key, entry);
		}
		return entry;
	};
	for (const link of links) {
		const value = Number(link.value ?? 0);
		node(String(link.source)).continued += value;
		node(String(link.target)).arrived += value;
	}
	return [...nodes.values()].sort((a, b) => a.step - b.step || b.arrived + b.continued - (a.arrived + a.continued) || a.key.localeCompare(b.key));
}

function entry(node: PathNode, count: string): INodeListSearchItems {
	return { name: node.key, value: node.key, description: count };
}

/** Every node of the paths, by step, the busiest first. */
export async function searchPathNodes(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const nodes = nodesOf(await pathLinks(this)).filter((node) => matches(filter, node.key));
	const entries = nodes.map((node) =>
		entry(node, node.step === 1 ? `Step 1 · ${node.continued} went on` : `Step ${node.step} · ${node.arrived} arrived · ${node.continued} went on`),
	);
	return localPage(entries, paginationToken);
}

/** The nodes the paths go to straight from From Node (the targets of its links). */
export async function searchPathNextNodes(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const from = String(locatorValue(this.getCurrentNodeParameter('pathNode')) ?? '').trim();
	if (from === '') {
		throw new NodeOperationError(this.getNode(), 'Pick From Node first', {
			description: 'The list shows the nodes the paths go to from From Node.',
		});
	}
	const links = (await pathLinks(this)).filter((link) => link.source === from && matches(filter, link.target));
	const entries = links
		.sort((a, b) => Number(b.value ?? 0) - Number(a.value ?? 0))
		.map((link) => ({ name: String(link.target), value: String(link.target), description: `${Number(link.value ?? 0)} went this way` }));
	return localPage(entries, paginationToken);
}
