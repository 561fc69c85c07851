#!/usr/bin/env bash
# The tuning-job benchmark of docs/BENCHMARKS.md ("A real tuning job"): the study of
# examples/mnist-mlp-tune.yaml run with no pruning and with ASHA, in fresh output folders, with
# the same seeds (the config's tune.seed and training seed), interleaved when repeated (the order
# alternates from one repetition to the next); prints the best validation accuracy, the wall
# time, complete/pruned counts and the sum of the trials' own times for each run, and per
# repetition ASHA's accuracy difference and time ratio against no pruning.
#   scripts/bench_tune_job.sh                      # REPS=1 TRIALS=20 WORKERS=2 CONFIG=examples/mnist-mlp-tune.yaml
#   REPS=2 PRUNERS="none asha hyperband" scripts/bench_tune_job.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON=.build/release/lepton
[ -x "$LEPTON" ] || { echo "error: $LEPTON not found; run swift build -c release first" >&2; exit 1; }
CONFIG=${CONFIG:-examples/mnist-mlp-tune.yaml}
REPS=${REPS:-1}
TRIALS=${TRIALS:-20}
WORKERS=${WORKERS:-2}
PRUNERS=${PRUNERS:-none asha}
work=out/bench-tune-job
rm -rf "$work"
mkdir -p "$work"
echo "$CONFIG: $TRIALS trials, $WORKERS workers; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-4s %-10s %-22s %9s %18s %14s\n" rep pruner "best val. accuracy" "wall (s)" "complete / pruned" "sum of trials"
results=$work/results.txt
: > "$results"
for rep in $(seq 1 "$REPS"); do
  order=$PRUNERS
  if [ $((rep % 2)) -eq 0 ]; then order=$(echo "$PRUNERS" | tr ' ' '\n' | tac | tr '\n' ' '); fi
  for pruner in $order; do
    log=$work/$pruner-$rep.log
    start=$(date +%s.%N)
    "$LEPTON" tune "$CONFIG" --trials "$TRIALS" --workers "$WORKERS" --pruner "$pruner" --output "$work/$pruner-$rep" > "$log"
    end=$(date +%s.%N)
    summary=$(tail -1 "$log")
    # Study NAME: N trials (C complete, P pruned, F failed); best value V (trial T): {…}
    complete=$(echo "$summary" | sed -E 's/.*\(([0-9]+) complete.*/\1/')
    pruned=$(echo "$summary" | sed -E 's/.* ([0-9]+) pruned.*/\1/')
    best=$(echo "$summary" | sed -E 's/.*best value ([0-9.]+) \(trial ([0-9]+)\).*/\1 \2/')
    trialsum=$(grep -E '^trial [0-9]+ ' "$log" | sed -E 's/.*  ([0-9.]+) s  \{.*/\1/' | awk '{s += $1} END {printf "%.0f", s}')
    wall=$(echo "$start $end" | awk '{printf "%.1f", $2 - $1}')
    echo "$rep $pruner $best $wall $complete $pruned $trialsum" >> "$results"
    echo "$rep $pruner $best $wall $complete $pruned $trialsum" |
      awk '{printf "%-4s %-10s %-22s %9s %18s %12s s\n", $1, $2, sprintf("%.2f %% (trial %s)", $3 * 100, $4), $5, $6 " / " $7, $8}'
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Each pruner against no pruning, per repetition: accuracy difference and wall-time ratio.
awk '$2 == "none" {acc[$1] = $3; wall[$1] = $5} $2 != "none" {rows[NR] = $0}
     END {for (i in rows) {split(rows[i], r, " "); if (r[1] in acc)
       printf "rep %s %s vs none: best accuracy %+.2f pp, wall time %.2fx\n", r[1], r[2], (r[3] - acc[r[1]]) * 100, r[5] / wall[r[1]]}}' "$results" | sort
