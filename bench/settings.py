"""The benchmark's server: production settings, plus a floor view and a query count.

Everything else is as deployed: DEBUG off, persistent database connections,
whitenoise, the same middleware, the rate limiters running (bench/city.py raises
their limits through the environment, as an operator would, since all the load
comes from one address).
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Outermost, so that it counts every query of the request, middleware's included.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
# One line per queued task is noise under load.
LOGGING = {**LOGGING, "loggers": {"django-q": {"level": "WARNING"}}}  # noqa: F405
