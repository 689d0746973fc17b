import pytest

from vinocr.alphabet import NUM_CLASSES, VIN_ALPHABET, index_of, is_vin_char


def test_alphabet_is_the_33_vin_characters_in_order():
    assert NUM_CLASSES == 33
    assert VIN_ALPHABET == "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    assert len(set(VIN_ALPHABET)) == 33
    assert not set("IOQ") & set(VIN_ALPHABET)


def test_lookup_and_rejection():
    assert index_of("0") == 0 and index_of("Z") == 32 and index_of("J") == 18
    for bad in ("I", "O", "Q", "a", "", "AB"):
        assert not is_vin_char(bad)
    with pytest.raises(ValueError, match="not a VIN character"):
        index_of("O")


def test_model_alphabet_file_matches(tmp_path):
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parents[2] / "models" / "alphabet.json").read_text())
    assert stored["alphabet"] == VIN_ALPHABET
