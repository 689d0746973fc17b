"""Accept or review on generated VINs written with test-split glyphs: precision of the accepted VINs,
coverage (share accepted) and the precision/coverage curve, with the model folder's calibration.json.

python -m bench.eval_accept --emnist-dir ../shared/data/emnist --vins 1000 --seeds 0 7
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import eval_parser, load_split
from vinocr.box.recognizer import Recognizer
from vinocr.calibration import load_calibration
from vinocr.model_files import model_dir_from_env
from vinocr.train.calibrate import read_vin_set, vin_outcomes, vin_report


def main() -> None:
    parser = eval_parser(__doc__)
    parser.add_argument("--vins", type=int, default=1000, help="VINs per seed")
    parser.add_argument("--seeds", type=int, nargs="+", help="seeds (default: --seed)")
    parser.add_argument("--model-dir", help="model folder (default: models/ or $VINOCR_MODEL_DIR)")
    args = parser.parse_args()
    split = load_split(args)
    folder = args.model_dir or model_dir_from_env()
    raw = Recognizer.load(folder, calibrated=False)
    calibration = load_calibration(folder, Path(raw.source))
    print(
        f"T = {calibration.temperature:.4f}, accept from {calibration.accept_threshold:.4f} "
        f"({calibration.source or calibration.note})"
    )
    for seed in args.seeds or [args.seed]:
        started = time.perf_counter()
        vins = read_vin_set(raw, split.x_test, split.y_test, args.vins, seed)
        report = vin_report(vin_outcomes(vins, calibration.temperature), calibration.accept_threshold)
        at = report["at_threshold"]
        print(
            f"\nseed {seed}: {report['vins']} VINs ({report['unread_vins']} with an unread box), exact "
            f"{report['exact_vin']:.3f}, mean probability {report['mean_probability']:.3f}, "
            f"{time.perf_counter() - started:.0f} s"
        )
        print(
            f"accepted {at['accepted']} (coverage {at['coverage']:.3f}), precision {at['precision']}, "
            f"wrongly accepted {at['wrong_accepted']}; boxes named on wrong reviewed VINs: "
            f"{report['check_boxes']}"
        )
        print("| accept from | coverage | precision | accepted | wrong |\n|---|---|---|---|---|")
        for row in [*report["table"], at]:
            precision = "-" if row["precision"] is None else f"{row['precision']:.4f}"
            print(
                f"| {row['threshold']:.4f} | {row['coverage']:.3f} | {precision} | {row['accepted']} "
                f"| {row['wrong_accepted']} |"
            )


if __name__ == "__main__":
    main()
