"""``pytest -p tests.config.redis_plugin``: for runs against the private Redis of
scripts/with-redis.sh (``make test-redis``), which is the cache of every test.

The database cache of the usual runs is rolled back with each test; Redis keeps
everything, so a rate-limit counter or a stored page of one test would be seen by
the next. Each test starts with an empty Redis instead (this empties the whole
Redis database: never point it at a Redis that holds anything else)."""

import pytest


@pytest.fixture(autouse=True)
def _empty_redis():
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith(".RedisCache"):
        cache.clear()
    yield
