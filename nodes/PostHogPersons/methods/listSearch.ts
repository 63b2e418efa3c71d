import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { apiRequest } from '../transport';

const PAGE_SIZE = 50;

/** "From List" of the Person field: persons matching a search, newest first, 50 per page. */
export async function searchPersons(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const offset = Number(paginationToken ?? 0) || 0;
	const qs: IDataObject = { limit: PAGE_SIZE, offset };
	if (filter && filter.trim() !== '') qs.search = filter.trim();
	const response = await apiRequest.call(this, {
		method: 'GET',
		endpoint: 'persons/',
		qs,
		requestClass: 'persons',
		idempotent: true,
	});
	const results = (response.body.results as IDataObject[] | undefined) ?? [];
	return {
		results: results.map((person) => {
			const distinctIds = (person.distinct_ids as string[] | undefined) ?? [];
			const email = (person.properties as IDataObject | undefined)?.email;
			const label = [person.name ?? email ?? distinctIds[0] ?? person.uuid, distinctIds[0]]
				.filter((part, index, all) => part !== undefined && all.indexOf(part) === index)
				.join(' · ');
			return { name: String(label), value: String(person.uuid ?? person.id) };
		}),
		paginationToken: response.body.next ? String(offset + PAGE_SIZE) : undefined,
	};
}
