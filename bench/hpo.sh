#!/usr/bin/env bash
# Keel's searches against Optuna's TPE on Branin (2-D), Hartmann6 (6-D) and Rosenbrock-5D
# ([-2.048, 2.048]^5), minimising, at equal budgets: each study runs BUDGET trials (200) one at a
# time, and the best after the first 50 and after all of them are kept; SEEDS seeds (10) each.
# Optuna 3.1's TPESampler(seed=s) with its defaults runs under Debian's /usr/bin/python3
# (python3-optuna); Keel's searches run in one JVM through the API its experiment controller uses.
# Prints a table of median best regret (best found - known minimum) and, per function and budget:
#   hpo fn=<f> budget=<b> keel_tpe=<regret> optuna_tpe=<regret> keel_gp=<regret> ratio_tpe=<keel/optuna>
# Usage: bench/hpo.sh [SEEDS] [BUDGET]
set -euo pipefail
SEEDS=${1:-10}
BUDGET=${2:-200}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
"$repo/keel" --version > /dev/null   # builds the jar if it is missing or stale
/usr/bin/python3 -c 'import optuna' 2>/dev/null || {
  echo "hpo: needs Optuna for /usr/bin/python3: apt-get install python3-optuna" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}"/keel-hpo.XXXX)
trap 'rm -rf "$W"' EXIT
start=$(date +%s)
/usr/bin/python3 "$here/hpo_optuna.py" "$SEEDS" "$BUDGET" > "$W/optuna.txt"
echo "optuna: $(wc -l < "$W/optuna.txt") studies in $(( $(date +%s) - start )) s"
java -cp "$repo/keel-cli/target/keel.jar" "$here/Hpo.java" "$W/optuna.txt" "$SEEDS" "$BUDGET"
