#!/usr/bin/env bash
# A throwaway single-node Slurm on this machine, to try submit.sh without a cluster and to test
# it: munged with its own key and socket, slurmctld and slurmd on free localhost ports, every
# file (config, state, spool, logs) under one directory. Needs root (slurmd starts jobs as their
# user) and the Debian packages slurmctld, slurmd, slurm-client and munge.
#
#   local-cluster.sh start DIR   start it; prints `export SLURM_CONF=DIR/slurm.conf`, which the
#                                Slurm commands (sbatch, squeue, ...) need to find this cluster
#   local-cluster.sh stop DIR    stop the daemons started in DIR (by their recorded pids)
#
# The node has this machine's CPUs and memory, one partition `rb` (the default), no cgroups
# (proctrack/linuxproc, task/none), and job completion records in DIR/jobcomp.txt (one line per
# job or array task: JobId=... JobState=...), as there is no accounting database.
# Exit status: 0 started, 1 a daemon failed to start (its log is printed), 2 bad usage.
set -euo pipefail

usage() { echo "usage: local-cluster.sh start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)

# A port nobody listens on, from the dynamic range (a real cluster may hold 6817/6818).
free_port() {
  local port
  while :; do
    port=$((49152 + RANDOM % 16000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

write_config() {
  local cpus mem_mb
  cpus=$(nproc)
  # Slurm drains a node whose real memory is below the configured figure: leave a margin.
  mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
  # Job ids that grow from one cluster to the next (a fresh state would restart them at 1), so
  # that the logs of a WORK used with several of them (named by job id) do not overwrite each other.
  local first_job_id=$(($(date +%s) % 60000000 + 1))
  cat > "$dir/slurm.conf" <<EOF
ClusterName=roadbrew-local
FirstJobId=$first_job_id
SlurmctldHost=localhost
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_min_interval=100000
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=localhost CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=rb Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

# Waits up to $2 seconds for the command $1 to succeed.
wait_for() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if eval "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

die_with_log() {
  echo "local-cluster: $1" >&2
  [ -f "$2" ] && tail -n 20 "$2" >&2
  stop
  exit 1
}

start() {
  command -v munged >/dev/null && command -v slurmctld >/dev/null && command -v slurmd >/dev/null ||
    { echo "local-cluster: munged, slurmctld or slurmd is not installed" >&2; exit 1; }
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool/localhost"
  chmod 700 "$dir/munge"
  # munged insists on a private key of at least 32 bytes, owned by its user.
  head -c 1024 /dev/urandom > "$dir/munge/munge.key"
  chmod 600 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
    --log-file="$dir/munge/munged.log" ||
    die_with_log "munged did not start" "$dir/munge/munged.log"
  wait_for "munge -S '$dir/munge/munge.socket' -n </dev/null" 10 ||
    die_with_log "munged does not answer on $dir/munge/munge.socket" "$dir/munge/munged.log"
  write_config
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$SLURM_CONF" || die_with_log "slurmctld did not start" "$dir/slurmctld.log"
  wait_for "scontrol ping | grep -q UP" 30 ||
    die_with_log "slurmctld does not answer" "$dir/slurmctld.log"
  slurmd -f "$SLURM_CONF" -N localhost || die_with_log "slurmd did not start" "$dir/slurmd.log"
  wait_for "sinfo -h -n localhost -o %t | grep -Eq '^(idle|mix|alloc)'" 60 ||
    die_with_log "the node did not come up: $(sinfo -h -N -o '%N %t %E' 2>&1)" "$dir/slurmd.log"
  echo "export SLURM_CONF=$SLURM_CONF"
}

# Kills a daemon by the pid in its pid file and waits for it to go.
stop_daemon() {
  local pid
  [ -s "$1" ] || return 0
  pid=$(cat "$1")
  if kill -TERM "$pid" 2>/dev/null; then
    wait_for "! kill -0 $pid" 10 || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

stop() {
  # Jobs first, while slurmctld can still end them: their processes are no daemon's children.
  if [ -s "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    export SLURM_CONF=$dir/slurm.conf
    scancel --full --user="$(id -un)" 2>/dev/null || true
    wait_for "[ -z \"\$(squeue -h -o %i 2>/dev/null)\" ]" 30 || true
  fi
  stop_daemon "$dir/slurmd.pid"
  stop_daemon "$dir/slurmctld.pid"
  stop_daemon "$dir/munge/munged.pid"
}

case $action in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
