"""``python -m benchmarks`` (``./dev.sh bench``): see benchmarks/harness.py."""

import sys

from .harness import main

sys.exit(main())
