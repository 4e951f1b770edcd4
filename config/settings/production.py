"""Production: every secret from the environment, nothing insecure by default.

Required: DJANGO_SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS. Optional: see README; for
several machines (REDIS_URL, REPLICA_DATABASE_URL, WARGA_S3_BUCKET, ...) see
docs/deployment.md.
"""

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool, env_int, env_str

SECRET_KEY = env_str("DJANGO_SECRET_KEY")  # no default: a missing key fails at start
DEBUG = False
# Only "default" is replaced: a "replica" alias (REPLICA_DATABASE_URL) stays.
DATABASES = {  # noqa: F405
    **DATABASES,  # noqa: F405
    "default": dj_database_url.parse(  # noqa: F405
        env_str("DATABASE_URL"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    ),
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# HSTS: browsers refuse plain http for the site for this long (0: off). Preload
# (the browsers' built-in list) is a commitment that is hard to undo for every
# sub-domain: off unless SECURE_HSTS_PRELOAD=true.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # W021 only says the site could not be submitted to the preload list: that is
    # the choice made above.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
WARGA_SERVE_MEDIA = env_bool("WARGA_SERVE_MEDIA", False) and not WARGA_S3_BUCKET  # noqa: F405
