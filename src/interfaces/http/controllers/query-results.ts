import type { ListDefinitionsHandler } from '../../../application/queries/definition-queries.js';
import type { GetRunEventsHandler, ListRunsHandler } from '../../../application/queries/run-queries.js';
import type { definitionView } from '../../../application/queries/run-view.js';

/** Result types of the queries the controllers send, as their handlers declare them. */
export type DefinitionView = ReturnType<typeof definitionView>;
export type DefinitionList = Awaited<ReturnType<ListDefinitionsHandler['execute']>>;
export type RunList = Awaited<ReturnType<ListRunsHandler['execute']>>;
export type RunEventPage = Awaited<ReturnType<GetRunEventsHandler['execute']>>;
