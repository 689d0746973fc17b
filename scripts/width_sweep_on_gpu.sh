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
$PY - "$OUT" ${BRING:-} <<'PY'
import shutil, sys, tarfile
from pathlib import Path
import keras
out = Path(sys.argv[1])
for width in sys.argv[2:]:
    folder, slim = Path(f"/tmp/sweep/w{width}"), Path(f"/tmp/slim/w{width}")
    slim.mkdir(parents=True, exist_ok=True)
    for name in ("best.keras", "box-epoch-03.keras"):
        if (folder / name).exists():
            keras.models.load_model(folder / name, compile=False).save(slim / name)
    for name in ("history.jsonl", "box-history.jsonl"):
        shutil.copy(folder / name, slim / name)
    with tarfile.open(out / f"width-{width}.tar", "w") as tar:
        tar.add(slim, arcname=f"width-{width}")
PY
