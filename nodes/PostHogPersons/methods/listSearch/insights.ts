import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { INSIGHT_KINDS, kindOfOperation, sourceKindTitle } from '../../actions/insight/kinds';
import { listRequest, nextToken, pageQuery, projectAppUrl } from './common';

function sourceOf(insight: IDataObject): IDataObject | undefined {
	const query = insight.query as IDataObject | undefined;
	return query?.kind === 'InsightVizNode' ? (query.source as IDataObject | undefined) : undefined;
}

/** What an insight is, for its entry: "Funnel (conversion over time) · AbC123xy". */
function kindLabel(source: IDataObject | undefined): string {
	const kind = String(source?.kind ?? '');
	let label = sourceKindTitle(kind);
	if (kind === 'FunnelsQuery' && (source?.funnelsFilter as IDataObject | undefined)?.funnelVizType === 'trends') {
		label += ' (conversion over time)';
	}
	return label;
}

/**
 * Saved Insight field: saved insights matching a search (name, description, tags), only of the
 * kind the operation reads (`insight=` filter), newest first when not searching, 50 per page.
 */
export async function searchInsights(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const kind = kindOfOperation(String(this.getCurrentNodeParameter('operation') ?? ''));
	const { offset, qs } = pageQuery(filter, paginationToken, { basic: true, saved: true });
	if (kind) qs.insight = INSIGHT_KINDS[kind].listFilter;
	if (qs.search === undefined) qs.order = '-last_modified_at';
	const response = await listRequest(this, 'insights/', qs, 'saved insights', 'query');
	const app = await projectAppUrl(this);
	const wanted = kind ? INSIGHT_KINDS[kind].sourceKind : undefined;
	const results = ((response.body.results as IDataObject[] | undefined) ?? []).filter((insight) => {
		if (insight.deleted === true) return false;
		// servers that ignore `insight=` still only get insights of the kind the operation reads
		return wanted === undefined || sourceOf(insight)?.kind === wanted;
	});
	return {
		results: results.map((insight) => {
			const shortId = String(insight.short_id ?? insight.id);
			return {
				name: String(insight.name || insight.derived_name || 'Unnamed'),
				value: shortId,
				description: `${kindLabel(sourceOf(insight))} · ${shortId}`,
				url: app ? `${app}/insights/${encodeURIComponent(shortId)}` : undefined,
			};
		}),
		paginationToken: nextToken(response.body, offset),
	};
}
