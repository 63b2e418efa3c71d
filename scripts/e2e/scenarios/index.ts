/**
 * The end-to-end scenarios, in running order within their stage ("cli" ones run with
 * `n8n execute` before n8n starts, "server" ones after, "queue" ones in queue mode with
 * `--queue`). A new scenario is a file in this folder exporting an E2eScenario, added here.
 */
import type { E2eScenario } from '../lib/runHelpers';
import { exportScenario } from './export';
import { formScenario } from './form';
import { listScenario } from './list';
import { personsExportScenario } from './personsExport';
import { pathsScenario } from './paths';
import { pickersScenario } from './pickers';
import { queueScenario } from './queue';
import { retentionScenario } from './retention';
import { typesScenario } from './types';
import { verifyScenario } from './verify';

export const SCENARIOS: E2eScenario[] = [
	listScenario,
	exportScenario,
	personsExportScenario,
	retentionScenario,
	pathsScenario,
	typesScenario,
	pickersScenario,
	formScenario,
	verifyScenario,
	queueScenario,
];
