"""Settings of the django-q2 cluster that test_task_broker.py starts as a separate
process: the test settings (so the Redis broker of REDIS_URL), on the test run's own
database, with the queue really used (no ``sync``) and the emails written to files
the test reads."""

import os

from config.settings.test import *  # noqa: F403

DATABASES = {  # noqa: F405
    **DATABASES,  # noqa: F405
    "default": {
        **DATABASES["default"],  # noqa: F405
        "NAME": os.environ["WARGA_WORKER_DATABASE_NAME"],
    },
}
Q_CLUSTER = {**Q_CLUSTER, "sync": False, "workers": 1}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["WARGA_WORKER_MAIL_DIR"]
