# syntax=docker/dockerfile:1
# One image for every role: SAGAFLOW_ROLES picks what a container runs (docs/operations.md).

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: all dependencies, compile TypeScript to dist/, then drop the dev dependencies ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# `npm install`, not `npm ci`: the lockfile is made against a registry mirror that lacks other
# platforms' optional packages, so `npm ci` calls it out of sync (TOOLCHAIN.md). It honours the
# lockfile. The devDependency `node` (Node 24 for npm scripts on hosts with an older node) is
# harmless here, where the base image is Node 24 already.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build
# Production dependencies only: removes the compiler, the test tools and the `node` package, so
# the runtime stage runs on the base image's Node 24.
RUN npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies, compiled code, non-root ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
# Files stay owned by root (read-only for the app); the process runs as the image's `node` user.
USER node
EXPOSE 3000
# /health/live for a process with the api role; the other roles serve no HTTP and are checked by
# their connection to RabbitMQ (see deploy/healthcheck.mjs).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "deploy/healthcheck.mjs"]
CMD ["node", "dist/src/main.js"]
