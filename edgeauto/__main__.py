"""Allow ``python -m edgeauto``."""

import sys

from edgeauto.cli import main

sys.exit(main())
