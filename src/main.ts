#!/usr/bin/env node
import { createApp } from './app/create-app.js';

/** One entry point; SAGAFLOW_ROLES picks what this process does (SPEC §1). */
const sagaflow = await createApp();
const roles = [...sagaflow.config.roles].join(',');
console.log(
  `sagaflow ${sagaflow.config.instanceId} running roles ${roles}${sagaflow.url ? ` on ${sagaflow.url}` : ''}`,
);
