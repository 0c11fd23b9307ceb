"""`python -m classifier train|predict`."""

import sys

from .cli import main

sys.exit(main())
