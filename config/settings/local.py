"""The embedded demo: SQLite, local media, console email, DEBUG on by default."""

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)
# The demo may deliver webhooks to a receiver on this machine, over plain http.
WARGA_WEBHOOK_HTTPS_ONLY = env_bool("WARGA_WEBHOOK_HTTPS_ONLY", not DEBUG)
WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS", DEBUG)
