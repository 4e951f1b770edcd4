"""The test suite: fast hashing, in-memory email, media in a temporary folder."""

import atexit
import shutil
import tempfile

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="warga-test-media-"))  # noqa: F405
# Each process that reads these settings has its own folder: gone when it exits.
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "100000/minute", "anon": "100000/minute"},
}
# The tests' webhook receiver listens on http://127.0.0.1.
WARGA_WEBHOOK_HTTPS_ONLY = False
WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
# Open311: no limits in the way of the tests (tests of the limits set their own).
WARGA_OPEN311_RATE_GET = "100000/minute"
WARGA_OPEN311_RATE_POST = "100000/minute"
# No server-side page cache: a test that changes data with a bulk update() between
# two requests would see the first page again (its own tests turn it on).
WARGA_PAGE_CACHE_SECONDS = 0
