"""The app's colours, one home for each (`.streamlit/config.toml` repeats PRIMARY, TEXT and
SIDEBAR_BG; tests/test_ui_helpers.py keeps them equal)."""

PRIMARY = "#1f5fbf"  # theme primaryColor: buttons, bars
TEXT = "#1f2430"  # theme textColor
MUTED = "#6b7280"  # captions, file names
SIDEBAR_BG = "#f3f5f9"  # theme secondaryBackgroundColor
WARN = "#b45309"  # low confidence, empty box
BORDER = "#d5d9e0"  # thumbnail frames
BAR_BG = "#eef1f6"  # probability bar track
CELL_BG = "#f1f3f6"  # a VIN character as read
LOW_BG, LOW_FG = "#ffe7b3", "#6b4500"  # low confidence / unread
CHANGED_BG, CHANGED_FG = "#dbe8ff", "#123d8f"  # changed by the rules
CORRECTED_BG, CORRECTED_FG = "#d7f5dd", "#0f5b25"  # corrected by hand
GUIDE_LINE = (96, 100, 112)  # RGB of the Draw page's guide cells
CHECK_RING = "#c81e1e"  # the outline of a box to check (accept/review)
CANVAS_INK, CANVAS_BG = "#FFFFFF", "#000000"  # the Draw page: white ink on black, like EMNIST
