/**
 * A sandbox in its own process, for benchmarks that compare client-side work: PostHog is never in
 * the client's process, and an in-process sandbox would share the client's thread and heap (its
 * JSON serialisation would wait for the client's garbage collection, and the other way round).
 * The parent talks to it over the IPC channel: the first query body the node sent, the persons'
 * UUIDs, cache settings.
 */
import { fork, type ChildProcess } from 'child_process';

import type { SandboxKeys, SandboxOptions } from '../../sandbox';

type Request = { id: number; op: 'firstQueryBody' | 'uuids' | 'stop' | 'settings'; settings?: Record<string, unknown> };
type Reply = { id: number; ok: boolean; value?: unknown; error?: string };

export interface SandboxProcess {
	url: string;
	projectId: number;
	keys: SandboxKeys;
	/** The body of the first `POST query/` the sandbox received. */
	firstQueryBody(): Promise<{ query: Record<string, unknown>; [field: string]: unknown }>;
	personUuids(): Promise<string[]>;
	setSettings(settings: Record<string, unknown>): Promise<void>;
	stop(): Promise<void>;
}

export async function startSandboxProcess(options: SandboxOptions): Promise<SandboxProcess> {
	const child: ChildProcess = fork(__filename, ['--child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
	let nextId = 1;
	const started = new Promise<{ url: string; projectId: number; keys: SandboxKeys }>((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code}`)));
		child.on('message', (message: Reply & { started?: { url: string; projectId: number; keys: SandboxKeys } }) => {
			if (message.started) return resolve(message.started);
			const waiting = pending.get(message.id);
			pending.delete(message.id);
			if (message.ok) waiting?.resolve(message.value);
			else waiting?.reject(new Error(message.error));
		});
	});
	child.send({ options });
	const info = await started;
	const call = (request: Omit<Request, 'id'>) =>
		new Promise<unknown>((resolve, reject) => {
			const id = nextId++;
			pending.set(id, { resolve, reject });
			child.send({ ...request, id });
		});
	return {
		...info,
		firstQueryBody: async () => (await call({ op: 'firstQueryBody' })) as { query: Record<string, unknown> },
		personUuids: async () => (await call({ op: 'uuids' })) as string[],
		setSettings: async (settings) => void (await call({ op: 'settings', settings })),
		stop: async () => {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			await call({ op: 'stop' });
			await exited;
		},
	};
}

async function childMain() {
	const { startSandbox } = await import('../../sandbox');
	const { options } = await new Promise<{ options: SandboxOptions }>((resolve) => process.once('message', resolve));
	const sandbox = await startSandbox(options);
	process.on('message', async (request: Request) => {
		const reply = (value?: unknown) => process.send?.({ id: request.id, ok: true, value } satisfies Reply);
		try {
			switch (request.op) {
				case 'firstQueryBody': {
					const entry = sandbox.requests.find((logged) => logged.method === 'POST' && /\/query\/$/.test(logged.path));
					if (!entry) throw new Error('the sandbox received no query');
					return reply(entry.body);
				}
				case 'uuids':
					return reply([...sandbox.store.personsByUuid.keys()]);
				case 'settings':
					Object.assign(sandbox.store.settings, request.settings);
					return reply();
				case 'stop':
					await sandbox.stop();
					reply();
					return process.disconnect();
			}
		} catch (error) {
			process.send?.({ id: request.id, ok: false, error: String(error) } satisfies Reply);
		}
	});
	process.send?.({ started: { url: sandbox.url, projectId: sandbox.projectId, keys: sandbox.keys } });
}

if (process.argv.includes('--child')) childMain().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
