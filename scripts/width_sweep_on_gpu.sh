#!/usr/bin/env bash
# How much does a wider network buy? One member of `python -m vinocr.train` per width (same recipe,
# same seed), trained in parallel on a lent GPU machine as scripts/train_on_gpu.sh does; prints each
# run's last epochs (validation accuracy, macro recall, box accuracy) and brings back the chosen
# widths' slim checkpoints (BRING="1.5"). Same needs and dry-run variables as train_on_gpu.sh.
set -u
PY=${PYTHON:-python3}
if [ -z "${SKIP_WHEELS:-}" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
fi
export PYTHONPATH=/tmp/site:$PWD KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false PYTHONUNBUFFERED=1
start=$(date +%s)
for w in ${WIDTHS:-1.5 2 3}; do
  mkdir -p "/tmp/sweep/w$w"
  timeout "${TRAIN_LIMIT_S:-420}" $PY -m vinocr.train ${EXTRA_ARGS:-} --emnist-dir .device/emnist --members 1 \
    --train-only --data-workers 4 --width "$w" --work-dir "/tmp/sweep/w$w" > "/tmp/sweep/w$w.log" 2>&1 &
done
wait
echo "trained in $(( $(date +%s) - start )) s"
for w in ${WIDTHS:-1.5 2 3}; do
  echo "== width $w"; tail -n 2 "/tmp/sweep/w$w/history.jsonl"; cat "/tmp/sweep/w$w/box-history.jsonl"
done
for w in ${BRING:-}; do
  $PY scripts/slim_checkpoints.py "/tmp/sweep/w$w" "$OUT/width-$w.tar" "width-$w" --keep best.keras box-epoch-03.keras
done
