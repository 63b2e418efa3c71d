/** PostHog's JSON Schema validators for query bodies (sandbox/schema/query-schema.json): Ajv 8 with allowUnionTypes, discriminator and ajv-formats, one root per query kind. */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as fs from 'fs';
import * as path from 'path';
import type { IDataObject } from 'n8n-workflow';

export function schemaValidators() {
	const schema = JSON.parse(
		fs.readFileSync(path.resolve(__dirname, '..', '..', 'sandbox', 'schema', 'query-schema.json'), 'utf8'),
	) as IDataObject;
	const ajv = new Ajv({ allowUnionTypes: true, discriminator: true });
	addFormats(ajv);
	const validateActorsQuery = ajv.compile({ ...schema, $ref: '#/definitions/ActorsQuery' });
	const insightQueryValidators = new Map<string, ReturnType<typeof ajv.compile>>();
	function validatorFor(definition: string) {
		let validate = insightQueryValidators.get(definition);
		if (!validate) {
			validate = ajv.compile({ ...schema, $ref: `#/definitions/${definition}` });
			insightQueryValidators.set(definition, validate);
		}
		return validate;
	}

	/** The body as queryAllPages sends it: the built query plus limit/offset. */
	function expectValid(query: IDataObject) {
		const page = { ...query, limit: 100, offset: 200 };
		const ok = validateActorsQuery(page);
		if (!ok) throw new Error(`${ajv.errorsText(validateActorsQuery.errors)}\n${JSON.stringify(page, null, 1)}`);
		expect(ok).toBe(true);
	}

	return { ajv, validateActorsQuery, validatorFor, expectValid };
}

/** Property filters of every shape the node builds (event, person, set, numeric). */
export const propertyFilters: IDataObject[] = [
	{ key: '$browser', operator: 'exact', value: ['Chrome', 'Safari'], type: 'event' },
	{ key: 'plan', operator: 'is_set', value: 'is_set', type: 'person' },
	{ key: 'signup_count', operator: 'gt', value: 1, type: 'person' },
];

