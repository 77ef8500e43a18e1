#!/usr/bin/env bash
# Starts a single-node Slurm for localhost (munged + slurmctld + slurmd, all from a temporary folder) so
# the Slurm executor can be tested against real daemons. Needs root and the Debian packages slurm-wlm and
# munge (scripts/install-deps.sh or `apt-get install -y slurm-wlm munge`); installs nothing itself.
#
#   export SLURM_CONF="$(scripts/slurm/start-local-slurm.sh)"   # prints the slurm.conf path on stdout
#   ... sbatch / dotnet test ...
#   scripts/slurm/stop-local-slurm.sh "$SLURM_CONF"
#
# Environment: SELECTBENCH_SLURM_DIR (state folder, default a new mktemp folder), SELECTBENCH_SLURM_PORT
# (slurmctld port, default 6817; slurmd uses the next one).
# Facts from a probe on Debian 12: the munge socket directory needs mode 755; slurmctld and slurmd run as
# root with SLURM_CONF pointing at a config in a temporary folder; stop the daemons by PID afterwards.
set -euo pipefail

log() { echo "start-local-slurm: $*" >&2; }
[ "$(id -u)" = 0 ] || { log "must run as root (slurmd starts job steps as their users)."; exit 1; }
for tool in munged slurmctld slurmd scontrol sinfo; do
  command -v "$tool" >/dev/null || { log "'$tool' not found: apt-get install -y slurm-wlm munge"; exit 1; }
done

dir="${SELECTBENCH_SLURM_DIR:-$(mktemp -d /tmp/selectbench-slurm.XXXXXX)}"
port="${SELECTBENCH_SLURM_PORT:-6817}"
mkdir -p "$dir"/{munge,state,spool,log}
chmod 755 "$dir" "$dir/munge"   # munged refuses a socket directory others cannot read
host="$(hostname -s)"
cpus="$(nproc)"
mem_mb="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)"

# munge: its own key, socket, pid and log, so an existing system munged is left alone.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"

conf="$dir/slurm.conf"
cat > "$conf" <<CONF
ClusterName=selectbench
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=300
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"

slurmctld -c -f "$conf"
slurmd -c -f "$conf"

# Wait until the node accepts work.
for _ in $(seq 1 60); do
  state="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
  case "$state" in idle*|mixed*|allocated*) log "up: node $host $state, state in $dir"; echo "$conf"; exit 0 ;; esac
  sleep 0.5
done
log "the node did not come up (state '${state:-none}'); logs in $dir/log:"
tail -n 20 "$dir"/log/*.log >&2 || true
"$(dirname "$0")/stop-local-slurm.sh" "$conf" || true
exit 1
