"""Whole VINs: the VIN rules, rule-aware decoding, confidence, the VIN reader and its command
line (`vinocr-vin`), many VINs at once. Finding the boxes in a field image is vinocr.field."""
