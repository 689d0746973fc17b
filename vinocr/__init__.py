"""vinocr: handwritten VIN character recognition (no Streamlit imports in this package)."""

__version__ = "0.1.0"
