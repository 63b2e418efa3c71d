import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listRequest, nextToken, pageQuery, projectAppUrl } from './common';

/** Person field: persons matching a search (email, name, distinct ID), newest first, 50 per page. */
export async function searchPersons(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { offset, qs } = pageQuery(filter, paginationToken);
	const response = await listRequest(this, 'persons/', qs, 'persons');
	const app = await projectAppUrl(this);
	const results = (response.body.results as IDataObject[] | undefined) ?? [];
	return {
		results: results.map((person) => {
			const distinctIds = (person.distinct_ids as string[] | undefined) ?? [];
			const email = (person.properties as IDataObject | undefined)?.email;
			const label = [person.name ?? email ?? distinctIds[0] ?? person.uuid, distinctIds[0]]
				.filter((part, index, all) => part !== undefined && all.indexOf(part) === index)
				.join(' · ');
			const uuid = String(person.uuid ?? person.id);
			return { name: String(label), value: uuid, url: app ? `${app}/persons/${encodeURIComponent(uuid)}` : undefined };
		}),
		paginationToken: nextToken(response.body, offset),
	};
}
