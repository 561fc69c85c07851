#!/usr/bin/env bash
# Data-parallel training figures (issue 14), printed as Markdown for docs/BENCHMARKS.md:
#  1. throughput of the MNIST CNN (examples/mnist-cnn.yaml on the first 12,000 training images,
#     one epoch) in 1 process and in 2 ranks under mpirun, 1 thread each, runs interleaved:
#     data parallel, and the parameter server (rank 0 serves and trains) in sync and async modes;
#  2. gradient all-reduce inside training (written into the bucket by backward, as training does
#     now; and the older ways: packed into the bucket, handed back as views or copied out) vs one
#     raw MPI_Allreduce of the same bytes, in a hot loop and after the same backward, 4 KB–64 MB,
#     median and best of interleaved repetitions (`lepton allreduce-bench`, OSU-style bus bandwidth);
#  3. a ring all-reduce cost model for 8–64 nodes from the measured step time (a model, not a measurement).
# Usage: scripts/bench_distributed.sh [repetitions (default 5)]. Needs a release build and OpenMPI.
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-5}"
lepton=.build/release/lepton
[ -x "$lepton" ] || { echo "build first: swift build -c release"; exit 1; }
command -v mpirun >/dev/null || { echo "mpirun not found: run scripts/setup.sh"; exit 1; }
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

config() {   # per-rank batch size, file
  sed -e 's/^  name: mnist .*/  name: mnist\n  train_limit: 12000/' -e 's/^epochs: .*/epochs: 1/' -e "s/^batch_size: .*/batch_size: $1/" \
      -e '/^output:/d' -e '/^callbacks:/d' -e '/StepDecay/d' examples/mnist-cnn.yaml > "$2"
}
config 32 "$work/b32.yaml"
config 16 "$work/b16.yaml"

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | ranks × batch | threads/rank | median s | best s | samples/s (median) | test accuracy (last run) | gradient exchange, rank 0 (last run) |"
echo "|---|---|---:|---:|---:|---:|---:|---|"
declare -A times
runs=("1x32|$lepton train $work/b32.yaml --threads 1"
      "2x16|$lepton train $work/b16.yaml --workers 2"
      "2x32|$lepton train $work/b32.yaml --workers 2"
      "2x16-1MB-no-overlap|$lepton train $work/b16.yaml --workers 2 --no-overlap --bucket-mb 1"
      "2x16-1MB-overlap|$lepton train $work/b16.yaml --workers 2 --bucket-mb 1"
      "2x16-ps-sync|$lepton train $work/b16.yaml --workers 2 --strategy parameter-server"
      "2x16-ps-async-s2|$lepton train $work/b16.yaml --workers 2 --strategy parameter-server --ps-mode async --staleness 2")
declare -A stats accuracy
for ((r = 0; r < reps; r++)); do
  for entry in "${runs[@]}"; do
    name="${entry%%|*}"; command="${entry#*|}"
    out=$($command 2>&1)
    seconds=$(grep -o 'Trained in [0-9.]* s' <<<"$out" | awk '{print $3}')
    times[$name]="${times[$name]:-} $seconds"
    stats[$name]=$(grep -o 'Gradient all-reduce.*\|Parameter server.*' <<<"$out" | sed 's/Gradient all-reduce (rank 0): //; s/Parameter server (rank 0, [a-z]*): //' || true)
    accuracy[$name]=$(grep 'Trained in' <<<"$out" | grep -o 'accuracy: [0-9.]*' | awk '{printf "%.2f %%", $2 * 100}' || true)
  done
done
for entry in "${runs[@]}"; do
  name="${entry%%|*}"
  read -r median best < <(tr ' ' '\n' <<<"${times[$name]}" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[1]}')
  ranks="${name%%x*}"; rest="${name#*x}"; batch="${rest%%-*}"
  echo "| $name | $ranks × $batch | 1 | $median | $best | $(awk -v m="$median" 'BEGIN {printf "%.0f", 12000 / m}') | ${accuracy[$name]:-—} | ${stats[$name]:-—} |"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## Sentiment LSTM (examples/sentiment-lstm.yaml, one epoch, no validation split or callbacks)"
echo
sed -e 's/^epochs: .*/epochs: 1/' -e 's/^validation_split: .*/validation_split: 0.0/' -e '/^output:/d' \
    -e '/^callbacks:/,/^output/{/^callbacks:/d;/^  - /d}' examples/sentiment-lstm.yaml > "$work/lstm32.yaml"
sed -e 's/^batch_size: .*/batch_size: 16/' "$work/lstm32.yaml" > "$work/lstm16.yaml"
echo "| run | ranks × batch | threads/rank | median s | best s | samples/s (median) | test accuracy (last run) | gradient exchange, rank 0 (last run) |"
echo "|---|---|---:|---:|---:|---:|---:|---|"
lstm_runs=("lstm-1x32|$lepton train $work/lstm32.yaml --threads 1"
           "lstm-2x16|$lepton train $work/lstm16.yaml --workers 2"
           "lstm-2x32|$lepton train $work/lstm32.yaml --workers 2")
for ((r = 0; r < reps; r++)); do
  for entry in "${lstm_runs[@]}"; do
    name="${entry%%|*}"; command="${entry#*|}"
    out=$($command 2>&1)
    times[$name]="${times[$name]:-} $(grep -o 'Trained in [0-9.]* s' <<<"$out" | awk '{print $3}')"
    stats[$name]=$(grep -o 'Gradient all-reduce.*' <<<"$out" | sed 's/Gradient all-reduce (rank 0): //' || true)
    accuracy[$name]=$(grep 'Trained in' <<<"$out" | grep -o 'accuracy: [0-9.]*' | awk '{printf "%.2f %%", $2 * 100}' || true)
    [ "$name" = lstm-1x32 ] && samples=$(grep -o 'Training on [0-9]* samples' <<<"$out" | head -1 | tr -dc '0-9')
  done
done
for entry in "${lstm_runs[@]}"; do
  name="${entry%%|*}"
  read -r median best < <(tr ' ' '\n' <<<"${times[$name]}" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[1]}')
  shape="${name#lstm-}"
  echo "| $name | ${shape%%x*} × ${shape#*x} | 1 | $median | $best | $(awk -v m="$median" -v n="${samples:-0}" 'BEGIN {printf "%.0f", n / m}') | ${accuracy[$name]:-—} | ${stats[$name]:-—} |"
done
echo
echo "## Cost model for 8–64 nodes (a model, not a measurement)"
echo
# Inputs measured above: the step time of 1x32, the gradient bytes per step of 2x16 (MiB per
# call), the share hidden behind backward with 1 MB buckets. The network figures are assumed.
read -r median _ < <(tr ' ' '\n' <<<"${times[1x32]}" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
read -r calls mib < <(sed -E 's/^([0-9]+) calls, ([0-9.]+) MB.*/\1 \2/' <<<"${stats[2x16]}")
hidden=$(grep -o '[0-9]* % hidden' <<<"${stats[2x16-1MB-overlap]}" | awk '{print $1 / 100}')
awk -v step="$median" -v calls="$calls" -v mib="$mib" -v h="${hidden:-0}" 'BEGIN {
  t = step / (12000 / 32); S = mib * 1048576 / calls
  # Overlap hides at most what backward lasts: assumed half the step (b = 0.5), not measured.
  b = 0.5
  printf "Ring all-reduce per step T = 2(N−1)/N · S / B + 2(N−1) · α; S = %.2f MB of gradients per step, per-rank step t = %.1f ms (1x32 median), hidden share h = %.0f %% (2x16-1MB-overlap, shared memory); hidden time per step min(h · T, b · t) with backward assumed to be b = %.1f of the step; efficiency = t / (t + T − hidden).\n\n", S / 1e6, t * 1e3, h * 100, b
  print "| nodes N | network (assumed) | ring all-reduce, ms/step | efficiency, no overlap | efficiency, measured overlap | predicted samples/s (measured overlap) |"
  print "|---:|---|---:|---:|---:|---:|"
  split("8 16 32 64", ns, " ")
  name[1] = "10 GbE (1.1 GB/s, α 20 µs)"; bw[1] = 1.1e9; lat[1] = 20e-6
  name[2] = "100 Gb/s InfiniBand (11 GB/s, α 2 µs)"; bw[2] = 11e9; lat[2] = 2e-6
  for (i = 1; i <= 4; i++) for (j = 1; j <= 2; j++) {
    n = ns[i]; T = 2 * (n - 1) / n * S / bw[j] + 2 * (n - 1) * lat[j]
    hid = h * T < b * t ? h * T : b * t
    printf "| %d | %s | %.2f | %.0f %% | %.0f %% | %.0f |\n", n, name[j], T * 1e3, 100 * t / (t + T), 100 * t / (t + T - hid), n * 32 / (t + T - hid)
  }
}'
echo
echo "## All-reduce: training path vs raw MPI_Allreduce (2 ranks, shared memory)"
echo
for statistic in median best; do
  echo "$statistic of interleaved repetitions, load average $(cut -d' ' -f1-3 /proc/loadavg):"
  mpirun -np 2 --oversubscribe --bind-to none "$lepton" allreduce-bench --seconds 1 --statistic "$statistic"
  echo
done
