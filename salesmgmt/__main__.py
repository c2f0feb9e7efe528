"""`python -m salesmgmt`: the same command line as the `salesmgmt` console script."""

import sys

from salesmgmt.cli import main

sys.exit(main())
