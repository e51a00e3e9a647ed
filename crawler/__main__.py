"""`python -m crawler ...` runs the same command line as `cleanwire ...`."""

from crawler.cli.main import main

raise SystemExit(main())
