#!/usr/bin/env bash
# A single-node Slurm cluster living entirely inside one folder, for tests and for trying
# `lepton platform serve --runner slurm` on one machine (Debian packages slurm-wlm and munge,
# installed by scripts/setup.sh; run as root, as the daemons run as root here).
#
#   scripts/slurm.sh start DIR   configure and start munged, slurmctld and slurmd in DIR; prints
#                                `export SLURM_CONF=DIR/slurm.conf` (eval it, or pass it on)
#   scripts/slurm.sh stop DIR    stop the daemons started in DIR (by their pid files)
#
# Everything the cluster writes is in DIR: its own munge key, socket, seed and log; slurm.conf;
# the controller's state, the node's spool, the daemons' logs and pid files; the job completion
# log. The controller and node ports are free ports picked at start, so clusters started side by
# side (or beside a system Slurm) never clash. There is no accounting database (slurmdbd), so
# `sacct` reports nothing: finished jobs are in `scontrol show job` for MinJobAge seconds and in
# DIR/jobcomp.txt (JobCompType=jobcomp/filetxt).
set -euo pipefail

usage() { echo "usage: $0 start DIR | stop DIR" >&2; exit 2; }
[ "$#" -eq 2 ] || usage
command=$1
[ "$command" = start ] && mkdir -p "$2"
[ -d "$2" ] || { echo "slurm.sh: no folder $2" >&2; exit 1; }
dir=$(cd "$2" && pwd)
conf="$dir/slurm.conf"

# Stops the daemons whose pid files are the arguments, together (TERM, then KILL after 10 s).
stop_daemons() {
  local pids=() pidfile pid
  for pidfile in "$@"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null && pids+=("$pid"); fi
    rm -f "$pidfile"
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done
}

stop() {
  # Jobs still in the cluster are cancelled first (their steps outlive slurmd otherwise).
  if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    local jobs
    jobs=$(SLURM_CONF="$conf" squeue -h -o %i 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      SLURM_CONF="$conf" scancel $jobs 2>/dev/null || true
      for _ in $(seq 100); do
        [ -z "$(SLURM_CONF="$conf" squeue -h -o %i 2>/dev/null || true)" ] && break
        sleep 0.1
      done
    fi
  fi
  stop_daemons "$dir/slurmd.pid" "$dir/slurmctld.pid"
  stop_daemons "$dir/munged.pid"
}

# Prints the last lines of the daemons' logs (after a failure).
log_tails() {
  for log in munged.log slurmctld.log slurmd.log; do
    [ -f "$dir/$log" ] || continue
    echo "--- last lines of $dir/$log:" >&2
    tail -n 20 "$dir/$log" >&2
  done
}

fail() { echo "slurm.sh: $*" >&2; log_tails; stop; exit 1; }

# Runs a daemon with no signal blocked or ignored and every descriptor above 2 closed, whatever its
# caller left: a Swift process's threads block most signals and a child inherits that mask (so
# SIGTERM would not reach the daemons, nor scancel's SIGTERM the jobs they start), and a daemon
# holding its caller's pipe or socket open would keep a caller waiting for them to close waiting
# forever (Swift's Process on Linux learns that its child exited when an inherited socket closes).
daemon() {
  python3 -c '
import os, signal, sys
signal.pthread_sigmask(signal.SIG_SETMASK, [])
for number in signal.valid_signals():
    try:
        signal.signal(number, signal.SIG_DFL)
    except (OSError, ValueError):
        pass
os.closerange(3, 65536)
os.execvp(sys.argv[1], sys.argv[1:])
' "$@"
}

# A TCP port nobody listens on now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  for tool in munged mungekey slurmctld slurmd sinfo sbatch squeue scancel scontrol python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "slurm.sh: $tool not found: install slurm-wlm and munge (scripts/setup.sh)" >&2; exit 1; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "slurm.sh: run as root (the test cluster's daemons run as root)" >&2; exit 1; }
  if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    echo "slurm.sh: a cluster is already running in $dir (scripts/slurm.sh stop $dir)" >&2; exit 1
  fi
  mkdir -p "$dir/state" "$dir/spool"
  chmod 700 "$dir"

  # munge: a fresh key and a daemon on a socket of its own.
  rm -f "$dir/munge.key"
  mungekey --create --keyfile="$dir/munge.key" --bits=1024 || fail "mungekey could not create $dir/munge.key"
  chmod 400 "$dir/munge.key"
  daemon munged --force --socket="$dir/munge.socket" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
    --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" || fail "munged did not start"

  local hardware controller_port node_port
  # The machine as slurmd sees it (CPUs, sockets, cores, threads, RealMemory), renamed localhost.
  hardware=$(slurmd -C | awk '/^NodeName=/ { $1 = ""; print }') || fail "slurmd -C could not read this machine's hardware"
  controller_port=$(free_port)
  node_port=$(free_port)
  while [ "$node_port" = "$controller_port" ]; do node_port=$(free_port); done

  cat > "$conf" <<EOF
# A single-node test cluster written by scripts/slurm.sh; everything lives in $dir.
ClusterName=lepton
SlurmctldHost=localhost
SlurmctldPort=$controller_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
MpiDefault=none
ReturnToService=2
MinJobAge=300
SchedulerType=sched/backfill
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1$hardware State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

  export SLURM_CONF="$conf"
  # -c: a clean start (no jobs or nodes from an earlier cluster in this folder).
  daemon slurmctld -c -f "$conf" || fail "slurmctld did not start"
  daemon slurmd -f "$conf" -N localhost || fail "slurmd did not start"

  # The node registers within a few seconds; wait up to 30 s for it to be idle.
  local state=""
  for _ in $(seq 150); do
    state=$(sinfo -h -N -n localhost -o %T 2>/dev/null || true)
    [ "$state" = "idle" ] && break
    sleep 0.2
  done
  [ "$state" = "idle" ] || fail "the node did not become idle within 30 s (sinfo says: ${state:-nothing})"
  echo "export SLURM_CONF=$conf"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
