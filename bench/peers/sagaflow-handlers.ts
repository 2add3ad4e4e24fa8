/**
 * Handler module the peer comparison loads into Sagaflow's worker role (`SAGAFLOW_HANDLERS`):
 * `fail` fails for good, as W4's `ship` step does on every system. `npm run bench`'s W4 loads it
 * too (bench/topology.ts). The import is relative so
 * that it resolves from the compiled dist/bench/peers to dist/src as it does from the source.
 */
import { NonRetryableError, type HandlerRegistry } from '../../src/interfaces/worker/index.js';

export default (registry: HandlerRegistry): void => {
  registry.register('fail', () => {
    throw new NonRetryableError('ship fails for good');
  });
};
