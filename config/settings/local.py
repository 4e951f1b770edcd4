"""The embedded demo: SQLite, local media, console email, DEBUG on by default."""

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)
