"""Synthetic data drawn by code: box images in real-world styles, whole fields, the app's samples."""
