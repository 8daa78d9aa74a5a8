import sys

from asu_graph.cli import main

sys.exit(main())
