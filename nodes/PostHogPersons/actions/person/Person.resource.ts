import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../node.type';
import * as bulkDelete from './bulkDelete.operation';
import * as deletePerson from './deletePerson.operation';
import * as deleteProperties from './deleteProperties.operation';
import * as get from './get.operation';
import * as getActivity from './getActivity.operation';
import * as getAll from './getAll.operation';
import * as getCohorts from './getCohorts.operation';
import * as getDeletionStatus from './getDeletionStatus.operation';
import * as getPropertiesAtTime from './getPropertiesAtTime.operation';
import * as getPropertyValues from './getPropertyValues.operation';
import * as lookup from './lookup.operation';
import * as resetDistinctId from './resetDistinctId.operation';
import * as setProperty from './setProperty.operation';
import * as split from './split.operation';
import * as update from './update.operation';
import * as verifyDeletion from './verifyDeletion.operation';

export const personOperations = {
	bulkDelete,
	deletePerson,
	deleteProperties,
	get,
	getActivity,
	getAll,
	getCohorts,
	getDeletionStatus,
	getPropertiesAtTime,
	getPropertyValues,
	lookup,
	resetDistinctId,
	setProperty,
	split,
	update,
	verifyDeletion,
} satisfies Record<string, OperationModule>;

export const personDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['person'] } },
		options: [
			{
				name: 'Bulk Delete',
				value: 'bulkDelete',
				description: 'Delete many persons by distinct IDs or UUIDs, optionally with their events, with a receipt for every ID',
				action: 'Bulk delete persons',
			},
			{
				name: 'Delete',
				value: 'deletePerson',
				description: 'Delete one person, optionally with their events and recordings',
				action: 'Delete person',
			},
			{
				name: 'Delete Properties',
				value: 'deleteProperties',
				description: 'Remove one or more properties from a person ($unset)',
				action: 'Delete person properties',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a person by ID, UUID or distinct ID',
				action: 'Get person',
			},
			{
				name: 'Get Activity',
				value: 'getActivity',
				description: 'Get the activity log of one person or of all persons',
				action: 'Get person activity',
			},
			{
				name: 'Get Cohorts',
				value: 'getCohorts',
				description: 'Get the cohorts a person belongs to',
				action: 'Get person cohorts',
			},
			{
				name: 'Get Deletion Status',
				value: 'getDeletionStatus',
				description: 'Check whether requested event deletions are pending or completed',
				action: 'Get deletion status',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List persons, with search and property filters',
				action: 'Get many persons',
			},
			{
				name: 'Get Properties at Time',
				value: 'getPropertiesAtTime',
				description: "Get a person's properties as they were at a point in time",
				action: 'Get person properties at a point in time',
			},
			{
				name: 'Get Property Values',
				value: 'getPropertyValues',
				description: 'Get the values of a person property, with how many persons have each',
				action: 'Get values of a person property',
			},
			{
				name: 'Look Up by IDs',
				value: 'lookup',
				description: 'Get many persons at once by distinct IDs or UUIDs, reporting the IDs not found',
				action: 'Look up persons by distinct ID or UUID',
			},
			{
				name: 'Reset Distinct ID',
				value: 'resetDistinctId',
				description: 'Let a distinct ID of a deleted person be used again',
				action: 'Reset distinct ID',
			},
			{
				name: 'Set Property',
				value: 'setProperty',
				description: 'Set one person property to a typed value',
				action: 'Set person property',
			},
			{
				name: 'Split',
				value: 'split',
				description: 'Split distinct IDs off a person into persons of their own',
				action: 'Split person',
			},
			{
				name: 'Update Properties',
				value: 'update',
				description: "Set several of a person's properties at once ($set)",
				action: 'Update person properties',
			},
			{
				name: 'Verify Deletion',
				value: 'verifyDeletion',
				description: 'Check that deleted persons are gone: does the person still exist, does its distinct ID still resolve, are its events deleted',
				action: 'Verify person deletion',
			},
		],
		default: 'getAll',
	},
	...bulkDelete.description,
	...deletePerson.description,
	...deleteProperties.description,
	...get.description,
	...getActivity.description,
	...getAll.description,
	...getCohorts.description,
	...getDeletionStatus.description,
	...getPropertiesAtTime.description,
	...getPropertyValues.description,
	...lookup.description,
	...resetDistinctId.description,
	...setProperty.description,
	...split.description,
	...update.description,
	...verifyDeletion.description,
];
