"""Tests of vinocr.vin.rules: check digit, model year, WMI and the full report."""

from __future__ import annotations

import json
import random

import pytest

from vinocr.alphabet import VIN_ALPHABET
from vinocr.vin.rules import (
    CHECK_WEIGHTS,
    TRANSLITERATION,
    WmiInfo,
    allowed_chars,
    check_digit,
    check_digit_ok,
    check_vin,
    model_years,
    wmi_info,
)

VALID_VINS = [
    "1M8GDM9AXKP042788",  # the 49 CFR 565 worked example, check digit X
    "11111111111111111",  # weights sum to 89, 89 mod 11 = 1
    "1HGCM82633A004352",  # Honda sample, checked by hand below
]


def _with(vin: str, position: int, char: str) -> str:
    """Replace the character at a 1-based position."""
    return vin[: position - 1] + char + vin[position:]


# --------------------------------------------------------------------------- tables


def test_tables_cover_the_alphabet() -> None:
    assert set(TRANSLITERATION) == set(VIN_ALPHABET)
    assert len(CHECK_WEIGHTS) == 17 and CHECK_WEIGHTS[8] == 0
    assert [TRANSLITERATION[c] for c in "AHJNPRSZ"] == [1, 8, 1, 5, 7, 9, 2, 9]
    assert all(TRANSLITERATION[str(d)] == d for d in range(10))


# --------------------------------------------------------------------------- check digit


@pytest.mark.parametrize("vin", VALID_VINS)
def test_published_vins_pass(vin: str) -> None:
    assert check_digit(vin) == vin[8]
    assert check_digit_ok(vin)


def test_cfr_example_is_x() -> None:
    assert check_digit("1M8GDM9AXKP042788") == "X"


def test_honda_by_hand() -> None:
    # 1 H G C M 8 2 6 _ 3 A 0 0 4 3 5 2 -> 1 8 7 3 4 8 2 6 _ 3 1 0 0 4 3 5 2
    values = [1, 8, 7, 3, 4, 8, 2, 6, 0, 3, 1, 0, 0, 4, 3, 5, 2]
    total = sum(v * w for v, w in zip(values, CHECK_WEIGHTS, strict=True))
    assert total == 311 and total % 11 == 3
    assert check_digit("1HGCM82633A004352") == "3"


def test_hand_made_examples() -> None:
    # all zeros: sum 0 -> '0'; a single '1' at position 8 (weight 10) -> 'X'
    assert check_digit("00000000000000000") == "0"
    assert check_digit("00000001000000000") == "X"
    assert check_digit("A0000000000000000") == "8"  # A=1, weight 8
    assert check_digit("0000000000000000Z") == "7"  # Z=9, weight 2, 18 mod 11


@pytest.mark.parametrize(
    "vin",
    ["1M8GDM9A1KP042788", "1M8GDM9AXKP042789", "11111111211111111", "1HGCM82643A004352", "1HGCN82633A004352"],
)
def test_mutated_vins_fail(vin: str) -> None:
    assert not check_digit_ok(vin)


def test_position_9_is_ignored_by_the_sum() -> None:
    assert check_digit("1M8GDM9A0KP042788") == "X"


def test_every_value_changing_substitution_is_caught() -> None:
    rng = random.Random(0)
    for _ in range(50):
        vin = "".join(rng.choice(VIN_ALPHABET) for _ in range(17))
        vin = _with(vin, 9, check_digit(vin))
        assert check_digit_ok(vin)
        position = rng.choice([p for p in range(1, 18) if p != 9])
        old = vin[position - 1]
        new = rng.choice([c for c in VIN_ALPHABET if TRANSLITERATION[c] != TRANSLITERATION[old]])
        assert not check_digit_ok(_with(vin, position, new))


@pytest.mark.parametrize("bad", ["1M8GDM9AXKP04278", "1M8GDM9AXKP0427888", "1M8GDO9AXKP042788", ""])
def test_check_digit_rejects_invalid_input(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)
    assert check_digit_ok(bad) is False


def test_lowercase_is_normalised() -> None:
    assert check_digit_ok("1m8gdm9axkp042788")


# --------------------------------------------------------------------------- model year


@pytest.mark.parametrize(
    ("char", "years"),
    [
        ("A", [1980, 2010]),
        ("H", [1987, 2017]),
        ("J", [1988, 2018]),
        ("P", [1993, 2023]),
        ("R", [1994, 2024]),
        ("T", [1996, 2026]),
        ("V", [1997, 2027]),
        ("Y", [2000, 2030]),
        ("1", [2001, 2031]),
        ("9", [2009, 2039]),
    ],
)
def test_model_years(char: str, years: list[int]) -> None:
    assert model_years(char) == years


@pytest.mark.parametrize("char", ["U", "Z", "0", "O", "I", "Q", "", "AB"])
def test_never_a_model_year(char: str) -> None:
    assert model_years(char) == []


# --------------------------------------------------------------------------- WMI


@pytest.mark.parametrize(
    ("vin", "region", "country", "manufacturer"),
    [
        ("1HGCM82633A004352", "North America", "United States", "Honda"),
        ("WVWZZZ1JZXW000001", "Europe", "Germany", "Volkswagen"),
        ("JT2BG22K1Y0123456", "Asia", "Japan", "Toyota"),
        ("SAL", "Europe", "United Kingdom", "Land Rover"),
        ("9BW", "South America", "Brazil", "Volkswagen"),
        ("6FP", "Oceania", "Australia", "Ford Australia"),
        ("2T1", "North America", "Canada", None),
    ],
)
def test_wmi_info(vin: str, region: str, country: str, manufacturer: str | None) -> None:
    info = wmi_info(vin)
    assert info.wmi == vin[:3]
    assert (info.region, info.country) == (region, country)
    if manufacturer is not None:
        assert info.manufacturer == manufacturer


def test_region_falls_back_to_iso_table() -> None:
    # vininfo's region table stops at C; ISO 3779 gives A-H to Africa
    assert wmi_info("EAA").region == "Africa"
    assert wmi_info("0AA") == WmiInfo("0AA", None, None, None)


def test_wmi_info_on_partial_strings() -> None:
    assert wmi_info("") == WmiInfo("", None, None, None)
    assert wmi_info("W").region == "Europe"


# --------------------------------------------------------------------------- full report


@pytest.mark.parametrize("mode", ["enforce", "prefer", "ignore"])
@pytest.mark.parametrize("vin", VALID_VINS)
def test_valid_vin_report(vin: str, mode: str) -> None:
    report = check_vin(vin, mode)
    assert report.ok
    names = [r.name for r in report.rules]
    assert names == ["characters", "length", "check_digit", "model_year", "serial", "wmi"]
    assert all(r.passed is not False for r in report.rules)


def test_wrong_check_digit_depends_on_mode() -> None:
    vin = "1M8GDM9A1KP042788"
    enforce, prefer, ignore = (check_vin(vin, m) for m in ("enforce", "prefer", "ignore"))
    assert not enforce.ok
    assert prefer.ok and ignore.ok
    for report in (enforce, prefer, ignore):
        rule = report.rule("check_digit")
        assert rule.passed is False
        assert "'X'" in rule.reason and "'1'" in rule.reason
    assert enforce.rule("check_digit").mandatory
    assert not prefer.rule("check_digit").mandatory
    assert prefer.rule("check_digit").level == "advisory"
    assert ignore.rule("check_digit").level == "informational"
    assert "informational" in ignore.rule("check_digit").reason
    assert "North-American" in prefer.rule("check_digit").reason


def test_forbidden_letter_reason() -> None:
    report = check_vin("1M8GOM9AXKP042788")
    rule = report.rule("characters")
    assert rule.passed is False
    assert rule.reason == "position 5 is 'O', which a VIN never uses (O, I, Q look like 0, 1)"
    assert report.rule("check_digit").passed is None
    assert not report.ok


def test_other_bad_characters_are_named() -> None:
    rule = check_vin("1M8-DM9AXKP042788").rule("characters")
    assert "position 4 is '-'" in rule.reason


def test_wrong_length_is_explained() -> None:
    report = check_vin("1M8GDM9AXKP04278", "ignore")
    assert report.rule("length").passed is False
    assert "16 characters" in report.rule("length").reason and "1 missing" in report.rule("length").reason
    assert report.rule("check_digit").passed is None
    assert "can't be checked" in report.rule("check_digit").reason
    assert not report.ok


def test_partial_string_is_graceful() -> None:
    report = check_vin("1H")
    assert report.rule("model_year").passed is None
    assert report.rule("wmi").passed is None
    assert not report.ok
    empty = check_vin("")
    assert [r.passed for r in empty.rules] == [True, False, None, None, None, None]


@pytest.mark.parametrize("position", [14, 15, 16, 17])
def test_a_letter_in_the_serial_digits_fails(position: int) -> None:
    vin = _with("1M8GDM9A0KP042788", position, "A")
    vin = _with(vin, 9, check_digit(vin))
    prefer = check_vin(vin, "prefer")
    rule = prefer.rule("serial")
    assert rule.passed is False and f"position {position} is 'A'" in rule.reason and "ISO 3779" in rule.reason
    assert not prefer.ok and not check_vin(vin, "enforce").ok
    assert check_vin(vin, "ignore").ok and check_vin(vin, "ignore").rule("serial").level == "informational"


def test_letters_before_position_14_pass_the_serial_rule() -> None:
    vin = _with("1M8GDM9A0KP042788", 13, "Z")
    assert check_vin(_with(vin, 9, check_digit(vin))).rule("serial").passed is True


def test_allowed_chars_per_position() -> None:
    assert allowed_chars(9) == "".join(c for c in VIN_ALPHABET if c not in "UZ0")
    assert [allowed_chars(i) for i in range(13, 17)] == ["0123456789"] * 4
    assert allowed_chars(0) == allowed_chars(8) == allowed_chars(12) == VIN_ALPHABET


@pytest.mark.parametrize("char", ["U", "Z", "0"])
def test_forbidden_model_year_fails(char: str) -> None:
    vin = _with("1M8GDM9A0KP042788", 10, char)
    vin = _with(vin, 9, check_digit(vin))
    prefer = check_vin(vin, "prefer")
    rule = prefer.rule("model_year")
    assert rule.passed is False and "U, Z and 0" in rule.reason
    assert not prefer.ok
    assert check_vin(vin, "ignore").ok


def test_model_year_reason_names_years() -> None:
    assert "1989 or 2019" in check_vin("1M8GDM9AXKP042788").rule("model_year").reason


def test_unknown_country_is_not_a_failure() -> None:
    vin = _with("0A8GDM9AXKP042788", 9, "0")
    vin = _with(vin, 9, check_digit(vin))
    report = check_vin(vin, "enforce")
    wmi = report.rule("wmi")
    assert wmi.passed is None and not wmi.mandatory and "unknown" in wmi.reason
    assert report.ok


def test_report_to_dict_is_json_ready() -> None:
    data = check_vin(" 1hgcm82633a004352 ", "enforce").to_dict()
    assert data["vin"] == "1HGCM82633A004352" and data["ok"] is True
    assert data["wmi"]["manufacturer"] == "Honda"
    json.dumps(data)


def test_bad_mode() -> None:
    with pytest.raises(ValueError):
        check_vin("1M8GDM9AXKP042788", "strict")
