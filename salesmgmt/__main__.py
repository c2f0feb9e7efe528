import sys

from salesmgmt.cli import main

sys.exit(main())
