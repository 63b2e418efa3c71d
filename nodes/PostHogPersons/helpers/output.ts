import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_MAX_COLUMNS } from '../actions/descriptions/output';
import type { CsvOptions } from './csv';
import { CsvColumnLimitError, CsvWriter } from './csv';
import { ChunkStream } from './fileStream';
import { recordItems, withItemIndex } from './items';
import type { RecordPage } from './recordPages';

/**
 * The "Return As" choice of every read operation: one item per record, or one item holding a CSV
 * file. Paged operations hand over their pages as an async iterable; the CSV file is then written
 * page by page while n8n stores it (see ChunkStream), so neither all rows nor the whole text are
 * ever held by the node.
 */

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

/** CSV Options of the item. */
export function csvOptions(ctx: IExecuteFunctions, itemIndex: number): CsvOptions {
	const raw = (ctx.getNodeParameter('csvOptions', itemIndex, {}) ?? {}) as IDataObject;
	const names = String(raw.columns ?? '')
		.split(/[,\n]/)
		.map((name) => name.trim())
		.filter((name) => name !== '');
	const maxColumns = Number(raw.maxColumns ?? DEFAULT_MAX_COLUMNS);
	return {
		formulaProtection: raw.escapeFormulas !== false,
		columns: names.length > 0 ? names : undefined,
		maxColumns: Number.isFinite(maxColumns) && maxColumns >= 1 ? Math.floor(maxColumns) : DEFAULT_MAX_COLUMNS,
	};
}

/** Records per chunk of a CSV file (see csvChunks). */
const RECORDS_PER_CHUNK = 64;

/**
 * The CSV lines of records in chunks of RECORDS_PER_CHUNK records, each made when the reader asks
 * for it: a page's text as one string would be a large object in V8's heap, which only a full
 * garbage collection frees, and joining the chunks would copy every byte again. A page that makes
 * its records as they are read (see RecordPage) is thus converted a few records at a time.
 */
function* csvChunks(writer: CsvWriter, records: Iterable<IDataObject>): Generator<Buffer> {
	// one array for every batch (emptied after each), so a batch's records can go at once
	const batch: IDataObject[] = [];
	for (const record of records) {
		batch.push(record);
		if (batch.length === RECORDS_PER_CHUNK) {
			const text = writer.lines(batch);
			batch.length = 0;
			if (text !== '') yield Buffer.from(text, 'utf8');
		}
	}
	const text = batch.length > 0 ? writer.lines(batch) : '';
	if (text !== '') yield Buffer.from(text, 'utf8');
}

/**
 * One output item holding the records of `pages` as a CSV file, paired to the input item.
 * `sampleIsAll`: the first page holds every record (no `other_fields` column is needed).
 * `extraJson` is read once the file is complete (counts known only at the end).
 */
async function csvFileItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	pages: AsyncIterable<RecordPage>,
	fileBase: string,
	sampleIsAll: boolean,
	extraJson: () => IDataObject,
): Promise<INodeExecutionData[]> {
	const binaryPropertyName = String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') || 'data');
	const fileName = csvFileName(ctx, itemIndex, fileBase);
	const writer = new CsvWriter(csvOptions(ctx, itemIndex));
	let bytes = 0;
	async function* chunks(): AsyncGenerator<Buffer> {
		for await (const page of pages) {
			let records = page;
			if (!writer.started) {
				// the first page with records fixes the columns (see CsvWriter.header)
				const sample = Array.from(page);
				if (sample.length === 0) continue;
				const header = writer.header(sample, !sampleIsAll);
				if (header !== '') {
					const chunk = Buffer.from(header, 'utf8');
					bytes += chunk.length;
					yield chunk;
				}
				records = sample;
			}
			for (const chunk of csvChunks(writer, records)) {
				bytes += chunk.length;
				yield chunk;
			}
		}
		// no records: chosen columns still give a header; automatic ones an empty file
		if (!writer.started) {
			const header = writer.header([], false);
			if (header !== '') {
				const chunk = Buffer.from(header, 'utf8');
				bytes += chunk.length;
				yield chunk;
			}
		}
	}
	let binary;
	try {
		binary = await ctx.helpers.prepareBinaryData(new ChunkStream(chunks()).asBinaryStream(), fileName, 'text/csv');
	} catch (error) {
		if (error instanceof CsvColumnLimitError) {
			throw new NodeOperationError(ctx.getNode(), error.message, {
				itemIndex,
				description: `Choose the columns under CSV Options → Columns (for example: uuid, email, properties.plan, created_at), or raise CSV Options → Max Columns above ${error.columnCount}.`,
			});
		}
		throw withItemIndex(ctx, error, itemIndex);
	}
	return [
		{
			json: { fileName, rows: writer.rows, bytes, columns: writer.columnCount, ...extraJson() },
			binary: { [binaryPropertyName]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}

/**
 * Emits the records of one input item in the chosen format: one item per record, or one item
 * with a CSV file as binary data.
 */
export async function emitRecords(
	ctx: IExecuteFunctions,
	itemIndex: number,
	records: IDataObject[],
	fileBase: string,
	extraJson: IDataObject = {},
): Promise<INodeExecutionData[]> {
	if (outputFormat(ctx, itemIndex) === 'csv') {
		const pages = (async function* () {
			yield records;
		})();
		return await csvFileItem(ctx, itemIndex, pages, fileBase, true, () => extraJson);
	}
	return recordItems(records, itemIndex);
}

/**
 * Emits records that arrive page by page. Items: all records as items. CSV: the file is written
 * while the pages arrive (the header from the first page, see CsvWriter).
 */
export async function emitRecordPages(
	ctx: IExecuteFunctions,
	itemIndex: number,
	pages: AsyncIterable<RecordPage>,
	fileBase: string,
	extraJson: () => IDataObject = () => ({}),
): Promise<INodeExecutionData[]> {
	if (outputFormat(ctx, itemIndex) === 'csv') {
		return await csvFileItem(ctx, itemIndex, pages, fileBase, false, extraJson);
	}
	const items: INodeExecutionData[] = [];
	for await (const records of pages) {
		for (const json of records) items.push({ json, pairedItem: { item: itemIndex } });
	}
	return items;
}
