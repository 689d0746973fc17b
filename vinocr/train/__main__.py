"""Entry point of `python -m vinocr.train` (train, finalize, export, evaluate)."""

import sys

from vinocr.train.fit import main

if __name__ == "__main__":  # worker processes spawned by the run import this module too
    sys.exit(main())
