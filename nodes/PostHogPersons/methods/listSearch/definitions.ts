import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listRequest, nextToken, pageQuery } from './common';

/**
 * Event and property name fields: PostHog's event and property definitions matching a search,
 * 50 per page (scopes event_definition:read, property_definition:read). The value is the name.
 */

export async function searchEventNames(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { offset, qs } = pageQuery(filter, paginationToken);
	const response = await listRequest(this, 'event_definitions/', qs, 'events');
	const events = (response.body.results as IDataObject[] | undefined) ?? [];
	return {
		results: events.map((event) => ({
			name: String(event.name),
			value: String(event.name),
			description: event.last_seen_at ? `Last seen ${String(event.last_seen_at).slice(0, 10)}` : undefined,
		})),
		paginationToken: nextToken(response.body, offset),
	};
}

async function searchProperties(
	ctx: ILoadOptionsFunctions,
	type: 'event' | 'person',
	filter: string | undefined,
	paginationToken: string | undefined,
): Promise<INodeListSearchResult> {
	const { offset, qs } = pageQuery(filter, paginationToken, { type });
	const response = await listRequest(ctx, 'property_definitions/', qs, `${type} properties`);
	const definitions = (response.body.results as IDataObject[] | undefined) ?? [];
	return {
		results: definitions.map((definition) => ({
			name: String(definition.name),
			value: String(definition.name),
			description: definition.property_type ? String(definition.property_type) : undefined,
		})),
		paginationToken: nextToken(response.body, offset),
	};
}

export async function searchPersonPropertyNames(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchProperties(this, 'person', filter, paginationToken);
}

export async function searchEventPropertyNames(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchProperties(this, 'event', filter, paginationToken);
}

/** Event or person properties, after the field's sibling Type (filters) or Breakdown Type. */
export async function searchPropertyNames(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	// a filter row's Type, the Breakdown Type next to an old Breakdown Property setting, or Breakdown
	const sibling =
		this.getCurrentNodeParameter('&type') ?? this.getCurrentNodeParameter('&breakdownType') ?? this.getCurrentNodeParameter('breakdownType');
	return await searchProperties(this, sibling === 'person' ? 'person' : 'event', filter, paginationToken);
}
