/** What the benchmarks share: sizes (full or --quick), logging, statistics. */
export const quick = process.argv.includes('--quick');

export const SIZES = quick
	? { deleteIds: 5_000, rateCalls: 1_200, listPersons: 10_000, insightPersons: 3_000, csvRows: 10_000, csvLargeRows: 50_000, listRuns: 3 }
	: { deleteIds: 100_000, rateCalls: 2_400, listPersons: 100_000, insightPersons: 50_000, csvRows: 100_000, csvLargeRows: 1_000_000, listRuns: 11 };

export const log = (text: string) => console.log(text);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A total-value trends query whose one data point holds everyone with a pageview in the last 60 days. */
export const PAGEVIEWS_TRENDS_QUERY = {
	kind: 'TrendsQuery',
	series: [{ kind: 'EventsNode', event: '$pageview' }],
	dateRange: { date_from: '-60d' },
	trendsFilter: { display: 'BoldNumber' },
};

/** One benchmark: `run` returns its figures (stored under `key` in the results file) and table rows. */
export interface Benchmark {
	key: string;
	title: string;
	run(): Promise<{ results: Record<string, unknown>; table: Array<[string, string, string]> }>;
}
