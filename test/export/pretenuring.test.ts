/**
 * The records of Get Many are made without object or array literals, so V8 never ties them to an
 * allocation site. With a site, V8 counts at each minor GC how many of the site's objects are still
 * alive; a GC while a whole page of records is alive can make it allocate every later record in
 * the old generation ("pretenuring"), where records of a CSV export stay as garbage until a full
 * GC (a 100,000-person export then peaked about 50 MB higher, in about one run in eight).
 *
 * Checked in a child process with V8's pretenuring statistics: after two small exports and a GC
 * (objects made once per run are decided then), no allocation site may count about a page of
 * objects (1000) between two GCs, as the literals of the records did (2991 created, 1991 still
 * alive, at 12,000 persons).
 *
 * The objects made once per page that hold a page (the HTTP answer, the query answer, its rows)
 * are class instances for the same reason: as literals, V8 put them in the old generation after a
 * few GCs, where each one, garbage or not, kept its page's text and rows alive through every minor
 * GC until a full one (at pages of 100 a 100,000-person export peaked 90 MB higher). Checked with
 * V8's statistics of every GC: the share of allocated bytes that minor GCs move to the old
 * generation.
 */
import { spawn } from 'child_process';
import * as path from 'path';

import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const PERSONS = 12_000;
const getSandbox = useSandbox({ persons: PERSONS, eventsPerPerson: 0, rateLimits: false });

async function runChild(credentials: object, pageSize?: number): Promise<{ stdout: string; code: number }> {
	const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'pretenuringChild.ts')], {
		env: { ...process.env, TEST_CREDENTIALS: JSON.stringify(credentials), ...(pageSize ? { TEST_PAGE_SIZE: String(pageSize) } : {}) },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let stdout = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	const code = await new Promise<number>((resolve) => child.on('close', (exitCode) => resolve(exitCode ?? 1)));
	return { stdout, code };
}

describe('Get Many records and V8 pretenuring', () => {
	it('no allocation site makes an object per person (records as they are and simplified, as CSV)', async () => {
		const { stdout, code } = await runChild(sandboxCredentials(getSandbox()));
		expect(code).toBe(0);
		const lines = stdout.trim().split('\n');
		expect(JSON.parse(lines[lines.length - 1])).toEqual({ rows: [PERSONS, PERSONS] });
		expect(lines).toContain('--- export ---');
		const exported = lines.slice(lines.indexOf('--- export ---'));
		// "pretenuring: AllocationSite(0x…): (created, found, ratio) (991, 991, 1.000000) undecided => tenure"
		const counts = exported
			.map((line) => /AllocationSite\(\w+\): \(created, found, ratio\) \((\d+), (\d+),/.exec(line))
			.filter((match): match is RegExpExecArray => match !== null)
			.map((match) => ({ created: Number(match[1]), found: Number(match[2]) }));
		// the statistics are on (sites of Node's and n8n's own objects, in the tens to hundreds)
		expect(counts.length).toBeGreaterThan(0);
		const perPerson = counts.filter((count) => count.created >= 900);
		expect(perPerson).toEqual([]);
	}, 120_000);

	it('objects made per page do not keep pages alive: few bytes survive into the old generation (CSV, pages of 100)', async () => {
		const { stdout, code } = await runChild(sandboxCredentials(getSandbox()), 100);
		expect(code).toBe(0);
		const lines = stdout.trim().split('\n');
		expect(JSON.parse(lines[lines.length - 1])).toEqual({ rows: [PERSONS, PERSONS] });
		// "… gc=s … allocated=11268744 promoted=151336 …" for every minor GC of the export
		const scavenges = lines
			.slice(lines.indexOf('--- export ---'))
			.filter((line) => / gc=s /.test(line))
			.map((line) => ({ allocated: Number(/ allocated=(\d+)/.exec(line)?.[1]), promoted: Number(/ promoted=(\d+)/.exec(line)?.[1]) }));
		expect(scavenges.length).toBeGreaterThan(5);
		const allocated = scavenges.reduce((sum, gc) => sum + gc.allocated, 0);
		const promoted = scavenges.reduce((sum, gc) => sum + gc.promoted, 0);
		// measured: about 4 %; with object literals for the answers and pages (once V8 put them in the
		// old generation, each kept its page alive through every minor GC): about 26 %
		expect(promoted / allocated).toBeLessThan(0.12);
	}, 120_000);
});
