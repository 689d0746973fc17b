"""Entry point of `python -m vinocr.train` (train, finalize, export, evaluate)."""

import sys

from vinocr.train.fit import main

sys.exit(main())
