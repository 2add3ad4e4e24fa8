#!/usr/bin/env bash
# Capacity of two builds, alternated: `scripts/bench-ab.sh <old ref> <new ref> [rounds] [runs]`.
# Each ref is exported to /tmp/sagaflow-ab-<commit> (once) and compiled with this checkout's
# node_modules; then, round by round, each build's `bench:peers` Sagaflow pass runs (PEERS_SYSTEMS
# =sagaflow, one round, `runs` runs of PEERS_WORKLOADS, default W1, from 64 waiting clients) and
# the medians of tasks/s and node CPU per task are printed. This is how each step in
# docs/performance.md#the-per-task-path-step-by-step was measured against the one before.
# A ref older than 5cb1096 also needs @fastify/helmet 13.2.0 resolvable from this node_modules.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${3:-3}
runs=${4:-3000}
node="$root/node_modules/.bin/node"
commits=()
for ref in "$1" "$2"; do
  commit=$(git -C "$root" rev-parse --short=12 "$ref^{commit}")
  dir="/tmp/sagaflow-ab-$commit"
  if [ ! -f "$dir/dist/bench/peers/peers.js" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    git -C "$root" archive "$commit" | tar -x -C "$dir"
    ln -s "$root/node_modules" "$dir/node_modules"
    (cd "$dir" && "$node" node_modules/typescript/bin/tsc -p tsconfig.build.json)
  fi
  commits+=("$commit")
done
log=$(mktemp)
for round in $(seq 1 "$rounds"); do
  for commit in "${commits[@]}"; do
    line=$(cd "/tmp/sagaflow-ab-$commit" && PEERS_SYSTEMS=sagaflow PEERS_WORKLOADS="${PEERS_WORKLOADS:-W1}" \
      PEERS_ROUNDS=1 PEERS_RUNS="$runs" "$node" --disable-warning=ExperimentalWarning dist/bench/peers/peers.js |
      grep '^round')
    echo "$commit $line" | tee -a "$log"
  done
done
# Fields: commit, "round", n, workload, system, tasks/s, "tasks/s", runs/s, "runs/s", CPU ms/task.
for commit in "${commits[@]}"; do
  grep "^$commit" "$log" | awk -v c="$commit" '{t[NR]=$6; u[NR]=$10}
    END {n=asort(t); asort(u); m=int((n+1)/2); printf "%s median %s tasks/s, %s ms node CPU per task\n", c, t[m], u[m]}'
done
rm -f "$log"
