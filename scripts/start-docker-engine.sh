#!/usr/bin/env bash
# Starts a private Docker engine (no systemd needed) and builds the offline base image
# the sandbox Dockerfiles build FROM on machines without registry access.
# Prints the DOCKER_HOST to use on its last line.
set -euo pipefail
R=${AFTERBURNER_DOCKER_ROOT:-/tmp/afterburner-docker}
mkdir -p "$R"/{data,exec,tmp}
export DOCKER_HOST=unix://$R/docker.sock
if ! docker version >/dev/null 2>&1; then
  if [ -f "$R/dockerd.pid" ] && kill -0 "$(cat "$R/dockerd.pid")" 2>/dev/null; then
    kill "$(cat "$R/dockerd.pid")" || true; sleep 1
  fi
  rm -f "$R/dockerd.pid" "$R/docker.sock"
  setsid dockerd --data-root "$R/data" --exec-root "$R/exec" --pidfile "$R/dockerd.pid" \
    -H "$DOCKER_HOST" --iptables=false --ip-masq=false --bridge=none >"$R/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 600); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
  docker version >/dev/null 2>&1 || { echo "dockerd did not start; see $R/dockerd.log" >&2; tail -20 "$R/dockerd.log" >&2; exit 1; }
fi
if ! docker image inspect afterburner-base:bookworm >/dev/null 2>&1; then
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  TMPDIR=$R/tmp mmdebstrap --quiet --variant=apt --include=python3,nodejs \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    bookworm - "$MIRROR" | docker import -c 'CMD ["/bin/bash"]' - afterburner-base:bookworm >/dev/null
fi
echo "$DOCKER_HOST"
