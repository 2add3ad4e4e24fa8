#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine (`config -q` parses, interpolates and checks
# the schema; it builds and starts nothing). Uses the `docker compose` plugin when it works, else
# `docker-compose` (Debian's 1.29.2, installed with apt-get when missing and possible). When no
# validator can be had it says so and exits 0: test/unit/deploy/compose.test.ts still checks the
# file's contents.
set -euo pipefail
cd "$(dirname "$0")/.."

file=docker-compose.yml
install_timeout="${COMPOSE_INSTALL_TIMEOUT:-300}"

validate() {
  echo "validate-compose: $* -f $file config -q"
  "$@" -f "$file" config -q
  echo "validate-compose: $file is valid"
  exit 0
}

if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  validate docker compose
fi
if command -v docker-compose >/dev/null 2>&1; then
  validate docker-compose
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "validate-compose: installing docker-compose with apt-get (at most ${install_timeout}s per step)"
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout "$install_timeout" apt-get install -y -q docker-compose >/dev/null 2>&1; then
    # The package lists may be missing or stale: refresh them once and retry.
    if timeout "$install_timeout" apt-get update -q >/dev/null 2>&1; then
      timeout "$install_timeout" apt-get install -y -q docker-compose >/dev/null 2>&1 || true
    fi
  fi
  if command -v docker-compose >/dev/null 2>&1; then
    validate docker-compose
  fi
fi

echo "validate-compose: NOTE: neither 'docker compose' nor 'docker-compose' is available and it could" \
  "not be installed; $file was not validated here (the unit test test/unit/deploy/compose.test.ts" \
  "still checks its contents)."
exit 0
