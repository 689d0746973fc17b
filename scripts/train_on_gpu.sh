#!/usr/bin/env bash
# Train the ensemble members of `python -m vinocr.train` on a lent GPU machine (the `device` tool):
# the same command and recipe as on the CPU, with Keras 3 on the JAX backend, one process per member.
# Needs, in the repo root (both ignored by git, made by `python scripts/pack_for_gpu.py`):
#   .device/emnist  the train+validation images as one IDX pair (the split comes out the same)
#   .whl            keras, namex, optree wheels for the machine's Python 3.12
# Brings back into $OUT, per member, the checkpoints finalize needs (saved without optimizer state),
# its histories and log; then, here: unpack into artifacts/training and run
#   python -m vinocr.train --members N --finalize-only
# EXTRA_ARGS (e.g. "--limit 2000 --epochs 1") and PYTHON / SKIP_WHEELS=1 are for a dry run here;
# KEEP="best.keras box-epoch-03.keras" brings back only those checkpoints (large networks).
set -u
PY=${PYTHON:-python3}
if [ -z "${SKIP_WHEELS:-}" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
fi
export PYTHONPATH=/tmp/site:$PWD KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false PYTHONUNBUFFERED=1
MEMBERS=${MEMBERS:-3}
WORK=/tmp/work
nvidia-smi -L || true
start=$(date +%s)
for m in $(seq 0 $((MEMBERS - 1))); do
  mkdir -p "$WORK/logs"
  timeout "${TRAIN_LIMIT_S:-480}" $PY -m vinocr.train ${EXTRA_ARGS:-} --emnist-dir .device/emnist --members "$MEMBERS" \
    --member "$m" --train-only --data-workers 4 --work-dir "$WORK" > "$WORK/logs/member-$m.log" 2>&1 &
done
wait
echo "all members trained in $(( $(date +%s) - start )) s"
for m in $(seq 0 $((MEMBERS - 1))); do
  $PY scripts/slim_checkpoints.py "$WORK" "$OUT/member-$m.tar" "member-$m" --member "$m" \
    --log "$WORK/logs/member-$m.log" --keep ${KEEP:-}
done
if [ -f "$WORK/box_inputs_validation.npz" ]; then cp "$WORK/box_inputs_validation.npz" "$OUT/"; fi
tail -n 3 "$WORK"/logs/*.log
