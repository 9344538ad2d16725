"""`python -m bot` is `chatops`."""

from bot.runtime.cli import main

raise SystemExit(main())
