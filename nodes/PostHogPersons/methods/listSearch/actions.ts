import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listRequest, localPage, matches, projectAppUrl } from './common';

/**
 * Action field: PostHog lists all actions at once (`actions/` is not paginated and has no
 * search), so the node searches names and IDs itself and pages by 100 (scope action:read).
 */
export async function searchActions(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const response = await listRequest(this, 'actions/', undefined, 'actions');
	const app = await projectAppUrl(this);
	const actions = ((response.body.results as IDataObject[] | undefined) ?? []).filter(
		(action) => action.deleted !== true && matches(filter, action.name, action.id),
	);
	const entries = actions.map((action) => ({
		name: String(action.name || `Action ${String(action.id)}`),
		value: String(action.id),
		description: `ID ${String(action.id)}${action.description ? ` · ${String(action.description)}` : ''}`,
		url: app ? `${app}/data-management/actions/${String(action.id)}` : undefined,
	}));
	return localPage(entries, paginationToken);
}
