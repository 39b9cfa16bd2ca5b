#!/usr/bin/env bash
# The quality core against crowd-kit and krippendorff, in one run (see bench/quality.py):
#
#   bench/quality.sh speed [--repeat N]   # 10⁶ simulated labels: time and peak memory, as ratios
#   bench/quality.sh crowd                # accuracy on ../shared/data/crowd, ours and crowd-kit side by side
#
# The reference libraries live only in the bench environment ($BENCH_VENV, default .venv-bench), which
# this script creates on first use: Consenso (editable) plus crowd-kit 1.4.2 and krippendorff. crowd-kit's
# Wawa calls sklearn's check_is_fitted, which from scikit-learn 1.6 requires __sklearn_tags__ that crowd-kit
# 1.4.2 does not define, hence scikit-learn < 1.6 here.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${BENCH_VENV:-.venv-bench}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import crowdkit, krippendorff, consenso, sklearn; assert tuple(map(int, sklearn.__version__.split('.')[:2])) < (1, 6)" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e . "crowd-kit==1.4.2" "krippendorff>=0.8" "scikit-learn<1.6"
fi
exec "$VENV/bin/python" bench/quality.py "$@"
