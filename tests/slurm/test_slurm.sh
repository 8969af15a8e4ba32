#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Slurm path of `anneal-cli sweep`, end to end against a real Slurm (Debian's slurm-wlm + munge):
#   a private munged, slurmctld and slurmd on this machine (single node, localhost, random ports, no
#   cgroups, nothing written outside a temporary directory), a 4-task array of tiny runs written by
#   `anneal-cli sweep PLAN --slurm DIR` and submitted with `sbatch DIR/sweep.sbatch`, the shards merged
#   with `anneal-cli merge`, and the merged database checked: 4 runs + their 4 branches, all completed,
#   branches pointing at their merged parents and checkpoints, PRAGMA integrity_check, metric counts.
#   The daemons are stopped and the directory removed on exit (ANNEAL_KEEP_TEMP=1 keeps it).
#
# Usage: tests/slurm/test_slurm.sh [ANNEAL_CLI]     (default: $ANNEAL_CLI, else anneal-cli on PATH)
# Needs root (slurmd launches the tasks) and the packages slurm-wlm, munge and sqlite3; missing ones
# are installed with apt-get. Exit 0 pass, 1 fail, 77 skipped (not root, or ANNEAL_SLURM_TEST=0: ctest
# reports it as skipped). ANNEAL_SLURM_TIMEOUT (default 300 s) bounds the wait for the array job.
# Docs: docs/SWEEPS.md, "Tested against a real Slurm".
set -euo pipefail

cli=${1:-${ANNEAL_CLI:-$(command -v anneal-cli || true)}}
fail() { echo "test_slurm: FAIL: $*" >&2; exit 1; }
note() { echo "test_slurm: $(date +%T) $*"; }
[[ -n "$cli" && -x "$cli" ]] || fail "anneal-cli not found (pass its path or set ANNEAL_CLI)"
cli=$(readlink -f "$cli")

if [[ ${ANNEAL_SLURM_TEST:-1} == 0 ]]; then
    echo "test_slurm: skipped: ANNEAL_SLURM_TEST=0"
    exit 77
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "test_slurm: skipped: needs root to run slurmd (it launches the array tasks)"
    exit 77
fi

t0=$(date +%s)
need=()
for exe in sbatch squeue sinfo scontrol slurmctld slurmd munged sqlite3; do
    command -v "$exe" >/dev/null || need+=("$exe")
done
if ((${#need[@]})); then
    note "installing slurm-wlm munge sqlite3 (missing: ${need[*]})"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge sqlite3 >/dev/null ||
        fail "apt-get install slurm-wlm munge sqlite3 failed"
fi

export OPENBLAS_NUM_THREADS=1
work=$(mktemp -d /tmp/anneal-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    local rc=$?
    if [[ -n "${SLURM_CONF:-}" && -n "${job:-}" ]]; then
        scancel "$job" 2>/dev/null || true
    fi
    # Only the daemons this script started, by their pids (slurmd first: it owns the job steps).
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[i]}" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    if ((rc != 0)); then
        for f in "$work"/log/* "$work"/sweep/logs/*; do
            [[ -s "$f" ]] && { echo "--- $f (last 20 lines)"; tail -n 20 "$f"; }
        done >&2 2>/dev/null || true
    fi
    if [[ -n "${ANNEAL_KEEP_TEMP:-}" ]]; then
        echo "test_slurm: kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work"/{munge,etc,log,state,spool,run}
chmod 711 "$work/munge"

# --- munge: a fresh key and a private socket ---
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
sock="$work/munge/munge.socket"
munged --foreground --force --key-file="$work/munge/munge.key" --socket="$sock" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" \
    >"$work/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S "$sock" ]] && break; sleep 0.1; done
[[ -S "$sock" ]] || fail "munged did not create its socket"
munge --socket="$sock" -n | unmunge --socket="$sock" >/dev/null || fail "munge round trip failed"

# --- slurm.conf: one node (this machine's CPUs and memory), one partition, no cgroups ---
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
free_port() {
    local p
    while :; do
        p=$(shuf -i 20000-60000 -n 1)
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(free_port); done
export SLURM_CONF="$work/etc/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=anneal-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool/%n
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$work/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MailProg=/bin/true
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

note "starting slurmctld and slurmd ($host, $cpus CPUs, ${mem} MB, ports $ctld_port/$slurmd_port)"
slurmctld -D -c -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
scontrol ping | grep -q UP || fail "slurmctld does not answer"
mkdir -p "$work/spool/$host"
slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 150); do
    state=$(sinfo -h -N -n "$host" -o %T 2>/dev/null || true)
    [[ $state == idle ]] && break
    sleep 0.2
done
[[ $state == idle ]] || fail "node $host is '$state', not idle"
note "cluster up after $(($(date +%s) - t0)) s"

# --- the plan: 4 tiny runs (seeds), each with a branched cooldown ---
mkdir -p "$work/plan"
cat >"$work/plan/base.toml" <<'EOF'
name = "slurm-test"
seed = 1
device = "cpu"
[model]
n_layer = 1
d_model = 32
n_head = 2
context = 16
[data]
batch_size = 4
val_every = 10
val_batches = 1
[[data.domain]]
name = "markov"
source = "synthetic:markov"
[train]
steps = 30
[schedule]
kind = "wsd"
warmup_steps = 5
decay_fraction = 0.0
[log]
checkpoint_every = 10
keep_checkpoints = 10
EOF
cat >"$work/plan/plan.toml" <<'EOF'
name = "slurm-test"
base = "base.toml"
description = "tests/slurm/test_slurm.sh: a 4-task array of tiny runs with branched cooldowns"
[grid]
seed = [1, 2, 3, 4]
[[branch]]
name = "cool"
at_step = 20
set = { "schedule.decay_fraction" = 0.33, "schedule.decay_shape" = "1-sqrt" }
[resources]
time = "00:10:00"
cpus_per_task = 1
mem = "1G"
EOF
"$cli" sweep "$work/plan/plan.toml" --slurm "$work/sweep" 2>"$work/log/write.log" ||
    { cat "$work/log/write.log" >&2; fail "anneal-cli sweep --slurm failed"; }
grep -q '^#SBATCH --array=0-3$' "$work/sweep/sweep.sbatch" || fail "sweep.sbatch has no --array=0-3"

job=$(sbatch --parsable "$work/sweep/sweep.sbatch") || fail "sbatch refused the script"
job=${job%%;*}
note "submitted array job $job"
deadline=$(($(date +%s) + ${ANNEAL_SLURM_TIMEOUT:-300}))
while squeue -h -j "$job" 2>/dev/null | grep -q .; do
    (($(date +%s) < deadline)) || fail "array job $job still queued or running after ${ANNEAL_SLURM_TIMEOUT:-300} s"
    sleep 1
done
job_done=$(date +%s)
note "array job finished after $((job_done - t0)) s"

# Slurm's own record of the 4 tasks (jobcomp/filetxt: one line per finished task).
[[ -f "$work/jobcomp.txt" ]] || fail "no job completion record"
completed=$(grep -c "JobId=.* JobState=COMPLETED" "$work/jobcomp.txt" || true)
tasks=$(grep -c "JobId=" "$work/jobcomp.txt" || true)
[[ $tasks -eq 4 && $completed -eq 4 ]] || { cat "$work/jobcomp.txt" >&2; fail "$completed of $tasks array tasks COMPLETED (want 4 of 4)"; }
exit0=$(grep -c "ExitCode=0:0" "$work/jobcomp.txt" || true)
[[ $exit0 -eq 4 ]] || { cat "$work/jobcomp.txt" >&2; fail "$exit0 of 4 array tasks exited 0"; }
for i in 0 1 2 3; do
    [[ -f "$work/sweep/shards/000$i.db" ]] || fail "array task $i wrote no shard"
done

# --- merge, twice (the second adds nothing) ---
merged="$work/merged.db"
out=$("$cli" merge "$work"/sweep/shards/*.db --db "$merged" --json) || fail "anneal-cli merge failed"
added=$(python3 -c 'import json,sys; print(sum(s["runs_added"] for s in json.loads(sys.argv[1])))' "$out")
[[ $added -eq 8 ]] || fail "merge added $added runs (want 8): $out"
out2=$("$cli" merge "$work"/sweep/shards/*.db --db "$merged" --json) || fail "second merge failed"
again=$(python3 -c 'import json,sys; print(sum(s["runs_added"] for s in json.loads(sys.argv[1])))' "$out2")
[[ $again -eq 0 ]] || fail "merging the shards again added $again runs"

# --- the merged database ---
q() { sqlite3 -readonly "$merged" "$1"; }
[[ $(q "PRAGMA integrity_check") == ok ]] || fail "integrity_check: $(q 'PRAGMA integrity_check' | head -3)"
[[ $(q "PRAGMA foreign_key_check" | wc -l) -eq 0 ]] || fail "foreign_key_check reports rows"
[[ $(q "SELECT count(*) FROM runs") -eq 8 ]] || fail "$(q 'SELECT count(*) FROM runs') runs (want 8)"
[[ $(q "SELECT count(*) FROM runs WHERE group_name = 'slurm-test' AND status = 'completed'") -eq 8 ]] ||
    fail "not every run completed: $(q 'SELECT id, name, status, message FROM runs')"
[[ $(q "SELECT count(*) FROM runs WHERE parent_id IS NULL") -eq 4 ]] || fail "want 4 parent runs"
# Every branch points at a merged parent of this database, named as its prefix, and at that parent's
# checkpoint at step 20.
bad=$(q "SELECT b.id FROM runs b LEFT JOIN runs p ON p.id = b.parent_id
         LEFT JOIN checkpoints c ON c.id = b.branch_checkpoint_id
         WHERE b.parent_id IS NOT NULL AND (p.id IS NULL OR p.parent_id IS NOT NULL
               OR b.name <> p.name || '/cool' OR b.branch_step <> 20
               OR c.id IS NULL OR c.run_id <> p.id OR c.step <> 20)")
[[ -z "$bad" ]] || fail "branches with a wrong parent or checkpoint: $bad"
[[ $(q "SELECT count(*) FROM runs WHERE parent_id IS NOT NULL") -eq 4 ]] || fail "want 4 branches"
for s in 1 2 3 4; do
    [[ $(q "SELECT count(*) FROM runs WHERE name = 'seed=$s' AND parent_id IS NULL") -eq 1 ]] || fail "no run seed=$s"
done
# Metric counts: a parent logs train_loss at steps 0..29 and validates at 9, 19, 29; a branch stores
# its own steps 20..29 and one validation at 29.
while IFS='|' read -r id parent train val; do
    if [[ -z $parent ]]; then
        [[ $train -eq 30 && $val -eq 3 ]] || fail "run $id: $train train_loss and $val val_loss rows (want 30, 3)"
    else
        [[ $train -eq 10 && $val -eq 1 ]] || fail "branch $id: $train train_loss and $val val_loss rows (want 10, 1)"
    fi
done < <(q "SELECT r.id, r.parent_id,
              (SELECT count(*) FROM metrics m JOIN metric_names n ON n.id = m.name_id
                WHERE m.run_id = r.id AND n.name = 'train_loss'),
              (SELECT count(*) FROM metrics m JOIN metric_names n ON n.id = m.name_id
                WHERE m.run_id = r.id AND n.name = 'val_loss')
            FROM runs r")
# The CLI reads the merged branches with their parents' history.
branch=$(q "SELECT min(id) FROM runs WHERE parent_id IS NOT NULL")
rows=$("$cli" metrics "$branch" --db "$merged" --name train_loss --with-history | tail -n +2 | wc -l)
[[ $rows -eq 30 ]] || fail "branch $branch with history: $rows train_loss rows (want 30)"

note "PASS: 4 array tasks, 8 runs merged and checked in $(($(date +%s) - t0)) s (array job $((job_done - t0)) s from start)"
