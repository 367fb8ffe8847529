#!/usr/bin/env bash
# A one-machine Slurm cluster for trying the recipes (and for the Slurm test): munged, slurmctld and slurmd on this
# host, with their configuration, state and logs in one folder. Needs root and Debian's slurm-wlm and munge packages.
#   deploy/slurm/localhost-cluster.sh start DIR   # prints the line to export SLURM_CONF
#   deploy/slurm/localhost-cluster.sh stop DIR
set -euo pipefail
action=${1:?usage: localhost-cluster.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: localhost-cluster.sh start|stop DIR}" && cd "$2" && pwd)
conf="$dir/slurm.conf"

stop() {
  for daemon in slurmd slurmctld munged; do
    [ -f "$dir/$daemon.pid" ] && kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true
  done
  sleep 1
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "localhost-cluster.sh: unknown action '$action'; use start or stop" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "localhost-cluster.sh: needs root (it starts munged, slurmctld and slurmd)" >&2; exit 2; }
for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "localhost-cluster.sh: $tool not found; apt-get install slurm-wlm munge" >&2; exit 2; }
done
stop
mkdir -p "$dir/munge" "$dir/spool/ctld" "$dir/spool/d"
chmod 700 "$dir/munge"
[ -f "$dir/munge/munge.key" ] || { dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; chmod 400 "$dir/munge/munge.key"; }
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed"
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
cat > "$conf" <<CONF
ClusterName=localhost
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"
slurmctld -f "$conf"
slurmd -f "$conf"
for _ in $(seq 1 60); do
  sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && { echo "export SLURM_CONF=$conf"; exit 0; }
  sleep 1
done
echo "localhost-cluster.sh: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
exit 1
