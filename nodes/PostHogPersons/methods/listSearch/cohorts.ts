import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listRequest, nextToken, pageQuery, projectAppUrl } from './common';

/** Cohort field: cohorts matching a search (name), 50 per page (scope cohort:read). */
export async function searchCohorts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { offset, qs } = pageQuery(filter, paginationToken, { basic: true });
	const response = await listRequest(this, 'cohorts/', qs, 'cohorts');
	const app = await projectAppUrl(this);
	const cohorts = ((response.body.results as IDataObject[] | undefined) ?? []).filter((cohort) => cohort.deleted !== true);
	return {
		results: cohorts.map((cohort) => {
			const count = typeof cohort.count === 'number' ? `${cohort.count} persons` : 'not calculated yet';
			return {
				name: String(cohort.name || `Cohort ${String(cohort.id)}`),
				value: String(cohort.id),
				description: `${count}${cohort.is_static ? ' · static' : ''} · ID ${String(cohort.id)}`,
				url: app ? `${app}/cohorts/${String(cohort.id)}` : undefined,
			};
		}),
		paginationToken: nextToken(response.body, offset),
	};
}
