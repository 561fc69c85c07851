"""The tuning benchmark: Lepton's samplers (`lepton tune-bench`) beside Optuna's on the same
test functions, seeds and trial budget, in one run.

    python3 python/tune_bench.py [--lepton .build/release/lepton] [--seeds 20] [--trials 50]
                                 [--functions branin,hartmann6,rosenbrock10,conditional]
                                 [--overhead 1000] [--raw FILE]

Prints, per function, the median (over seeds) of the best value each sampler reached, and the
sampler overhead per trial (ms) once a study holds --overhead finished trials. The test
functions are defined identically here and in Sources/lepton/TuneBenchCommand.swift.
"""
import argparse
import json
import math
import statistics
import subprocess
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(t):
    x, y = t.suggest_float("x", -5, 10), t.suggest_float("y", 0, 15)
    b, c, s = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - s) * math.cos(x) + 10


def hartmann6(t):
    alpha = [1.0, 1.2, 3.0, 3.2]
    a = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
    q = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
    x = [t.suggest_float(f"x{i}", 0, 1) for i in range(6)]
    return -sum(alpha[i] * math.exp(-sum(a[i][j] * (x[j] - q[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def rosenbrock10(t):
    x = [t.suggest_float(f"x{i}", -5, 10) for i in range(10)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(9))


def conditional(t):
    kind = t.suggest_categorical("kind", ["quadratic", "sine", "abs"])
    x = t.suggest_float("x", -5, 5)
    if kind == "quadratic":
        return (x - 1) ** 2 + (math.log10(t.suggest_float("a", 0.1, 10, log=True)) - 0.5) ** 2
    if kind == "sine":
        return 0.5 + 0.1 * t.suggest_int("n", 1, 8) * abs(math.sin(x))
    return 1 + abs(x - t.suggest_float("b", -3, 3))


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock10": rosenbrock10, "conditional": conditional}


def optuna_sampler(kind, seed):
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if kind == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if kind == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def optuna_runs(functions, samplers, seeds, trials):
    for name in functions:
        for kind in samplers:
            if kind == "gp" and name == "conditional":
                continue  # Optuna's GPSampler does not model conditional spaces (it falls back to independent sampling)
            for seed in range(1, seeds + 1):
                start = time.time()
                study = optuna.create_study(sampler=optuna_sampler(kind, seed))
                study.optimize(FUNCTIONS[name], n_trials=trials)
                yield {"side": "optuna", "function": name, "sampler": kind, "seed": seed, "best": study.best_value,
                       "seconds": time.time() - start}


def optuna_overhead(kind, finished):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(branin, n_trials=finished)
    study.sampler = optuna_sampler(kind, 2)
    start = time.time()
    study.optimize(branin, n_trials=20)
    return (time.time() - start) / 20 * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lepton", default=".build/release/lepton")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--functions", default="branin,hartmann6,rosenbrock10,conditional")
    parser.add_argument("--lepton-samplers", default="tpe,gp,random")
    parser.add_argument("--optuna-samplers", default="tpe,gp,random")
    parser.add_argument("--overhead", type=int, default=1000)
    parser.add_argument("--overhead-samplers", default="tpe,random")
    parser.add_argument("--raw", help="also write every study's result here, a JSON object per line")
    args = parser.parse_args()
    functions = args.functions.split(",")
    rows = []
    started = time.time()
    cmd = [args.lepton, "tune-bench", "--functions", args.functions, "--samplers", args.lepton_samplers,
           "--seeds", str(args.seeds), "--trials", str(args.trials)]
    for line in subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines():
        rows.append(json.loads(line))
    rows += list(optuna_runs(functions, args.optuna_samplers.split(","), args.seeds, args.trials))

    print(f"Median best value over {args.seeds} seeds, {args.trials} trials per study (minimised; wall {time.time() - started:.0f} s)\n")
    columns = [("lepton", s) for s in args.lepton_samplers.split(",")] + [("optuna", s) for s in args.optuna_samplers.split(",")]
    print("| function | " + " | ".join(f"{side} {s}" for side, s in columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name in functions:
        cells = []
        for side, s in columns:
            bests = [r["best"] for r in rows if r["side"] == side and r["sampler"] == s and r["function"] == name]
            secs = [r["seconds"] for r in rows if r["side"] == side and r["sampler"] == s and r["function"] == name]
            cells.append(f"{statistics.median(bests):.4g} ({statistics.median(secs):.2f} s)" if bests else "—")
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.raw:
        with open(args.raw, "w") as out:
            out.writelines(json.dumps(r) + "\n" for r in rows)
    if args.seeds > 20:
        print("\nMedians of the seed blocks 1-20, 21-40, …: how far 20 seeds move\n")
        for name in functions:
            for side, s in columns:
                bests = [r["best"] for r in sorted(rows, key=lambda r: r["seed"])
                         if r["side"] == side and r["sampler"] == s and r["function"] == name]
                blocks = [f"{statistics.median(bests[i:i + 20]):.4g}" for i in range(0, len(bests) - 19, 20)]
                print(f"{name} {side} {s}: {', '.join(blocks)}")

    if args.overhead:
        print(f"\nSampler time per trial with {args.overhead} finished trials (Branin, in-memory storage, mean of 20 trials), ms\n")
        kinds = args.overhead_samplers.split(",")
        out = subprocess.run([args.lepton, "tune-bench", "--samplers", args.overhead_samplers, "--overhead", str(args.overhead)],
                             check=True, capture_output=True, text=True).stdout
        lepton = {json.loads(l)["overhead_sampler"]: json.loads(l)["ms_per_trial"] for l in out.splitlines()}
        print("| sampler | Lepton | Optuna |\n|---|---|---|")
        for s in kinds:
            print(f"| {s} | {lepton[s]:.2f} | {optuna_overhead(s, args.overhead):.2f} |")


if __name__ == "__main__":
    sys.exit(main())
