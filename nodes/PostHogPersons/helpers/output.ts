import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toCsv } from './csv';
import { recordItems } from './items';

export type OutputFormat = 'items' | 'csv';

export function outputFormat(ctx: IExecuteFunctions, itemIndex: number): OutputFormat {
	return ctx.getNodeParameter('output', itemIndex, 'items') === 'csv' ? 'csv' : 'items';
}

function csvFileName(ctx: IExecuteFunctions, itemIndex: number, fallbackBase: string): string {
	const given = String(ctx.getNodeParameter('fileName', itemIndex, '') ?? '').trim();
	if (given) return given.toLowerCase().endsWith('.csv') ? given : `${given}.csv`;
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	return `${fallbackBase}-${stamp}.csv`;
}

/** One output item holding a CSV file (text already rendered) as binary data, paired to the input item. */
export async function csvItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	csv: string,
	rows: number,
	fileBase: string,
	extraJson: IDataObject = {},
): Promise<INodeExecutionData[]> {
	const binaryPropertyName = String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') || 'data');
	const fileName = csvFileName(ctx, itemIndex, fileBase);
	const binary = await ctx.helpers.prepareBinaryData(Buffer.from(csv, 'utf8'), fileName, 'text/csv');
	return [
		{
			json: { fileName, rows, bytes: Buffer.byteLength(csv, 'utf8'), ...extraJson },
			binary: { [binaryPropertyName]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}

/**
 * Emits the records of one input item in the chosen Output: one item per record, or one item
 * with a CSV file (flattened like PostHog's CSV renderer) as binary data.
 */
export async function emitRecords(
	ctx: IExecuteFunctions,
	itemIndex: number,
	records: IDataObject[],
	fileBase: string,
	extraJson: IDataObject = {},
): Promise<INodeExecutionData[]> {
	if (outputFormat(ctx, itemIndex) === 'csv') {
		return await csvItem(ctx, itemIndex, toCsv(records), records.length, fileBase, extraJson);
	}
	return recordItems(records, itemIndex);
}
