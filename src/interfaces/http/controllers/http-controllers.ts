import { HealthController } from '../health/health.controller.js';
import { MetricsController } from '../metrics/metrics.controller.js';
import { ApiKeysController } from './api-keys.controller.js';
import { DeadLettersController } from './dead-letters.controller.js';
import { DefinitionsController } from './definitions.controller.js';
import { RunsController } from './runs.controller.js';

/** Every REST controller: the HTTP module mounts these and the OpenAPI document describes these. */
export const HTTP_CONTROLLERS = [
  DefinitionsController,
  RunsController,
  ApiKeysController,
  DeadLettersController,
  HealthController,
  MetricsController,
];
