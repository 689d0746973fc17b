"""The Streamlit app's own helpers (outside the vinocr library): inputs, figures, tables, the VIN
display, the canvas, the cached model and the navigation menu. `pages/` holds only pages."""
