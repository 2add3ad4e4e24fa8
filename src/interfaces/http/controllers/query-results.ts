/** Result types of the queries the controllers send, as the application declares them. */
export type { DefinitionList } from '../../../application/queries/definition-queries.js';
export type { RunEventPage, RunList } from '../../../application/queries/run-queries.js';
export type { DefinitionView } from '../../../application/queries/run-view.js';
