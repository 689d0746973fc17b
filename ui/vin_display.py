"""The VIN on screen: coloured characters, legend, accept or review, the rule report and the
check-digit mode choice."""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from ui import safe_text
from ui.theme import (
    CELL_BG,
    CHANGED_BG,
    CHANGED_FG,
    CHECK_RING,
    CORRECTED_BG,
    CORRECTED_FG,
    LOW_BG,
    LOW_FG,
    MUTED,
    TEXT,
)
from vinocr.alphabet import UNREAD, VIN_ALPHABET
from vinocr.vin.reader import VinReading
from vinocr.vin.rules import MODES, VinReport

RULE_TITLES: dict[str, str] = {
    "characters": "Allowed characters",
    "length": "Length",
    "check_digit": "Check digit (position 9)",
    "model_year": "Model year (position 10)",
    "serial": "Serial digits (positions 14-17)",
    "wmi": "Region / country (positions 1-3)",
}


MODE_LABELS: dict[str, str] = {
    "enforce": "Enforce (North-American VIN)",
    "prefer": "Prefer (soft evidence)",
    "ignore": "Ignore the check digit",
}


def vin_html(
    vin: str,
    low: Sequence[int] = (),
    changed: Sequence[int] = (),
    corrected: Sequence[int] = (),
    titles: Sequence[str] | None = None,
    check: Sequence[int] = (),
) -> str:
    """The VIN in large monospace, one cell per character; positions are 1-based.

    Low-confidence or unread boxes are amber, boxes the rules changed are blue and underlined,
    boxes corrected by hand are green; boxes to check (a VIN under review) get a red outline.
    """
    cells = []
    for i, char in enumerate(vin):
        position = i + 1
        style = f"background:{CELL_BG};color:{TEXT};"
        kind = "read"
        if position in corrected:
            style, kind = f"background:{CORRECTED_BG};color:{CORRECTED_FG};", "corrected by hand"
        elif position in changed:
            style = f"background:{CHANGED_BG};color:{CHANGED_FG};text-decoration:underline;"
            kind = "changed by the rules"
        elif position in low or char == UNREAD:
            style, kind = f"background:{LOW_BG};color:{LOW_FG};", "low confidence"
        if position in check:
            style += f"outline:3px solid {CHECK_RING};outline-offset:1px;"
            kind += ", check this box"
        title = titles[i] if titles and i < len(titles) else f"position {position}: {kind}"
        cells.append(
            f'<span class="vin-char" title="{safe_text.in_html(title)}" style="display:inline-block;'
            f'min-width:1.15em;text-align:center;margin:0 2px;padding:2px 0;border-radius:6px;{style}">'
            f"{html.escape(char)}</span>"
        )
    return (
        '<div class="vin-display" style="font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;'
        'font-size:2.4rem;font-weight:600;letter-spacing:0.02em;line-height:1.5;margin:0.2rem 0 0.4rem 0;">'
        + "".join(cells)
        + "</div>"
    )


VIN_LEGEND = (
    f'<span style="background:{LOW_BG};padding:0 6px;border-radius:4px">low confidence / unread</span> '
    f'<span style="background:{CHANGED_BG};padding:0 6px;border-radius:4px;text-decoration:underline">'
    "changed by the rules</span> "
    f'<span style="background:{CORRECTED_BG};padding:0 6px;border-radius:4px">corrected by hand</span> '
    f'<span style="outline:2px solid {CHECK_RING};padding:0 6px;border-radius:4px">box to check</span>'
)


def rule_rows(report: VinReport) -> list[dict[str, str]]:
    """One dict per rule: status (pass / fail / unknown), a Markdown icon, title, level and reason."""
    marks = {
        True: ("pass", ":green[:material/check_circle:]"),
        False: ("fail", ":red[:material/cancel:]"),
        None: ("unknown", ":gray[:material/help:]"),
    }
    return [
        {
            "status": marks[rule.passed][0],
            "icon": marks[rule.passed][1],
            "title": RULE_TITLES.get(rule.name, rule.name),
            "level": rule.level,
            "reason": rule.reason,
        }
        for rule in report.rules
    ]


def clean_corrections(choices: dict[int, str | None]) -> dict[int, str]:
    """Box index -> character for the boxes where a VIN character was chosen."""
    return {i: c for i, c in choices.items() if c and len(c) == 1 and c in VIN_ALPHABET}


def mode_radio(key: str) -> str:
    """The enforce / prefer / ignore choice for the check-digit rule."""
    return st.radio(
        "Check-digit rule",
        MODES,
        index=MODES.index("prefer"),
        format_func=MODE_LABELS.get,
        horizontal=True,
        key=key,
        help="The check digit is mandatory only for North-American VINs: enforce it for those, "
        "prefer treats it as soft evidence, ignore switches it off.",
    )


def show_vin(reading: VinReading, changed_marks: bool = True) -> None:
    """The VIN in large monospace with low-confidence, rule-changed and corrected boxes marked."""
    low = [i + 1 for i, b in enumerate(reading.boxes) if b.low_confidence or b.status != "ok"]
    low = [p for p in low if p - 1 not in reading.corrections]
    titles = []
    for i, char in enumerate(reading.vin):
        box = reading.boxes[i] if i < len(reading.boxes) else None
        if box is not None and box.status == "ok":
            titles.append(f"box {i + 1} ({box.name}): read {box.char} at {box.confidence:.0%}, shown {char}")
        else:
            titles.append(f"box {i + 1}: {box.message if box else 'missing'}")
    corrected = [i + 1 for i in reading.corrections]
    changed = reading.changed_positions if changed_marks else []
    check = reading.check_boxes
    st.markdown(vin_html(reading.vin, low, changed, corrected, titles, check), unsafe_allow_html=True)
    st.markdown(VIN_LEGEND, unsafe_allow_html=True)


def verdict_text(reading: VinReading) -> str:
    """Accept or review in one Markdown sentence, with the probability and the boxes to check."""
    confidence = reading.confidence
    if confidence is None or reading.probability is None:
        reason = confidence.reason if confidence else "the VIN could not be decoded"
        return f"**Review**: {reason}."
    odds = (
        f"**{reading.probability:.1%}** probability that this VIN is exactly right "
        f"(accepted from {confidence.threshold:.1%})"
    )
    if reading.status == "accept":
        return f"**Accept**: {odds}."
    boxes = ", ".join(map(str, reading.check_boxes))
    return f"**Review**: {odds}. Check box {boxes} (outlined in red): the likeliest to be wrong."


def show_verdict(reading: VinReading) -> None:
    """Accept (green) or review (amber), with the probability and the boxes to check."""
    if reading.status == "accept":
        st.success(verdict_text(reading), icon=":material/verified:")
    else:
        st.warning(verdict_text(reading), icon=":material/rate_review:")


def show_report(reading: VinReading) -> None:
    """The rule report: a verdict and one line per rule."""
    report = reading.report
    if UNREAD in reading.vin or len(reading.vin) != 17:
        st.warning("The VIN is incomplete, so the rules can only be checked in part.")
    elif report.ok and not report.failures():
        st.success("Every rule passes.")
    elif report.ok:
        st.info("The mandatory rules pass; see the advisory notes below.")
    else:
        st.error("A mandatory rule fails: check the marked boxes.")
    lines = [
        f"{row['icon']} **{row['title']}** <span style='color:{MUTED}'>({row['level']})</span>: "
        f"{row['reason']}"
        for row in rule_rows(report)
    ]
    st.markdown("  \n".join(lines), unsafe_allow_html=True)
