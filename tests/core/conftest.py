"""The core fixtures live in tests/core/fixtures.py (a plugin shared by every test package).

Re-exported here for the tests that import the helpers by this name.
"""

from tests.core.fixtures import PG_ADMIN_DSN, Apps, make_config, open_app

__all__ = ["PG_ADMIN_DSN", "Apps", "make_config", "open_app"]
