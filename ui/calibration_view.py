"""The Metrics page's calibration section, from calibration.json (`python -m vinocr.train.calibrate`):
the temperature and ECE, the per-box reliability diagram, and precision against coverage of
accepted VINs."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ui.theme import MUTED, PRIMARY, WARN


def reliability_frame(calibration: dict[str, Any], key: str = "test_boxes") -> pd.DataFrame:
    """Long table (series, confidence, accuracy, count) of the reliability bins before and after T."""
    data = calibration.get(key) or {}
    series = {
        "reliability_before": "before (T = 1)",
        "reliability_after": f"after (T = {calibration.get('temperature', 1):.3f})",
    }
    rows = [
        {"series": label, "confidence": row["confidence"], "accuracy": row["accuracy"], "count": row["count"]}
        for field, label in series.items()
        for row in data.get(field, [])
        if row.get("count")
    ]
    return pd.DataFrame(rows, columns=["series", "confidence", "accuracy", "count"])


def coverage_frame(calibration: dict[str, Any]) -> pd.DataFrame:
    """Long table (seed, coverage, precision, threshold) of the test-VIN curves."""
    runs = (calibration.get("test_vins") or {}).get("seeds") or {}
    rows = [{"seed": f"seed {seed}", **point} for seed, run in runs.items() for point in run.get("curve", [])]
    return pd.DataFrame(rows, columns=["seed", "coverage", "precision", "threshold"])


def threshold_table(calibration: dict[str, Any]) -> pd.DataFrame:
    """Per seed and threshold: coverage, precision, accepted and wrongly accepted VINs."""
    runs = (calibration.get("test_vins") or {}).get("seeds") or {}
    chosen = (calibration.get("accept") or {}).get("threshold")
    rows = []
    for seed, run in runs.items():
        for row in [*run.get("table", []), run.get("at_threshold")]:
            if row:
                label = f"{row['threshold']:.4f}" + (" (chosen)" if row["threshold"] == chosen else "")
                rows.append(
                    {"seed": seed, "accept from": label, **{k: row[k] for k in row if k != "threshold"}}
                )
    frame = pd.DataFrame(rows)
    return frame.drop_duplicates(subset=["seed", "accept from"]) if not frame.empty else frame


def reliability_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Accuracy against confidence per bin, with the diagonal of perfect calibration."""
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}))
        .mark_line(color=MUTED, strokeDash=[4, 4])
        .encode(x="x:Q", y="y:Q")
    )
    points = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("confidence:Q", scale=alt.Scale(domain=[0, 1]), title="confidence (mean of the bin)"),
            y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), title="accuracy"),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(range=[WARN, PRIMARY]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                "series",
                alt.Tooltip("confidence:Q", format=".3f"),
                alt.Tooltip("accuracy:Q", format=".3f"),
                "count",
            ],
        )
    )
    return diagonal + points


def coverage_chart(frame: pd.DataFrame, target: float, chosen: list[dict[str, Any]]) -> alt.LayerChart:
    """Precision of accepted VINs against coverage; the target dashed, the chosen threshold marked."""
    low = max(0.0, min(0.9, float(frame["precision"].min()) - 0.01)) if not frame.empty else 0.7
    scale = alt.Scale(domain=[low, 1.0])
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("coverage:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("precision:Q", axis=alt.Axis(format="%"), scale=scale),
            color=alt.Color("seed:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                "seed",
                alt.Tooltip("coverage:Q", format=".1%"),
                alt.Tooltip("precision:Q", format=".2%"),
                alt.Tooltip("threshold:Q", format=".4f"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(color=MUTED, strokeDash=[4, 4])
        .encode(y=alt.Y("target:Q", scale=scale))
    )
    marks = (
        alt.Chart(pd.DataFrame(chosen, columns=["seed", "coverage", "precision"]))
        .mark_point(shape="diamond", size=140, filled=True, color=WARN)
        .encode(
            x="coverage:Q", y=alt.Y("precision:Q", scale=scale), tooltip=["seed", "coverage", "precision"]
        )
    )
    return lines + rule + marks


def show_calibration(calibration: dict[str, Any] | None, note: str = "") -> None:
    """The whole section; a hint to run the calibration when calibration.json is missing."""
    st.subheader("Calibration: accept or review")
    if note:
        st.warning(note)
    if not isinstance(calibration, dict) or "temperature" not in calibration:
        st.info(
            "No calibration.json for this model: confidences are the model's own and VINs are accepted "
            "from the default threshold. Run `python -m vinocr.train.calibrate --emnist-dir DIR` to fit it."
        )
        return
    boxes = calibration.get("test_boxes") or {}
    accept = calibration.get("accept") or {}
    cols = st.columns(4)
    cols[0].metric("Temperature", f"{calibration['temperature']:.3f}", help="fitted on validation VIN boxes")
    if boxes:
        cols[1].metric(
            "Box ECE (test)",
            f"{boxes['ece_after']:.4f}",
            f"{boxes['ece_after'] - boxes['ece_before']:+.4f} vs T = 1",
            delta_color="inverse",
            help="expected calibration error, 15 bins, test glyphs in synthetic boxes",
        )
    if accept:
        cols[2].metric("Accept threshold", f"{accept['threshold']:.4f}", help=accept.get("rule", ""))
        cols[3].metric("Target precision", f"{accept.get('target_precision', 0.995):.1%}")
    left, right = st.columns(2)
    with left:
        st.markdown("**Reliability per box** (test split, synthetic boxes; dashed: perfect calibration)")
        frame = reliability_frame(calibration)
        if not frame.empty:
            st.altair_chart(reliability_chart(frame), width="stretch", height=340)
    with right:
        st.markdown("**Accepted VINs: precision against coverage** (1,000 test VINs per seed)")
        curve = coverage_frame(calibration)
        runs = (calibration.get("test_vins") or {}).get("seeds") or {}
        chosen = [
            {"seed": f"seed {s}", **run["at_threshold"]} for s, run in runs.items() if run.get("at_threshold")
        ]
        if not curve.empty:
            st.altair_chart(
                coverage_chart(curve, accept.get("target_precision", 0.995), chosen),
                width="stretch",
                height=340,
            )
    table = threshold_table(calibration)
    if not table.empty:
        st.dataframe(
            table,
            hide_index=True,
            column_config={
                "coverage": st.column_config.NumberColumn(format="%.3f"),
                "precision": st.column_config.NumberColumn(format="%.4f"),
            },
        )
    st.caption(f"Reproduce: `{calibration.get('command', 'python -m vinocr.train.calibrate')}`")
