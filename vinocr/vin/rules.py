"""VIN rules (ISO 3779 / 49 CFR 565): check a string and explain each rule in plain language.

Rules reported by :func:`check_vin`, in this order:

* ``characters``: only the 33 VIN characters (no I, O, Q, no lowercase, no punctuation);
* ``length``: exactly 17 characters;
* ``check_digit``: position 9 equals the North-American check digit (49 CFR 565);
* ``model_year``: position 10 is a model-year code (never U, Z or 0);
* ``serial``: positions 14-17 are digits (ISO 3779: the last four characters of a VIN are numeric;
  49 CFR 565 asks the same, and the last five for cars and light trucks);
* ``wmi``: positions 1-3 name a known region / country / manufacturer (never a failure).

The check mode is the caller's choice, because the check digit is mandatory only for North-American
vehicles: ``"enforce"`` makes it mandatory, ``"prefer"`` reports it as advisory (it is still shown as
failing), ``"ignore"`` reports it as informational only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from vinocr.alphabet import CHAR_TO_INDEX, VIN_ALPHABET

try:  # offline WMI / country tables; optional so the rules still work without the package
    from vininfo.dicts import COUNTRIES as _VININFO_COUNTRIES
    from vininfo.dicts import REGIONS as _VININFO_REGIONS
    from vininfo.dicts import WMI as _VININFO_WMI
except ImportError:  # pragma: no cover - vininfo is in requirements.txt
    _VININFO_COUNTRIES, _VININFO_REGIONS, _VININFO_WMI = {}, {}, {}

VIN_LENGTH: int = 17
CHECK_DIGIT_POSITION: int = 9
"""1-based position of the check digit."""
YEAR_POSITION: int = 10
"""1-based position of the model-year code."""

MODES: tuple[str, ...] = ("enforce", "prefer", "ignore")

CHECK_WEIGHTS: tuple[int, ...] = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
"""49 CFR 565 weight of each position (position 9, the check digit itself, weighs 0)."""

_LETTER_VALUES: dict[str, int] = {
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
TRANSLITERATION: dict[str, int] = {**{str(d): d for d in range(10)}, **_LETTER_VALUES}
"""Numeric value of each of the 33 VIN characters for the check-digit sum."""

YEAR_CODES: str = "ABCDEFGHJKLMNPRSTVWXY123456789"
"""Model-year codes in order from 1980; the cycle repeats every 30 years."""
YEAR_CYCLE_START: tuple[int, ...] = (1980, 2010)
FORBIDDEN_YEAR_CHARS: str = "UZ0"
SERIAL_POSITIONS: tuple[int, ...] = (14, 15, 16, 17)
"""1-based positions that are always digits (ISO 3779: the last four characters are numeric)."""
DIGITS: str = "0123456789"

LOOKALIKES: dict[str, str] = {"I": "1", "O": "0", "Q": "0"}

_ISO_REGIONS: tuple[tuple[str, str], ...] = (
    ("ABCDEFGH", "Africa"),
    ("JKLMNPR", "Asia"),
    ("STUVWXYZ", "Europe"),
    ("12345", "North America"),
    ("67", "Oceania"),
    ("89", "South America"),
)
"""ISO 3779 region by first character, used where vininfo has no region."""

LEVEL_REQUIRED, LEVEL_ADVISORY, LEVEL_INFO = "required", "advisory", "informational"


@dataclass(frozen=True)
class RuleResult:
    """Outcome of one rule: passed is None when it could not be evaluated (or is 'unknown')."""

    name: str
    passed: bool | None
    reason: str
    mandatory: bool
    level: str = LEVEL_REQUIRED


@dataclass(frozen=True)
class WmiInfo:
    """What positions 1-3 (World Manufacturer Identifier) say; None where unknown."""

    wmi: str
    region: str | None
    country: str | None
    manufacturer: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return asdict(self)


@dataclass(frozen=True)
class VinReport:
    """All rule results for one string, checked in one mode."""

    vin: str
    mode: str
    rules: list[RuleResult] = field(default_factory=list)
    wmi: WmiInfo | None = None

    @property
    def ok(self) -> bool:
        """True when every mandatory rule passed (a mandatory rule that can't be evaluated fails)."""
        return all(rule.passed is True for rule in self.rules if rule.mandatory)

    def rule(self, name: str) -> RuleResult:
        """The result of the rule called `name` (KeyError if absent)."""
        for result in self.rules:
            if result.name == name:
                return result
        raise KeyError(name)

    def failures(self) -> list[RuleResult]:
        """Rules that were evaluated and failed, mandatory or not."""
        return [rule for rule in self.rules if rule.passed is False]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready), including the `ok` verdict."""
        return {
            "vin": self.vin,
            "mode": self.mode,
            "ok": self.ok,
            "rules": [asdict(rule) for rule in self.rules],
            "wmi": self.wmi.to_dict() if self.wmi else None,
        }


# --------------------------------------------------------------------------- check digit


def normalize(vin: str) -> str:
    """Strip surrounding whitespace and upper-case (VINs are case-insensitive when typed)."""
    return vin.strip().upper()


def check_char(remainder: int) -> str:
    """The check character for a weighted sum remainder mod 11 (10 is written X)."""
    if not 0 <= remainder <= 10:
        raise ValueError(f"remainder must be in 0..10, got {remainder}")
    return "X" if remainder == 10 else str(remainder)


def weighted_sum(vin: str) -> int:
    """Weighted transliterated sum mod 11 of a 17-char VIN (position 9 weighs 0)."""
    return sum(TRANSLITERATION[c] * w for c, w in zip(vin, CHECK_WEIGHTS, strict=True)) % 11


def _bad_characters(vin: str) -> list[tuple[int, str]]:
    """(1-based position, char) of every character that is not a VIN character."""
    return [(i + 1, c) for i, c in enumerate(vin) if c not in CHAR_TO_INDEX]


def check_digit(vin: str) -> str:
    """Expected check character ('0'-'9' or 'X') of a 17-char VIN; ValueError on invalid input.

    Position 9 is ignored (weight 0) but must still be a VIN character.
    """
    vin = normalize(vin)
    if len(vin) != VIN_LENGTH:
        raise ValueError(f"a VIN has {VIN_LENGTH} characters, got {len(vin)}: {vin!r}")
    bad = _bad_characters(vin)
    if bad:
        raise ValueError(f"not VIN characters: {', '.join(f'{c!r} at {p}' for p, c in bad)}")
    return check_char(weighted_sum(vin))


def check_digit_ok(vin: str) -> bool:
    """True when position 9 holds the right check digit (False for invalid input)."""
    try:
        expected = check_digit(vin)
    except ValueError:
        return False
    return normalize(vin)[CHECK_DIGIT_POSITION - 1] == expected


# --------------------------------------------------------------------------- model year and WMI


def model_years(char: str) -> list[int]:
    """Model years a position-10 code can mean (two, 30 years apart); [] for U, Z, 0 and non-codes."""
    if len(char) != 1 or char.upper() not in YEAR_CODES:
        return []
    offset = YEAR_CODES.index(char.upper())
    return [start + offset for start in YEAR_CYCLE_START]


def region_of(first_char: str) -> str | None:
    """Region of a WMI's first character: vininfo's table, else the ISO 3779 table; None if unknown."""
    for chars, title in _VININFO_REGIONS.items():
        if first_char in chars:
            return title
    for chars, title in _ISO_REGIONS:
        if first_char in chars:
            return title
    return None


def _manufacturer(wmi: str) -> str | None:
    """Manufacturer from vininfo's WMI table (3-char code, else 2-char prefix); None if unknown."""
    entry = _VININFO_WMI.get(wmi) if len(wmi) == 3 else None
    if entry is None and len(wmi) >= 2:
        entry = _VININFO_WMI.get(wmi[:2])
    if entry is None:
        return None
    if isinstance(entry, str):
        return entry
    return getattr(entry, "manufacturer", None) or str(entry)


def wmi_info(vin: str) -> WmiInfo:
    """Region, country and manufacturer of positions 1-3 (partial strings give partial answers)."""
    wmi = normalize(vin)[:3]
    region = region_of(wmi[0]) if wmi else None
    country = _VININFO_COUNTRIES.get(wmi[:2]) if len(wmi) >= 2 else None
    return WmiInfo(wmi=wmi, region=region, country=country, manufacturer=_manufacturer(wmi))


# --------------------------------------------------------------------------- individual rules


def _describe_bad(position: int, char: str) -> str:
    """Plain-language reason a character is not allowed."""
    if char in LOOKALIKES:
        return f"position {position} is {char!r}, which a VIN never uses (O, I, Q look like 0, 1)"
    if char.isspace():
        return f"position {position} is a space, which a VIN never contains"
    return f"position {position} is {char!r}, which is not a VIN character"


def characters_rule(vin: str) -> RuleResult:
    """Only the 33 VIN characters are allowed."""
    bad = _bad_characters(vin)
    if not bad:
        return RuleResult("characters", True, "all characters are allowed VIN characters", True)
    return RuleResult("characters", False, "; ".join(_describe_bad(p, c) for p, c in bad), True)


def length_rule(vin: str) -> RuleResult:
    """Exactly 17 characters."""
    n = len(vin)
    if n == VIN_LENGTH:
        return RuleResult("length", True, f"it has {VIN_LENGTH} characters", True)
    if n < VIN_LENGTH:
        reason = f"it has {n} characters; a VIN has exactly {VIN_LENGTH} ({VIN_LENGTH - n} missing)"
    else:
        reason = f"it has {n} characters; a VIN has exactly {VIN_LENGTH} ({n - VIN_LENGTH} too many)"
    return RuleResult("length", False, reason, True)


def _hard_rule_level(mode: str) -> str:
    """How much a hard rule (model year, serial digits) counts in a mode: required but in ignore mode."""
    return LEVEL_INFO if mode == "ignore" else LEVEL_REQUIRED


def _check_digit_level(mode: str) -> str:
    """How much the check digit counts in a mode."""
    return {"enforce": LEVEL_REQUIRED, "prefer": LEVEL_ADVISORY, "ignore": LEVEL_INFO}[mode]


def check_digit_rule(vin: str, mode: str, region: str | None = None) -> RuleResult:
    """Position 9 must equal the weighted-sum check digit (mandatory only in enforce mode)."""
    level = _check_digit_level(mode)
    mandatory = level == LEVEL_REQUIRED
    note = {
        LEVEL_ADVISORY: " (advisory: the check digit is mandatory only for North-American vehicles",
        LEVEL_INFO: " (informational: check-digit rule ignored",
    }.get(level, "")
    if note:
        note += "; this one is North-American)" if region == "North America" else ")"
    if len(vin) != VIN_LENGTH or _bad_characters(vin):
        why = "it needs exactly 17 valid VIN characters"
        return RuleResult("check_digit", None, f"can't be checked: {why}{note}", mandatory, level)
    expected, found = check_digit(vin), vin[CHECK_DIGIT_POSITION - 1]
    if expected == found:
        reason = f"the check digit (position 9) is {found!r}, as expected{note}"
        return RuleResult("check_digit", True, reason, mandatory, level)
    reason = f"the check digit (position 9) should be {expected!r}, but it is {found!r}{note}"
    return RuleResult("check_digit", False, reason, mandatory, level)


def model_year_rule(vin: str, mode: str) -> RuleResult:
    """Position 10 must be a model-year code (hard rule in enforce and prefer modes)."""
    level = _hard_rule_level(mode)
    mandatory = level == LEVEL_REQUIRED
    if len(vin) < YEAR_POSITION:
        reason = f"can't be checked: there is no position {YEAR_POSITION} (only {len(vin)} characters)"
        return RuleResult("model_year", None, reason, mandatory, level)
    char = vin[YEAR_POSITION - 1]
    years = model_years(char)
    if years:
        reason = f"position 10 is {char!r}: model year {years[0]} or {years[1]}"
        return RuleResult("model_year", True, reason, mandatory, level)
    if char in FORBIDDEN_YEAR_CHARS:
        reason = f"position 10 is {char!r}; U, Z and 0 are never used for the model year"
    else:
        reason = _describe_bad(YEAR_POSITION, char)
    return RuleResult("model_year", False, reason, mandatory, level)


def serial_rule(vin: str, mode: str) -> RuleResult:
    """Positions 14-17 must be digits (hard rule in enforce and prefer modes, as the model year)."""
    level = _hard_rule_level(mode)
    mandatory = level == LEVEL_REQUIRED
    if len(vin) < SERIAL_POSITIONS[-1]:
        reason = f"can't be checked: positions 14-17 need 17 characters, got {len(vin)}"
        return RuleResult("serial", None, reason, mandatory, level)
    letters = [(p, vin[p - 1]) for p in SERIAL_POSITIONS if vin[p - 1] not in DIGITS]
    if not letters:
        return RuleResult("serial", True, "positions 14-17 are digits", mandatory, level)
    found = ", ".join(f"position {p} is {c!r}" for p, c in letters)
    reason = f"{found}; the last four characters of a VIN are digits (ISO 3779)"
    return RuleResult("serial", False, reason, mandatory, level)


def allowed_chars(position: int) -> str:
    """The VIN characters the hard rules allow at a 0-based position (any at the check digit)."""
    if position == YEAR_POSITION - 1:
        return "".join(c for c in VIN_ALPHABET if c not in FORBIDDEN_YEAR_CHARS)
    if position + 1 in SERIAL_POSITIONS:
        return DIGITS
    return VIN_ALPHABET


def wmi_rule(info: WmiInfo) -> RuleResult:
    """Describe positions 1-3; an unknown country is reported as unknown (passed None), never a failure."""
    if len(info.wmi) < 3:
        reason = f"can't be looked up: the WMI needs 3 characters, got {info.wmi!r}"
        return RuleResult("wmi", None, reason, False, LEVEL_INFO)
    maker = info.manufacturer or "manufacturer not in the offline table"
    if info.country is None:
        where = f"region {info.region}" if info.region else "unknown region"
        reason = f"WMI {info.wmi!r}: {where}, country unknown; {maker}"
        return RuleResult("wmi", None, reason, False, LEVEL_INFO)
    reason = f"WMI {info.wmi!r}: {info.region or 'unknown region'}, {info.country}; {maker}"
    return RuleResult("wmi", True, reason, False, LEVEL_INFO)


# --------------------------------------------------------------------------- full check


def check_vin(vin: str, mode: str = "prefer") -> VinReport:
    """Check every rule on `vin` (whitespace-stripped, upper-cased) in mode enforce / prefer / ignore."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    vin = normalize(vin)
    info = wmi_info(vin)
    rules = [
        characters_rule(vin),
        length_rule(vin),
        check_digit_rule(vin, mode, info.region),
        model_year_rule(vin, mode),
        serial_rule(vin, mode),
        wmi_rule(info),
    ]
    return VinReport(vin=vin, mode=mode, rules=rules, wmi=info)
