#!/usr/bin/env bash
# The BLAS comparison of docs/BENCHMARKS.md ("BLAS libraries side by side", issue 18): float32
# row-major GEMM in GFLOP/s for Debian's OpenBLAS (Lepton's), BLIS and oneDNN's dnnl_sgemm, on the
# shapes Lepton's MLP and Transformer benchmarks multiply, at 1 thread, at 2 threads of the
# library's own, and at 2 threads split the way Lepton's CPU backend splits a product (two
# single-threaded calls). bench/blas/sgemm_bench.c is compiled once per library into a temporary
# folder; the runs interleave the libraries (A B C A B C ...) for ROUNDS rounds and the tables give,
# per cell, the median over the rounds of each run's median call. Markdown on stdout, progress on
# stderr.
#   scripts/bench_blas.sh > blas.md      # ROUNDS=5 SECONDS_PER_SHAPE=0.2 LIBS="openblas blis dnnl"
#                                        # MODES="1 2 2split" WAIT_MAX=600 (s; 0: do not wait) CC=cc
# Installs what it needs from apt when missing (libblis-dev with its pthread build, libdnnl-dev).
# Before measuring it waits (polling every 20 s, at most WAIT_MAX s) until no swift-build runs and
# the 1-minute load average is below 1.0; if it gives up, the output says so and gives the load. Each round also reports the CPU time other processes took while it ran
# (/proc/stat's busy time less this script's own children), so a disturbed run shows.
# A library that cannot be installed or built is left out, and the output says why.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
SECONDS_PER_SHAPE=${SECONDS_PER_SHAPE:-0.2}
LIBS=${LIBS:-"openblas blis dnnl"}
MODES=${MODES:-"1 2 2split"}
WAIT_MAX=${WAIT_MAX:-600}
SOURCE=bench/blas/sgemm_bench.c

# The shapes (m x n x k, :tn = A^T*B, :nt = A*B^T) and what in Lepton's benchmarks multiplies them.
SHAPES=(
  "256x256x256|square"
  "512x512x512|square"
  "1024x1024x1024|square"
  "2048x2048x2048|square"
  "128x256x784|MLP dense 1 forward (batch 128)"
  "128x256x256|MLP dense 2 forward"
  "128x10x256|MLP output forward"
  "784x256x128:tn|MLP dense 1 weight gradient, X^T*dY"
  "128x784x256:nt|MLP dense 1 input gradient, dY*W^T"
  "2048x384x128|Transformer QKV projection (32x64 tokens, d 128)"
  "2048x128x128|Transformer attention output projection"
  "2048x512x128|Transformer feed-forward up (512)"
  "2048x128x512|Transformer feed-forward down"
  "128x384x2048:tn|Transformer QKV weight gradient, X^T*dY"
  "2048x128x384:nt|Transformer QKV input gradient, dY*W^T"
  "64x64x32|attention scores, one head (seq 64, head 32)"
  "64x32x64|attention weights*V, one head"
)

log() { echo "$*" >&2; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# ---- install ----------------------------------------------------------------------------------
# libblis-dev alone would pull in BLIS's OpenMP build (the first of its alternatives);
# libblis-pthread-dev is named so that the pthread build, the one measured, is there.
declare -A PACKAGE_OF=([openblas]=libopenblas-dev [blis]="libblis-dev libblis-pthread-dev" [dnnl]=libdnnl-dev)
declare -A NOT_MEASURED=()
missing=()
for lib in $LIBS; do
  for p in ${PACKAGE_OF[$lib]}; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
done
if [ ${#missing[@]} -gt 0 ]; then
  log "==> apt: installing ${missing[*]}"
  $SUDO apt-get update -qq || true
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    for lib in $LIBS; do
      for p in ${PACKAGE_OF[$lib]}; do
        dpkg -s "$p" >/dev/null 2>&1 && continue
        if ! err=$(DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$p" 2>&1 >/dev/null); then
          NOT_MEASURED[$lib]="\`apt-get install -y --no-install-recommends $p\` failed: $(echo "$err" | tail -n 2 | tr '\n' ' ')"
        fi
      done
    done
  fi
fi

# ---- build ------------------------------------------------------------------------------------
CC=${CC:-$(command -v cc || command -v clang || true)}
[ -n "$CC" ] || { log "error: no C compiler (cc or clang) found"; exit 1; }
MULTIARCH=$("$CC" -print-multiarch 2>/dev/null || true)
[ -n "$MULTIARCH" ] || MULTIARCH=$("$CC" -dumpmachine)
INC=/usr/include/$MULTIARCH
LIB=/usr/lib/$MULTIARCH
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# Debian keeps each threading build of OpenBLAS and BLIS in its own folder; the binaries are linked
# against the pthread ones with an rpath, whatever the system-wide alternative points to.
flags_for() {
  case $1 in
    openblas) local d=openblas-pthread
              if [ -d "$LIB/$d" ]; then echo "-DUSE_OPENBLAS -isystem $INC/$d -L$LIB/$d -Wl,-rpath,$LIB/$d -lopenblas"
              else echo "-DUSE_OPENBLAS -lopenblas"; fi ;;
    blis)     echo "-DUSE_BLIS -isystem $INC/blis-pthread -L$LIB/blis-pthread -Wl,-rpath,$LIB/blis-pthread -lblis" ;;
    dnnl)     echo "-DUSE_DNNL -ldnnl" ;;
  esac
}
MEASURED=()
for lib in $LIBS; do
  [ -z "${NOT_MEASURED[$lib]:-}" ] || continue
  cmd="$CC -O2 -std=c11 -o $WORK/$lib $SOURCE $(flags_for "$lib") -lm -lpthread"
  if err=$($cmd 2>&1); then MEASURED+=("$lib")
  else NOT_MEASURED[$lib]="\`${cmd//$WORK/\$TMP}\` failed: $(echo "$err" | tail -n 2 | tr '\n' ' ')"; fi
done
[ ${#MEASURED[@]} -gt 0 ] || { log "error: no library could be built"; for l in "${!NOT_MEASURED[@]}"; do log "$l: ${NOT_MEASURED[$l]}"; done; exit 1; }

declare -A TITLE=([openblas]=OpenBLAS [blis]=BLIS [dnnl]=oneDNN)

# OpenBLAS 0.3.21 runs its oldest kernels (Prescott, SSE3) on CPUs newer than it knows; Lepton's
# BLASCore then asks for SkylakeX (AVX-512) or Haswell (AVX2) by the CPU's flags. Do the same,
# unless OPENBLAS_CORETYPE is already set.
OPENBLAS_NOTE=""
[ -z "${OPENBLAS_CORETYPE:-}" ] || OPENBLAS_NOTE="OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE was set by the caller and kept."
if [[ " ${MEASURED[*]} " == *" openblas "* ]] && [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  loaded=$("$WORK/openblas" --info | awk -F'\t' '$1=="kernels"{print $2}')
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  case ${loaded,,} in
    prescott|core2|penryn|dunnington|nehalem|atom|sandybridge|katmai|northwood)
      if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512dq "* && $flags == *" avx512vl "* && $flags == *" avx512cd "* ]]; then
        export OPENBLAS_CORETYPE=SkylakeX
      elif [[ $flags == *" avx2 "* && $flags == *" fma "* ]]; then export OPENBLAS_CORETYPE=Haswell; fi
      [ -z "${OPENBLAS_CORETYPE:-}" ] || OPENBLAS_NOTE="OpenBLAS chose $loaded on this CPU; OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE is set, as Lepton's BLASCore does." ;;
  esac
fi

# ---- wait for a quiet machine -----------------------------------------------------------------
load1() { cut -d' ' -f1 /proc/loadavg; }
building() { pgrep -f swift-build >/dev/null 2>&1; }
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
own_ticks() { awk '{print $16 + $17}' "/proc/$$/stat"; }   # children waited for, USER_HZ ticks
WAIT_NOTE="machine quiet at start"
waited=0
while building || awk -v l="$(load1)" 'BEGIN{exit !(l >= 1.0)}'; do
  if [ "$waited" -ge "$WAIT_MAX" ]; then
    WAIT_NOTE="NOT QUIET: gave up waiting after ${waited} s; load $(load1), swift-build $(building && echo running || echo not running)"
    break
  fi
  log "    waiting: load $(load1), swift-build $(building && echo running || echo not running) (${waited} s)"
  sleep 20; waited=$((waited + 20))
done
[ "$waited" -eq 0 ] || [[ $WAIT_NOTE == NOT* ]] || WAIT_NOTE="machine quiet after waiting ${waited} s"
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

# ---- measure ----------------------------------------------------------------------------------
specs=(); for s in "${SHAPES[@]}"; do specs+=("${s%%|*}"); done
RESULTS=$WORK/results.tsv
: > "$RESULTS"
FAILED=()
ROUND_NOTES=()
ROUND_LOADS=()
OTHER_CPU=()
t0=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
  if building; then ROUND_NOTES+=("round $round: a swift-build was running"); fi
  round_start=$(date +%s.%N); busy0=$(busy_ticks); own0=$(own_ticks)
  for mode in $MODES; do
    threads=${mode%split}
    for lib in "${MEASURED[@]}"; do
      args=(--seconds "$SECONDS_PER_SHAPE")
      libthreads=$threads
      if [[ $mode == *split ]]; then args+=(--split "$threads"); libthreads=1; fi
      log "    round $round/$ROUNDS, $mode thread(s): $lib"
      status=0
      out=$(OPENBLAS_NUM_THREADS=$libthreads BLIS_NUM_THREADS=$libthreads OMP_NUM_THREADS=$libthreads \
            "$WORK/$lib" "${args[@]}" "${specs[@]}") || status=$?
      [ "$status" -eq 0 ] || FAILED+=("${TITLE[$lib]} at $mode thread(s), round $round: exit status $status (2: a wrong result, see stderr)")
      printf '%s\n' "$out" | awk -v lib="$lib" -v mode="$mode" -v r="$round" -F'\t' \
        'NF>=8 {print lib "\t" mode "\t" r "\t" $1 ":" $2 "\t" $6 "\t" $7}' >> "$RESULTS"
    done
  done
  ROUND_LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
  hz=$(getconf CLK_TCK)
  OTHER_CPU+=("$(awk -v b="$(( $(busy_ticks) - busy0 ))" -v o="$(( $(own_ticks) - own0 ))" -v hz="$hz" \
    -v t0="$round_start" -v t1="$(date +%s.%N)" 'BEGIN{x = (b - o) / hz; if (x < 0) x = 0; printf "%.1f of %.0f s", x, t1 - t0}')")
done
ELAPSED=$(( $(date +%s) - t0 ))

# ---- report -----------------------------------------------------------------------------------
version_of() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "?"; }
echo "BLAS sgemm, float32 row-major, GFLOP/s (2mnk / time): median over $ROUNDS rounds of each run's median call"
echo "(${SECONDS_PER_SHAPE} s of calls per shape and run, after warm-up)."
echo
echo "- date: $START_DATE; measuring took ${ELAPSED} s"
echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1) (family $(lscpu | sed -n 's/^CPU family: *//p' | head -n 1), model $(lscpu | sed -n 's/^Model: *//p' | head -n 1)), $(nproc) CPUs; $WAIT_NOTE"
notes=$(printf "; %s" "${ROUND_NOTES[@]}"); [ ${#ROUND_NOTES[@]} -gt 0 ] || notes=""
echo "- load average at start: $START_LOAD; 1-minute load after each round: ${ROUND_LOADS[*]}$notes"
other=$(printf '%s, ' "${OTHER_CPU[@]}"); echo "- CPU time taken by other processes during each round: ${other%, }"
echo "- compiler: $("$CC" --version | head -n 1), -O2"
for lib in "${MEASURED[@]}"; do
  info=$(OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$WORK/$lib" --info)
  cfg=$(awk -F'\t' '$1=="config"{print $2}' <<<"$info"); ker=$(awk -F'\t' '$1=="kernels"{print $2}' <<<"$info")
  so=$(ldd "$WORK/$lib" | awk '/libopenblas|libblis|libdnnl/ {print $3; exit}')
  case $lib in
    openblas) pkg="libopenblas0-pthread $(version_of libopenblas0-pthread)"; thr="OPENBLAS_NUM_THREADS" ;;
    blis)     pkg="libblis4-pthread $(version_of libblis4-pthread) (the pthread build)"; thr="BLIS_NUM_THREADS" ;;
    dnnl)     pkg="libdnnl2 $(version_of libdnnl2)"; thr="OMP_NUM_THREADS (GNU OpenMP runtime)" ;;
  esac
  echo "- ${TITLE[$lib]}: $pkg, $cfg; kernels: $ker; loaded from $so; threads by $thr"
done
[ -z "$OPENBLAS_NOTE" ] || echo "- $OPENBLAS_NOTE"
for lib in $LIBS; do
  [ -z "${NOT_MEASURED[$lib]:-}" ] || echo "- NOT MEASURED, ${TITLE[$lib]}: ${NOT_MEASURED[$lib]}"
done
for f in "${FAILED[@]}"; do echo "- FAILED: $f"; done

for mode in $MODES; do
  threads=${mode%split}
  echo
  if [[ $mode == *split ]]; then
    echo "**$threads threads, split as Lepton's CPU backend does** (each part one call of the library at 1 thread, on its own thread):"
  else
    echo "**$threads thread$([ "$threads" = 1 ] || echo s), the library's own threading:**"
  fi
  echo
  header="| m×n×k | op | used by |"; rule="|---|---|---|"
  for lib in "${MEASURED[@]}"; do header+=" ${TITLE[$lib]} |"; rule+="---:|"; done
  [ ${#MEASURED[@]} -lt 2 ] || { header+=" best ÷ ${TITLE[${MEASURED[0]}]} |"; rule+="---:|"; }
  echo "$header"; echo "$rule"
  for s in "${SHAPES[@]}"; do
    spec=${s%%|*}; label=${s#*|}
    key=$spec; [[ $key == *:* ]] || key="$key:nn"
    awk -F'\t' -v mode="$mode" -v key="$key" -v libs="${MEASURED[*]}" -v label="$label" '
      function median(list,   n, v, i, j, t) {
        n = split(list, v, " ")
        for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        if (n == 0) return -1
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      }
      $2 == mode && $4 == key { vals[$1] = vals[$1] " " $6 }
      END {
        n = split(libs, L, " "); split(key, parts, ":"); op = parts[2]
        opname = op == "nn" ? "A·B" : (op == "tn" ? "Aᵀ·B" : "A·Bᵀ")
        gsub("x", "×", parts[1]); gsub("\\^T", "ᵀ", label)
        best = 0
        for (i = 1; i <= n; i++) { m[i] = median(vals[L[i]]); if (m[i] > best) best = m[i] }
        line = "| " parts[1] " | " opname " | " label " |"
        for (i = 1; i <= n; i++) {
          if (m[i] < 0) cell = "–"; else cell = sprintf("%.1f", m[i])
          if (n > 1 && m[i] == best) cell = "**" cell "**"
          line = line " " cell " |"
        }
        if (n > 1) line = line sprintf(" %.2f |", m[1] > 0 ? best / m[1] : 0)
        print line
      }' "$RESULTS"
  done
done
echo
echo "Geometric means over the shapes above (GFLOP/s):"
echo
for mode in $MODES; do
  titles=""; for lib in "${MEASURED[@]}"; do titles+="${TITLE[$lib]} "; done
  awk -F'\t' -v mode="$mode" -v libs="${MEASURED[*]}" -v titles="$titles" '
    $2 == mode { vals[$1 SUBSEP $4] = vals[$1 SUBSEP $4] " " $6; keys[$4] = 1 }
    END {
      n = split(libs, L, " "); split(titles, T, " ")
      line = "- " mode " thread(s)" (mode ~ /split/ ? " (Lepton split)" : "") ":"
      for (i = 1; i <= n; i++) {
        s = 0; c = 0
        for (k in keys) {
          cnt = split(vals[L[i] SUBSEP k], v, " ")
          for (a = 2; a <= cnt; a++) { t = v[a] + 0; for (b = a - 1; b >= 1 && v[b] + 0 > t; b--) v[b + 1] = v[b]; v[b + 1] = t }
          if (cnt == 0) continue
          med = cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
          if (med > 0) { s += log(med); c++ }
        }
        line = line sprintf(" %s %.1f%s", T[i], c ? exp(s / c) : 0, i < n ? "," : "")
      }
      print line
    }' "$RESULTS"
done
[ ${#FAILED[@]} -eq 0 ] || exit 2
