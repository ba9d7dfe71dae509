"""``python -m mlstack`` runs the command line."""

import sys

from mlstack.cli import main

sys.exit(main())
