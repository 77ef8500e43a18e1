#!/usr/bin/env bash
# Stops the daemons started by start-local-slurm.sh, by the PIDs in their pid files, and removes the
# state folder (keep it with SELECTBENCH_SLURM_KEEP=1).
#   scripts/slurm/stop-local-slurm.sh "$SLURM_CONF"
set -euo pipefail
conf="${1:-${SLURM_CONF:-}}"
[ -n "$conf" ] && [ -f "$conf" ] || { echo "stop-local-slurm: give the slurm.conf path printed by start-local-slurm.sh" >&2; exit 1; }
dir="$(dirname "$conf")"
[ -f "$dir/munge/munge.key" ] || { echo "stop-local-slurm: $dir was not made by start-local-slurm.sh" >&2; exit 1; }

stop() { # pid file, name
  [ -f "$1" ] || return 0
  local pid; pid="$(cat "$1")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "stop-local-slurm: stopped $2 (pid $pid)" >&2
  fi
  return 0
}
stop "$dir/slurmd.pid" slurmd
stop "$dir/slurmctld.pid" slurmctld
stop "$dir/munge/munged.pid" munged
if [ "${SELECTBENCH_SLURM_KEEP:-0}" != 1 ]; then rm -rf "$dir"; fi
