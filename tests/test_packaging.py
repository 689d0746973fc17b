"""The house: one source of pins, a runtime without TensorFlow, console scripts, no sys.path edits."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from vinocr.box.image_io import encode_png
from vinocr.synth.samples import sample_boxes

ROOT = Path(__file__).resolve().parents[1]
DESIGN_CARD = {
    "streamlit",
    "streamlit-drawable-canvas",
    "tensorflow-cpu",
    "opencv-python-headless",
    "numpy",
    "pandas",
}
TRAINING_ONLY = {"tensorflow", "tensorflow-cpu", "keras", "tf2onnx", "onnx", "h5py"}

RUNTIME_IMPORTS = """
import sys
from streamlit.testing.v1 import AppTest
import vinocr, vinocr.box.cli, vinocr.box.recognizer, vinocr.field.pipeline, vinocr.vin.reader, vinocr.vin.cli
for page in ["pages/home.py", "pages/recognize.py", "pages/draw.py", "pages/batch.py", "pages/metrics.py"]:
    at = AppTest.from_file("app.py", default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, (page, [e.value for e in at.exception])
    at.button[0].click().run() if page == "pages/home.py" and at.button else None
heavy = sorted(name for name in ("tensorflow", "keras", "tf2onnx", "onnx") if name in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


def names(path: Path) -> set[str]:
    """Package names pinned in a requirements file."""
    lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
    return {re.split(r"[=<>\[]", ln)[0].lower() for ln in lines if ln}


def test_requirement_files_are_generated_from_pyproject():
    result = subprocess.run(
        [sys.executable, "scripts/sync_requirements.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert all("==" in pin for pin in project["dependencies"] + project["optional-dependencies"]["train"])


def test_requirements_txt_carries_the_design_card_and_the_app_set_no_tensorflow():
    assert DESIGN_CARD <= names(ROOT / "requirements.txt")
    app = names(ROOT / "requirements-app.txt")
    assert {"streamlit", "onnxruntime", "opencv-python-headless", "numpy", "pandas"} <= app
    assert not app & TRAINING_ONLY
    assert {"pytest", "hypothesis", "playwright"} <= names(ROOT / "requirements-dev.txt")


def test_app_and_clis_never_import_tensorflow():
    """Every page run in AppTest, plus the CLIs, recognizer, segmentation and VIN reader, in a fresh
    interpreter: neither TensorFlow nor Keras (nor the ONNX exporters) may be imported."""
    result = subprocess.run(
        [sys.executable, "-c", RUNTIME_IMPORTS], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "HEAVY:\n" in result.stdout or result.stdout.rstrip().endswith("HEAVY:"), result.stdout[-500:]


def test_console_scripts_match_python_dash_m(tmp_path):
    for name, image in sample_boxes()[:3]:
        (tmp_path / name).write_bytes(encode_png(image))
    bin_dir = Path(sys.executable).parent
    for script, module in (("vinocr", "vinocr"), ("vinocr-vin", "vinocr.vin")):
        assert (bin_dir / script).exists(), f"{script} is not installed: pip install -e ."
        folder = [str(tmp_path)]
        scripted = subprocess.run([str(bin_dir / script), *folder], cwd=ROOT, capture_output=True, text=True)
        moduled = subprocess.run(
            [sys.executable, "-m", module, *folder], cwd=ROOT, capture_output=True, text=True
        )
        assert (scripted.returncode, scripted.stdout, scripted.stderr) == (
            moduled.returncode,
            moduled.stdout,
            moduled.stderr,
        )
    # refused from the folder's listing, never read as a 3-character VIN
    assert scripted.returncode == 2 and "holds 3 box images; a VIN needs 17" in scripted.stderr


def test_no_sys_path_edits_anywhere():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if any(part in (".venv", "artifacts", "node_modules") for part in path.parts):
            continue
        if re.search(r"sys\.path\.(insert|append|extend)|sys\.path\s*\+?=", path.read_text()):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_public_api_is_re_exported_lazily():
    code = (
        "import sys, vinocr; light = 'cv2' not in sys.modules; "
        "names = [getattr(vinocr, n).__name__ for n in vinocr.__all__]; print(light, names)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == (
        "True ['Recognizer', 'check_vin', 'decode_vin', 'preprocess_box', 'read_boxes', 'read_field']"
    )
