/**
 * Screenshots of the PostHog Persons node in n8n's editor, saved to docs/screenshots/:
 *
 *   workflow-canvas.png      a workflow with the node on the canvas
 *   node-panel.png           the node's panel (NDV) open with its parameters
 *   insight-*.png            with --insight-panels: the panel of every Insight operation (insightPanels.ts)
 *
 * Uses the n8n of a running `npm run dev` (found through .e2e/dev/state.json), or starts that
 * environment itself and stops it afterwards. Drives headless Chromium (/usr/bin/chromium,
 * installed with apt-get when missing) through playwright-core (a devDependency).
 *
 *   npx tsx scripts/e2e/screenshot.ts [--workflow <id>] [--node "<node name>"] [--no-execute]
 *
 * By default it picks a workflow whose PostHog node only reads, opens the node and runs it
 * ("Execute step") so the panel shows the sandbox's persons; a deleting node is never run.
 *
 * A dev convenience, not part of CI.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { DEV_STATE, startDev, type DevState } from './dev';
import { shootInsightPanels, type PanelPage } from './insightPanels';
import { ROOT } from './lib/paths';
import { cleanupAll, installSignalHandlers, log } from './lib/procs';
import { readWorkflow } from './lib/setup';

const OUT_DIR = path.join(ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// the small part of playwright-core's API used here (kept local so the type check does not need the package)
interface Locator {
	first(): Locator;
	count(): Promise<number>;
	click(options?: Record<string, unknown>): Promise<void>;
	dblclick(options?: Record<string, unknown>): Promise<void>;
	fill(value: string): Promise<void>;
	waitFor(options?: Record<string, unknown>): Promise<void>;
	isVisible(): Promise<boolean>;
}
interface Page {
	goto(url: string, options?: Record<string, unknown>): Promise<unknown>;
	locator(selector: string): Locator;
	getByText(text: string, options?: Record<string, unknown>): Locator;
	waitForURL(url: RegExp | string | ((url: URL) => boolean), options?: Record<string, unknown>): Promise<void>;
	waitForTimeout(ms: number): Promise<void>;
	screenshot(options: Record<string, unknown>): Promise<unknown>;
	keyboard: { press(key: string): Promise<void> };
	url(): string;
}
interface Browser {
	newContext(options: Record<string, unknown>): Promise<{ newPage(): Promise<Page> }>;
	close(): Promise<void>;
}
interface PlaywrightCore {
	chromium: { launch(options: Record<string, unknown>): Promise<Browser> };
}

function loadPlaywright(): PlaywrightCore {
	try {
		return require('playwright-core') as PlaywrightCore;
	} catch {
		throw new Error('playwright-core is not installed: add it as a devDependency (see README) and run npm install.');
	}
}

function ensureChromium(): void {
	if (fs.existsSync(CHROMIUM)) return;
	log(`${CHROMIUM} missing: apt-get install -y chromium (a few minutes)`);
	execFileSync('apt-get', ['update'], { stdio: 'inherit' });
	execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit' });
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} still missing after apt-get install chromium`);
}

function argValue(name: string): string | undefined {
	const index = process.argv.indexOf(name);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

async function runningDev(): Promise<DevState | undefined> {
	if (!fs.existsSync(DEV_STATE)) return undefined;
	const state = JSON.parse(fs.readFileSync(DEV_STATE, 'utf8')) as DevState;
	try {
		const res = await fetch(`${state.url}/healthz/readiness`);
		return res.status === 200 ? state : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Whether "Execute step" on the node is harmless and finishes by itself: a read operation
 * (get...), in a workflow started by a Manual or Schedule Trigger (a form or webhook trigger
 * would wait for a test call).
 */
function canRunFromPanel(file: string, nodeName: string): boolean {
	const workflow = readWorkflow(path.join(ROOT, file));
	const node = workflow.nodes.find((n) => n.name === nodeName);
	const readOnly = /^get/.test(String(node?.parameters.operation ?? 'getAll'));
	const triggers = workflow.nodes.filter((n) => /trigger$/i.test(n.type));
	const startsByItself = triggers.every((n) => n.type === 'n8n-nodes-base.manualTrigger' || n.type === 'n8n-nodes-base.scheduleTrigger');
	return readOnly && startsByItself;
}

async function dismissPopups(page: Page): Promise<void> {
	for (let i = 0; i < 3; i++) {
		await page.keyboard.press('Escape');
		await page.waitForTimeout(150);
	}
}

async function main(): Promise<void> {
	installSignalHandlers();
	const playwright = loadPlaywright();
	ensureChromium();
	let state = await runningDev();
	if (state) log(`using the running npm run dev at ${state.url}`);
	else {
		log('no running npm run dev: starting it');
		state = (await startDev()).state;
	}
	const wanted = argValue('--workflow');
	// default: a workflow whose PostHog node only reads and can run from the panel, the one with most nodes
	const candidates = state.workflows
		.filter((w) => w.postHogNodes.length > 0)
		.map((w) => ({ ...w, runnable: canRunFromPanel(w.file, w.postHogNodes[0]), size: readWorkflow(path.join(ROOT, w.file)).nodes.length }))
		.sort((a, b) => Number(b.runnable) - Number(a.runnable) || b.size - a.size);
	const workflow = wanted ? state.workflows.find((w) => w.id === wanted) : candidates[0];
	if (!workflow || workflow.postHogNodes.length === 0) throw new Error('no imported workflow with a PostHog Persons node');
	const nodeName = argValue('--node') ?? workflow.postHogNodes[0];
	const execute = !process.argv.includes('--no-execute') && canRunFromPanel(workflow.file, nodeName);

	const browser = await playwright.chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
		// playwright-core gives the browser a new temporary profile (--user-data-dir) itself
	});
	try {
		const tall = process.argv.includes('--insight-panels');
		const context = await browser.newContext({ viewport: { width: 1440, height: tall ? 1500 : 900 }, deviceScaleFactor: 1 });
		const page = await context.newPage();
		await page.goto(`${state.url}/signin`, { waitUntil: 'networkidle' });
		await page.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(state.owner.email);
		await page.locator('input[type="password"]').first().fill(state.owner.password);
		await page.locator('[data-test-id="form-submit-button"], button[type="submit"]').first().click();
		await page.waitForURL((url: URL) => !url.pathname.includes('signin'), { timeout: 30_000 });
		log(`logged in as ${state.owner.email}`);
		fs.mkdirSync(OUT_DIR, { recursive: true });
		if (process.argv.includes('--insight-panels')) {
			await shootInsightPanels(page as unknown as PanelPage, state, OUT_DIR);
			return;
		}

		await page.goto(`${state.url}/workflow/${workflow.id}`, { waitUntil: 'networkidle' });
		await page.locator('[data-test-id="canvas-node"]').first().waitFor({ state: 'visible', timeout: 30_000 });
		await dismissPopups(page);
		await page.waitForTimeout(1000);
		fs.mkdirSync(OUT_DIR, { recursive: true });
		const canvasFile = path.join(OUT_DIR, 'workflow-canvas.png');
		await page.screenshot({ path: canvasFile });
		log(`saved ${path.relative(ROOT, canvasFile)} (${workflow.name})`);

		const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).first();
		if ((await node.count()) > 0) await node.dblclick();
		else await page.getByText(nodeName, { exact: true }).first().dblclick();
		await page.locator('[data-test-id="ndv"], .ndv-wrapper, [data-test-id="node-parameters"]').first().waitFor({ state: 'visible', timeout: 15_000 });
		await page.waitForTimeout(1000);
		// run the node from the panel ("Execute step") so the output side shows the sandbox's persons
		if (execute) {
			const execute = page.locator('[data-test-id="node-execute-button"]').first();
			if ((await execute.count()) > 0) {
				await execute.click();
				await page
					.locator('[data-test-id="output-panel"] table, [data-test-id="output-panel"] [data-test-id="ndv-view-binary-data"], [data-test-id="output-panel"] [data-test-id="run-data-schema-item"]')
					.first()
					.waitFor({ state: 'visible', timeout: 60_000 })
					.catch(() => log('no output shown after Execute step (screenshot taken anyway)'));
			}
		}
		await page.waitForTimeout(1500);
		const panelFile = path.join(OUT_DIR, 'node-panel.png');
		await page.screenshot({ path: panelFile });
		log(`saved ${path.relative(ROOT, panelFile)} (node "${nodeName}")`);
	} finally {
		await browser.close();
	}
}

if (require.main === module) {
	main()
		.then(async () => {
			await cleanupAll();
			process.exit(0);
		})
		.catch(async (error) => {
			process.stderr.write(`${(error as Error).stack ?? error}\n`);
			await cleanupAll();
			process.exit(1);
		});
}
