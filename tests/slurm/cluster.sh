# cluster.sh — a single-node Slurm cluster in a temporary folder, for make check-slurm (sourced).
# cluster_start DIR writes DIR/slurm.conf (this machine as the controller and the only node, all
# state, spool, logs, PID files and the munge key and socket under DIR, free TCP ports), starts
# munged, slurmctld and slurmd, and waits until sinfo shows the node idle; SLURM_CONF points the
# clients (sbatch, squeue, scancel, sinfo) at it. cluster_stop stops the three daemons by PID.
# Needs root (slurmd starts jobs as their user) and Debian's slurm-wlm and munge.
cluster_pids=()
cluster_start() {
  local d=$1 host cpus mem port i
  mkdir -p "$d/state" "$d/spool" "$d/munge"
  chmod 700 "$d/munge"
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 / 2 }' /proc/meminfo)
  port=$((20000 + RANDOM % 20000))
  head -c 1024 /dev/urandom > "$d/munge/munge.key"
  chmod 400 "$d/munge/munge.key"
  cat > "$d/slurm.conf" <<CONF
ClusterName=audiostyle-check
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.sock
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
KillWait=10
MinJobAge=300
SchedulerParameters=defer_batch
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  printf 'CgroupPlugin=autodetect\nIgnoreSystemd=yes\n' > "$d/cgroup.conf"
  export SLURM_CONF=$d/slurm.conf
  munged --key-file="$d/munge/munge.key" --socket="$d/munge/munge.sock" --pid-file="$d/munge/munged.pid" \
    --log-file="$d/munge/munged.log" --seed-file="$d/munge/munged.seed" --force 2>>"$d/munge/start.err" \
    || { echo "munged did not start: $(cat "$d/munge/start.err" "$d/munge/munged.log" 2>/dev/null | tail -3)"; return 1; }
  for i in $(seq 1 50); do [ -s "$d/munge/munged.pid" ] && break; sleep 0.1; done
  cluster_pids+=("$(cat "$d/munge/munged.pid")")
  slurmctld -D -f "$d/slurm.conf" >>"$d/slurmctld.out" 2>&1 &
  cluster_pids+=($!)
  slurmd -D -f "$d/slurm.conf" -N "$host" >>"$d/slurmd.out" 2>&1 &
  cluster_pids+=($!)
  for i in $(seq 1 300); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -qx idle; then return 0; fi
    sleep 0.1
  done
  echo "the node is not idle after 30 s: $(sinfo -N 2>&1 | tail -2)"
  tail -5 "$d/slurmctld.log" "$d/slurmd.log" "$d/slurmctld.out" "$d/slurmd.out" 2>/dev/null
  return 1
}
cluster_stop() {
  local p i
  for p in "${cluster_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for i in $(seq 1 50); do
    local alive=0
    for p in "${cluster_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${cluster_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  cluster_pids=()
}
# wait_jobs ID...: until none of the jobs is pending or running (at most 300 s)
wait_jobs() {
  local i
  for i in $(seq 1 3000); do
    [ -z "$(squeue -h -j "$(IFS=,; echo "$*")" -o '%i' 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  echo "jobs $* still queued after 300 s: $(squeue 2>&1 | tail -5)"
  return 1
}
