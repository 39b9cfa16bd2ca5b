#!/usr/bin/env bash
# Side by side: the shared workload "consenso-textcls-v1" against Label Studio and Consenso, back to back,
# both from an empty database, on this machine. Prints the comparison table (bench/compare.py).
#
#   bench/vs_labelstudio.sh sqlite        # both servers on SQLite
#   bench/vs_labelstudio.sh postgresql    # both servers on PostgreSQL 127.0.0.1:5432 (own databases)
#
# Environment: SHARED (default ../shared), LS_HOME (default ~/.cache/ls-bench), OUT (default bench/out),
# SIZES (default 1000,10000,100000), LOOP_TASKS (10000), LOOP_ANN (500), CONC (1,8,32), SKIP_LS=1 to reuse
# an earlier Label Studio result in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BACKEND=${1:-sqlite}
SHARED=$(cd "${SHARED:-$ROOT/../shared}" && pwd)
BENCH=$SHARED/bench
OUT=${OUT:-$ROOT/bench/out}/$BACKEND
SIZES=${SIZES:-1000,10000,100000}
LOOP_TASKS=${LOOP_TASKS:-10000}
LOOP_ANN=${LOOP_ANN:-500}
CONC=${CONC:-1,8,32}
K=$(echo "$CONC" | tr ',' '\n' | sort -n | tail -1)
CONSENSO=$ROOT/.venv/bin/consenso
PORT=18081
mkdir -p "$OUT"
export LS_HOME=${LS_HOME:-$HOME/.cache/ls-bench}
# shellcheck disable=SC1091
source "$BENCH/labelstudio/ls_env.sh"
PY=$LS_VENV/bin/python   # has requests

pg() { psql -h 127.0.0.1 -U postgres -qAt -c "$1" postgres; }

run_ls() {
  [ -x "$LS_VENV/bin/label-studio" ] || "$BENCH/labelstudio/install.sh"
  local envfile=""
  rm -rf "${LS_HOME:?}/data"
  if [ "$BACKEND" = postgresql ]; then
    pg "DROP DATABASE IF EXISTS ls_bench" && pg "CREATE DATABASE ls_bench"
    envfile=$OUT/ls_pg.env
    cat > "$envfile" <<EOT
source "$BENCH/labelstudio/ls_env.sh"
export DJANGO_DB=default POSTGRE_NAME=ls_bench POSTGRE_USER=postgres POSTGRE_PASSWORD= POSTGRE_HOST=127.0.0.1 POSTGRE_PORT=5432
EOT
  fi
  LS_ENV=$envfile "$BENCH/labelstudio/start_ls.sh"
  LS_ENV=$envfile "$BENCH/labelstudio/make_users.sh" "$K" "$OUT/tokens-ls.json"
  "$PY" "$BENCH/annotation_bench.py" --server label-studio --tokens "$OUT/tokens-ls.json" \
      --import-sizes "$SIZES" --loop-tasks "$LOOP_TASKS" --loop-annotations "$LOOP_ANN" --concurrency "$CONC" \
      --server-pid "$(cat "$LS_HOME/server.pid")" --fsync-dir "$LS_HOME/data" \
      --out "$OUT/result-ls.json" > /dev/null 2> "$OUT/result-ls.log" || true
  LS_ENV=$envfile "$BENCH/labelstudio/stop_ls.sh"
}

run_consenso() {
  local data=$OUT/consenso-data
  rm -rf "$data" && mkdir -p "$data"
  export CONSENSO_DATA_DIR=$data
  if [ "$BACKEND" = postgresql ]; then
    pg "DROP DATABASE IF EXISTS consenso_bench" && pg "CREATE DATABASE consenso_bench"
    export CONSENSO_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/consenso_bench
  else
    export CONSENSO_DATABASE_URL=sqlite:///$data/consenso.db
  fi
  "$CONSENSO" db upgrade > /dev/null
  "$CONSENSO" serve --host 127.0.0.1 --port $PORT > "$OUT/consenso-server.log" 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null && break; sleep 0.5; done
  PATH=$ROOT/.venv/bin:$PATH "$PY" "$BENCH/consenso_setup.py" "$K" "$OUT/tokens-consenso.json" > /dev/null
  "$PY" "$BENCH/annotation_bench.py" --server consenso --base-url "http://127.0.0.1:$PORT" \
      --tokens "$OUT/tokens-consenso.json" \
      --import-sizes "$SIZES" --loop-tasks "$LOOP_TASKS" --loop-annotations "$LOOP_ANN" --concurrency "$CONC" \
      --server-pid "$pid" --fsync-dir "$data" --out "$OUT/result-consenso.json" > /dev/null 2> "$OUT/result-consenso.log" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
}

[ "${SKIP_LS:-0}" = 1 ] || run_ls
run_consenso
"$ROOT/.venv/bin/python" "$ROOT/bench/compare.py" "$OUT/result-ls.json" "$OUT/result-consenso.json" --backend "$BACKEND"
