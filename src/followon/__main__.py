"""``python -m followon``: the same command line as the ``followon`` script."""

from followon.cli import main

raise SystemExit(main())
