#!/usr/bin/env bash
# The distillation benchmark of docs/BENCHMARKS.md ("Distillation"): the MNIST CNN teacher
# (examples/mnist-cnn.yaml as it is, trained into out/bench-distill/teacher unless there) and the small student of
# examples/mnist-student.yaml (under 1/4 of the teacher's parameters), trained alone and with
# `lepton distill` for the same epochs, for each seed; prints test accuracy side by side.
#   scripts/bench_distill.sh            # SEEDS="1 2 3", TEMPERATURE=3, ALPHA=0.1 (the Distiller's defaults), THREADS=2
#   STUDENT=examples/mnist-student-6k.yaml scripts/bench_distill.sh    # the student with 6,000 labelled images
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON=.build/release/lepton
[ -x "$LEPTON" ] || { echo "error: $LEPTON not found; run swift build -c release first" >&2; exit 1; }
SEEDS=${SEEDS:-1 2 3}
TEMPERATURE=${TEMPERATURE:-3}
ALPHA=${ALPHA:-0.1}
THREADS=${THREADS:-2}
STUDENT=${STUDENT:-examples/mnist-student.yaml}
work=out/bench-distill
mkdir -p "$work"
teacher=$work/teacher
[ -f "$teacher/model.json" ] || "$LEPTON" train examples/mnist-cnn.yaml --output "$teacher" --overwrite --threads "$THREADS"
params() { "$LEPTON" summary "$1" 2>/dev/null | awk '/Total params/ {print $3}'; }
accuracy() { awk -F'accuracy: ' '/Test: / {split($2, a, " "); print a[1]}'; }
echo "teacher $teacher: $(params "$teacher") parameters, test $("$LEPTON" evaluate "$teacher" examples/mnist-cnn.yaml 2>/dev/null | awk -F'accuracy: ' 'NF > 1 {split($2, a, " "); print a[1]}' | tail -1)"
printf "%-6s %-12s %-12s %s\n" seed alone distilled gain
rows=""
for seed in $SEEDS; do
  alone=$("$LEPTON" train "$STUDENT" --seed "$seed" --threads "$THREADS" --output "$work/alone-$seed" --overwrite | accuracy)
  distilled=$("$LEPTON" distill "$teacher" "$STUDENT" --seed "$seed" --threads "$THREADS" \
      --temperature "$TEMPERATURE" --alpha "$ALPHA" --output "$work/distilled-$seed" --overwrite | accuracy)
  echo "$seed $alone $distilled" | awk '{printf "%-6s %-12s %-12s %+.2f pp\n", $1, $2, $3, ($3 - $2) * 100}'
  rows="$rows$alone $distilled"$'\n'
done
printf "%s" "$rows" | awk '{a += $1; d += $2; n++} END {printf "mean   %-12.4f %-12.4f %+.2f pp (%d seeds)\n", a / n, d / n, (d - a) * 100 / n, n}'
echo "student $STUDENT: $(params "$work/alone-${SEEDS%% *}") parameters; T=$TEMPERATURE, alpha=$ALPHA"
