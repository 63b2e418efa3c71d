/**
 * n8n-core's binary-data storage in filesystem mode, as n8n runs it with
 * N8N_DEFAULT_BINARY_DATA_MODE=filesystem (n8n's advice for large files; the default of n8n 2.x
 * outside queue mode): files are written under a storage folder and items only carry an id.
 * Without this the harness keeps binary data in memory (base64 in the item), like n8n's
 * "default" mode.
 */
import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import type { IBinaryData } from 'n8n-workflow';

/** Switches this process's n8n-core to filesystem binary data under `storagePath`. */
export async function useFilesystemBinaryData(storagePath: string): Promise<BinaryDataService> {
	const config = Container.get(BinaryDataConfig);
	config.mode = 'filesystem';
	config.localStoragePath = storagePath;
	const service = Container.get(BinaryDataService);
	await service.init();
	return service;
}

/** The stored file of a binary field (filesystem mode: read from disk by its id). */
export async function storedFile(binary: IBinaryData): Promise<{ path?: string; buffer: Buffer }> {
	const service = Container.get(BinaryDataService);
	return { path: binary.id ? service.getPath(binary.id) : undefined, buffer: await service.getAsBuffer(binary) };
}
