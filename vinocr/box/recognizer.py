"""Recognise box images with the trained VIN-33 model: load once, then batches of boxes.

Each box gives a BoxResult: the character, its confidence, the top-k characters, the
preprocessing steps, or status "empty" / "error" with a message naming the file.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.image_io import ImageError, decode_image, read_image_file
from vinocr.box.preprocess import LINE_DOUBT, Preprocessed, preprocess_box
from vinocr.calibration import Calibration, load_calibration
from vinocr.model_files import ALPHABET_FILE, ONNX_FILE, model_dir_from_env

LOW_CONFIDENCE = 0.8  # below this a prediction is flagged for a human look
Scored = list[tuple[np.ndarray, Preprocessed]]  # a box's readings with the model's probabilities


@dataclass
class BoxResult:
    """What vinocr says about one box image."""

    name: str
    status: str  # "ok", "empty" or "error"
    char: str | None = None
    confidence: float = 0.0
    top: list[tuple[str, float]] = field(default_factory=list)
    probs: np.ndarray | None = None
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    message: str = ""

    @property
    def ascii_code(self) -> int | None:
        """The character's ASCII code (the task's output contract), None when not recognised."""
        return ord(self.char) if self.char else None

    @property
    def low_confidence(self) -> bool:
        return self.status == "ok" and self.confidence < LOW_CONFIDENCE

    @property
    def input28(self) -> np.ndarray | None:
        """The 28x28 model input, when the box was recognised."""
        return self.steps[-1][1] if self.status == "ok" and self.steps else None

    def to_dict(self) -> dict:
        """JSON-friendly summary (no images)."""
        return {
            "name": self.name,
            "status": self.status,
            "char": self.char,
            "ascii": self.ascii_code,
            "confidence": round(self.confidence, 4),
            "top": [[c, round(p, 4)] for c, p in self.top],
            "message": self.message,
        }


class Recognizer:
    """The trained model plus preprocessing; create once with `load` (about 0.1 s, no TensorFlow).

    Inference runs the ONNX export of the trained Keras model with onnxruntime, a 0.3 s import instead
    of TensorFlow's 2-6 s. The shipped graph is static int8 (vinocr.train.quantize) when that loses at
    most 0.001 of validation accuracy, else float32 (metrics.json "int8_validation_loss" says which);
    on 3,000 test images tests/box/test_model.py asks for the Keras model's argmax on at least 99.7%
    of them, probabilities within 0.15 at most and 0.005 on average.
    """

    def __init__(
        self,
        session,
        alphabet: str = VIN_ALPHABET,
        top_k: int = 3,
        source: str = "",
        calibration: Calibration | None = None,
    ) -> None:
        outputs = session.get_outputs()[0].shape[-1]
        if outputs != len(alphabet):
            raise ValueError(f"model has {outputs} outputs, alphabet has {len(alphabet)}")
        self.session = session
        self.input_name = session.get_inputs()[0].name
        self.alphabet = alphabet
        self.top_k = top_k
        self.source = source
        self.calibration = calibration or Calibration()  # temperature + VIN accept threshold

    @classmethod
    def load(cls, model_dir: str | Path | None = None, top_k: int = 3, calibrated: bool = True) -> Recognizer:
        """Load `vinocr.onnx`, its alphabet and its calibration.json (if any) from `model_dir` (default:
        models/); `calibrated=False` returns the model's own probabilities (T = 1). A calibration.json
        that is there but unusable or fitted for another model raises CalibrationError (a ValueError)."""
        import onnxruntime

        folder = Path(model_dir) if model_dir else model_dir_from_env()
        path = folder / ONNX_FILE
        if not path.exists():
            raise FileNotFoundError(f"no trained model at {path}: run `python -m vinocr.train` first")
        alphabet_file = folder / ALPHABET_FILE
        alphabet = (
            json.loads(alphabet_file.read_text())["alphabet"] if alphabet_file.exists() else VIN_ALPHABET
        )
        # Errors only, from the process-wide logger too: its warnings (e.g. about telemetry for a
        # user without a writable HOME) come in ANSI colours before a session's own level applies.
        onnxruntime.set_default_logger_severity(3)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = min(2, os.cpu_count() or 1)
        # Idle workers sleep instead of spinning: spinning ones took the cores the next batch's
        # preprocessing threads needed (17 boxes end to end: 56 -> 29 ms under load, CPU 45 -> 29 ms).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        calibration = load_calibration(folder, path, strict=True) if calibrated else None
        return cls(session, alphabet, top_k, str(path), calibration)

    def predict_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float 0..255 model inputs -> (N, 33) calibrated probabilities."""
        if len(inputs) == 0:
            return np.zeros((0, len(self.alphabet)), np.float32)
        batch = np.asarray(inputs, np.float32).reshape(-1, 28, 28, 1)
        return self.calibration.apply(self.session.run(None, {self.input_name: batch})[0])

    def recognize_arrays(
        self,
        images: list[np.ndarray],
        names: list[str] | None = None,
        has_border: bool = True,
        line_doubt: float = LINE_DOUBT,
    ) -> list[BoxResult]:
        """Decoded box images -> results, one model call for the whole batch.

        `has_border=False` for drawings, which have no box line to remove; `line_doubt`: how much
        surer a reading with an edge line removed must be than one keeping it as a stroke
        (preprocess_box).
        """
        names = names or [f"box {i + 1}" for i in range(len(images))]
        pairs = list(zip(names, images))
        prepared = _map(
            lambda pair: _safe_preprocess(pair[0], lambda: pair[1], has_border, line_doubt=line_doubt), pairs
        )
        return self._finish(list(zip(names, prepared)))

    def recognize_bytes(self, items: list[tuple[str, bytes]]) -> list[BoxResult]:
        """(name, encoded bytes) pairs -> results; a bad file becomes an error result."""
        prepared = _map(lambda item: _safe_preprocess(item[0], lambda: decode_image(item[1], item[0])), items)
        return self._finish([(name, prep) for (name, _), prep in zip(items, prepared)])

    def recognize_files(self, paths: list[str | Path]) -> list[BoxResult]:
        """Image files -> results, in the given order; a bad file becomes an error result.

        A batch of PROCESS_BATCH files or more is decoded and preprocessed in worker processes (every
        core, which threads cannot give pure-Python work); its results then keep only the final
        28x28 step, to keep what travels between processes small (the CLI needs no more).
        """
        pool = _process_pool() if len(paths) >= PROCESS_BATCH else None
        if pool is None:
            prepared = _map(_prepare_file, paths)
        else:
            prepared = list(pool.map(_prepare_file_lean, paths, chunksize=8))
        return self._finish([(Path(p).as_posix(), prep) for p, prep in zip(paths, prepared)])

    def _finish(self, prepared: list[tuple[str, Preprocessed | str]]) -> list[BoxResult]:
        """Run the model over every reading of every box (one call, and a second one for the
        alternatives a lazy preprocessing left for later that could still win); build results in order.

        A box with alternative readings (an edge line removed or kept as a stroke, the other
        polarity) gets the one the model is surest of, less the reading's doubt (a line that may be
        a stroke is kept unless removing it is clearly better): every surface (CLI, pages, VIN
        reader) comes through here. The choice is the same as with every alternative prepared: one
        left out could not have won.
        """
        boxes = {i: prep for i, (_, prep) in enumerate(prepared) if isinstance(prep, Preprocessed)}
        scored = self._score({i: prep.readings for i, prep in boxes.items()})
        wanted = [
            (i, prepared[i][0], later)
            for i, prep in boxes.items()
            for later in prep.later
            if not _ruled_out(scored[i], later.doubt)
        ]
        extra: dict[int, list[Preprocessed]] = {}
        failed: dict[int, str] = {}
        for (i, _, _), more in zip(wanted, _map(lambda item: _safely(item[1], item[2].read), wanted)):
            if isinstance(more, str):
                failed[i] = more
            else:
                extra.setdefault(i, []).extend(more.readings)
        for i, pairs in self._score(extra).items():
            scored[i].extend(pairs)
        results = []
        for i, (name, prep) in enumerate(prepared):
            if isinstance(prep, str) or i in failed:
                results.append(BoxResult(name, "error", message=failed.get(i, prep)))
            elif not scored[i]:
                results.append(BoxResult(name, "empty", steps=prep.steps, message=f"{name}: {prep.note}"))
            else:
                results.append(self._result(name, *_surest(scored[i])))
        return results

    def _score(self, readings: dict[int, list[Preprocessed]]) -> dict[int, Scored]:
        """Each box's readings with their probabilities, in the given order; one model call for all."""
        flat = [(i, reading) for i, group in readings.items() for reading in group]
        probs = self.predict_inputs(np.stack([r.input28 for _, r in flat]) if flat else np.zeros((0, 28, 28)))
        scored: dict[int, Scored] = {i: [] for i in readings}
        for (i, reading), p in zip(flat, probs):
            scored[i].append((p, reading))
        return scored

    def _result(self, name: str, probs: np.ndarray, prep: Preprocessed) -> BoxResult:
        order = np.argsort(probs)[::-1][: self.top_k]
        top = [(self.alphabet[j], float(probs[j])) for j in order]
        return BoxResult(name, "ok", top[0][0], top[0][1], top, probs, prep.steps)


ROUNDING = 1e-6  # more than float32 rounding can add to a probability less a doubt


def _surest(scored: Scored) -> tuple[np.ndarray, Preprocessed]:
    """The reading whose top probability less its doubt is highest (the first of equals)."""
    best = scored[0]
    for p, reading in scored[1:]:
        if p.max() - reading.doubt > best[0].max() - best[1].doubt:
            best = (p, reading)
    return best


def _ruled_out(scored: Scored, doubt: float) -> bool:
    """No reading with a doubt of `doubt` or more can beat one of these: probabilities are at most 1,
    so such a reading scores at most 1 - doubt."""
    return any(float(p.max() - reading.doubt) >= 1.0 - doubt + ROUNDING for p, reading in scored)


_POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="vinocr")


THREAD_BATCH = 32  # smaller batches run in the calling thread: the GIL held by the pure-Python
# parts made threads slower for 17 boxes (bench_speed, 2 cores: samples 23.8-25.7 -> 21.2-22.5 ms)


def _map(fn, items: list) -> list:
    """fn over items, in order; in threads for large batches (OpenCV releases the GIL while it works)."""
    if len(items) < THREAD_BATCH:
        return [fn(item) for item in items]
    return list(_POOL.map(fn, items))


PROCESS_BATCH = 64  # recognize_files uses worker processes from this many files on
_PROCESSES: list[ProcessPoolExecutor] = []


def _process_pool() -> ProcessPoolExecutor | None:
    """Worker processes (forked, one per core), made on first use; None with one core or no fork."""
    if not _PROCESSES:
        cores = os.cpu_count() or 1
        if cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        context = multiprocessing.get_context("fork")
        _PROCESSES.append(ProcessPoolExecutor(cores, mp_context=context, initializer=_leave_interrupts))
    return _PROCESSES[0]


def _leave_interrupts() -> None:
    """In a worker process: Ctrl-C is the main process's to handle (no traceback from every worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _prepare_file(path: str | Path, lazy: bool = True) -> Preprocessed | str:
    """Read, decode and preprocess one image file (or the message naming its problem)."""
    return _safe_preprocess(Path(path).as_posix(), lambda: read_image_file(path), lazy=lazy)


def _prepare_file_lean(path: str | Path) -> Preprocessed | str:
    """_prepare_file with every alternative prepared, keeping only each reading's final 28x28 step
    (run in a worker process)."""
    prepared = _prepare_file(path, lazy=False)
    return prepared if isinstance(prepared, str) else prepared.lean()


def _safe_preprocess(
    name: str, load, has_border: bool = True, lazy: bool = True, line_doubt: float = LINE_DOUBT
) -> Preprocessed | str:
    """Decode and preprocess one image, its alternative readings left for later (`lazy`); a problem
    becomes a message naming it."""
    return _safely(name, lambda: preprocess_box(load(), has_border, lazy, line_doubt))


def _safely(name: str, prepare: Callable[[], Preprocessed]) -> Preprocessed | str:
    """`prepare()`, or the message naming the box's problem: never a crashed batch."""
    try:
        return prepare()
    except ImageError as exc:  # a decoder's message names the file; one from an array may not
        message = str(exc)
        return message if message.startswith(f"{name}:") else f"{name}: {message}"
    except Exception as exc:  # an unforeseen input must not take the other boxes down with it
        return f"{name}: could not be processed ({type(exc).__name__}: {exc})"
