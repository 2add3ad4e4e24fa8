// Container health check (Dockerfile HEALTHCHECK and docker-compose.yml): exits 0 when healthy.
// A process with the api role is asked over HTTP (/health/live). The other roles serve no HTTP,
// so for them "healthy" means the process holds an established connection to RabbitMQ, which
// each of them needs for all of its work (it is rebuilt by the app's reconnect loop when lost).
import { request } from 'node:http';
import { readFileSync } from 'node:fs';

const TIMEOUT_MS = 3000;

const roles = (process.env.SAGAFLOW_ROLES ?? 'api,relay,orchestrator,worker')
  .split(',')
  .map((role) => role.trim());

function httpLive(port) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health/live', timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** True when /proc/net/tcp{,6} (this network namespace: the container) has an ESTABLISHED socket to `port`. */
function connectedTo(port) {
  const wanted = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, , remote, state] = line.trim().split(/\s+/);
      if (state === '01' && remote?.endsWith(`:${wanted}`)) return true;
    }
  }
  return false;
}

function amqpPort() {
  const url = new URL(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  if (url.port) return Number(url.port);
  return url.protocol === 'amqps:' ? 5671 : 5672;
}

const healthy = roles.includes('api')
  ? await httpLive(Number(process.env.PORT || 3000))
  : connectedTo(amqpPort());
if (!healthy)
  console.error(
    roles.includes('api') ? 'sagaflow: /health/live failed' : 'sagaflow: no connection to RabbitMQ',
  );
process.exit(healthy ? 0 : 1);
