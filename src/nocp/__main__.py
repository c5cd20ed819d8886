"""`python -m nocp` — the same as the `nocp` command."""

from nocp.cli import main

raise SystemExit(main())
