"""Whole VINs: the VIN rules, rule-aware decoding, finding the 17 boxes in a field image, the VIN
reader and its command line (`vinocr-vin`)."""
