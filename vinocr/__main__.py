"""Entry point of `python -m vinocr`."""

import sys

from vinocr.cli import main

sys.exit(main())
