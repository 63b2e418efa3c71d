export { searchActions } from './actions';
export { searchCohorts } from './cohorts';
export {
	searchEventNames,
	searchEventPropertyNames,
	searchPersonPropertyNames,
	searchPropertyNames,
} from './definitions';
export { searchInsights } from './insights';
export { searchPathNextNodes, searchPathNodes } from './pathNodes';
export { searchPersons } from './persons';
