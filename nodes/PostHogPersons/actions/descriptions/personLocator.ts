import type { INodeProperties } from 'n8n-workflow';

import { PERSON_URL_PATTERN } from '../../helpers/person';
import { UUID_PATTERN } from '../../helpers/validation';
import { listLocator } from './pickers';

/** The person an operation acts on: picked from a search, by URL, by numeric ID / UUID, or by distinct ID. */
export const personLocator: INodeProperties = listLocator(
	{ displayName: 'Person', name: 'person', required: true, description: 'The person to act on' },
	{
		method: 'searchPersons',
		placeholder: 'Search by email, name or distinct ID…',
		modes: [
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://us.posthog.com/project/1/person/user-42',
				hint: "The address of the person's page in PostHog (…/person/<distinct ID> or …/persons/<UUID>)",
				validation: [
					{
						type: 'regex',
						properties: {
							regex: `${PERSON_URL_PATTERN}.*`,
							errorMessage: 'Enter the address of a person page in PostHog, e.g. https://us.posthog.com/project/1/person/user-42',
						},
					},
				],
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12345 or 0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4d',
				hint: "The person's numeric ID or UUID (the ID PostHog gives the person)",
				validation: [
					{
						type: 'regex',
						properties: {
							regex: `^\\s*(\\d+|${UUID_PATTERN.slice(1, -1)})\\s*$`,
							errorMessage: 'Enter a numeric person ID or a person UUID',
						},
					},
				],
			},
			{
				displayName: 'By Distinct ID',
				name: 'distinctId',
				type: 'string',
				placeholder: 'e.g. user-42 or ada@example.com',
				hint: 'An ID your app sends to PostHog for this person (distinct_id)',
			},
		],
	},
);
