// npx tsx sandbox/cli.ts [--port 8010] [--seed 42] [--persons 2000] [--events-per-person 6] [--time-scale 1]
//                        [--no-rate-limits] [--bulk-delete-mode sync|queued] [--now ISO] [--project-id 1] [--host 127.0.0.1]

import { describeKeys, startSandbox, type SandboxOptions } from './index';

function parseArgs(argv: string[]): SandboxOptions & { help?: boolean } {
	const opts: SandboxOptions & { help?: boolean } = { port: 8010 };
	const num = (name: string, v: string | undefined): number => {
		const n = Number(v);
		if (v === undefined || !Number.isFinite(n)) throw new Error(`${name} needs a number`);
		return n;
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--port':
				opts.port = num(flag, value());
				break;
			case '--host':
				opts.host = value();
				break;
			case '--seed':
				opts.seed = num(flag, value());
				break;
			case '--persons':
				opts.persons = num(flag, value());
				break;
			case '--events-per-person':
				opts.eventsPerPerson = num(flag, value());
				break;
			case '--time-scale':
				opts.timeScale = num(flag, value());
				break;
			case '--project-id':
				opts.projectId = num(flag, value());
				break;
			case '--now':
				opts.now = value();
				break;
			case '--no-rate-limits':
				opts.rateLimits = false;
				break;
			case '--bulk-delete-mode': {
				const mode = value();
				if (mode !== 'sync' && mode !== 'queued') throw new Error('--bulk-delete-mode is sync or queued');
				opts.bulkDeleteMode = mode;
				break;
			}
			case '--quiet':
				opts.quiet = true;
				break;
			case '-h':
			case '--help':
				opts.help = true;
				break;
			default:
				throw new Error(`unknown argument ${arg}`);
		}
	}
	return opts;
}

async function main(): Promise<void> {
	const t0 = performance.now();
	let opts: ReturnType<typeof parseArgs>;
	try {
		opts = parseArgs(process.argv.slice(2));
	} catch (err) {
		console.error(String((err as Error).message));
		process.exit(2);
	}
	if (opts.help) {
		console.log(
			'Usage: npx tsx sandbox/cli.ts [--port 8010] [--host 127.0.0.1] [--seed 42] [--persons 2000] [--events-per-person 6]\n' +
				'                              [--time-scale 1] [--no-rate-limits] [--bulk-delete-mode sync|queued] [--now ISO] [--project-id 1]',
		);
		return;
	}
	const sandbox = await startSandbox(opts);
	const readyMs = performance.now() - t0;
	const infos = describeKeys(opts.seed ?? 42, sandbox.projectId);
	const lines = [
		`PostHog sandbox listening on ${sandbox.url}`,
		`  project id: ${sandbox.projectId}   (persons: ${sandbox.store.personsByUuid.size}, events: ${sandbox.store.events.length})`,
		`  rate limits: ${opts.rateLimits === false ? 'off (self-hosted default)' : `on (PostHog Cloud), time scale ${opts.timeScale ?? 1}`}`,
		`  bulk delete mode: ${opts.bulkDeleteMode ?? 'sync'}`,
		'  personal API keys (Authorization: Bearer <key>):',
		...infos.map((k) => `    ${k.name.padEnd(13)} ${k.value}  scopes: ${k.scopes.join(' ')}${k.scopedTeams.length ? `  (project ${k.scopedTeams.join(', ')} only)` : ''}`),
		`  example: curl -H "Authorization: Bearer ${infos[0].value}" ${sandbox.url}/api/projects/${sandbox.projectId}/persons/?limit=2`,
		`  ready in ${Math.round(readyMs)} ms (process start to listening: ${Math.round(performance.now())} ms)`,
	];
	console.log(lines.join('\n'));
	const shutdown = () => {
		void sandbox.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

void main();
