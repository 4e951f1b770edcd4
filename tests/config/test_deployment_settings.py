"""Each part of a multi-node deployment is switched on by the environment alone:
Redis for the cache, the sessions and the task queue, a read replica, photos on
S3. Without those variables nothing changes. The settings are read in a fresh
process, as a server would read them at start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent.parent

# Every variable this file is about, removed from the inherited environment (a run
# under scripts/with-redis.sh has REDIS_URL set).
DEPLOYMENT_VARIABLES = {
    "REDIS_URL",
    "WARGA_Q_REDIS_URL",
    "REPLICA_DATABASE_URL",
    "WARGA_REPLICA_PIN_SECONDS",
    "WARGA_S3_BUCKET",
    "WARGA_S3_ENDPOINT_URL",
    "WARGA_S3_REGION",
    "WARGA_S3_ADDRESSING_STYLE",
    "WARGA_S3_ACCESS_KEY_ID",
    "WARGA_S3_SECRET_ACCESS_KEY",
    "WARGA_S3_QUERYSTRING_AUTH",
    "WARGA_S3_URL_EXPIRE",
    "WARGA_MEDIA_CDN_DOMAIN",
    "WARGA_SERVE_MEDIA",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-123456",
    "DATABASE_URL": "postgres://warga@db-primary.internal/warga",
    "ALLOWED_HOSTS": "warga.example.go.id",
}
REDIS = "redis://cache.internal:6379/0"
S3 = {
    "WARGA_S3_BUCKET": "warga-media",
    "WARGA_S3_ENDPOINT_URL": "https://s3.example.net",
    "WARGA_S3_REGION": "ap-southeast-3",
    "WARGA_S3_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE",
    "WARGA_S3_SECRET_ACCESS_KEY": "secret-example-key",
}

_READ_SETTINGS = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
print(json.dumps({name: getattr(module, name, None) for name in sys.argv[2:]},
                 default=str))
"""

_READ_STORAGE = """
import json
import django
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({
    "class": type(storage).__module__ + "." + type(storage).__name__,
    "url": storage.url("reports/2026/01/abc.jpg"),
}))
"""


def run(code: str, *args: str, env: dict[str, str]) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**base, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_under(env: dict[str, str], *names: str) -> dict:
    return run(_READ_SETTINGS, "config.settings.production", *names, env=env)


def test_without_the_deployment_variables_one_machine_keeps_its_set_up():
    found = settings_under(
        {},
        "CACHES",
        "SESSION_ENGINE",
        "Q_CLUSTER",
        "DATABASES",
        "DATABASE_ROUTERS",
        "MIDDLEWARE",
        "STORAGES",
        "SILENCED_SYSTEM_CHECKS",
    )
    backend = found["CACHES"]["default"]["BACKEND"]
    assert backend == "django.core.cache.backends.db.DatabaseCache"
    assert found["SESSION_ENGINE"] in {None, "django.contrib.sessions.backends.db"}
    assert found["Q_CLUSTER"]["orm"] == "default"
    assert "redis" not in found["Q_CLUSTER"]
    assert list(found["DATABASES"]) == ["default"]
    assert found["DATABASE_ROUTERS"] == []
    assert "config.replica.ReplicaReadsMiddleware" not in found["MIDDLEWARE"]
    assert found["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert "django_ratelimit.E003" in found["SILENCED_SYSTEM_CHECKS"]


def test_redis_url_moves_the_cache_the_sessions_and_the_queue_to_redis():
    found = settings_under(
        {"REDIS_URL": REDIS},
        "CACHES",
        "SESSION_ENGINE",
        "Q_CLUSTER",
        "SILENCED_SYSTEM_CHECKS",
    )
    cache = found["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == REDIS
    assert found["SESSION_ENGINE"] == "django.contrib.sessions.backends.cache"
    assert found["Q_CLUSTER"]["redis"] == REDIS
    assert "orm" not in found["Q_CLUSTER"]
    # Redis counts rate limits atomically: the "not atomic" error is not silenced.
    assert "django_ratelimit.E003" not in found["SILENCED_SYSTEM_CHECKS"]


def test_the_queue_may_have_a_redis_of_its_own():
    queue = "redis://queue.internal:6379/1"
    found = settings_under(
        {"REDIS_URL": REDIS, "WARGA_Q_REDIS_URL": queue}, "CACHES", "Q_CLUSTER"
    )
    assert found["CACHES"]["default"]["LOCATION"] == REDIS
    assert found["Q_CLUSTER"]["redis"] == queue


def test_a_replica_url_adds_the_replica_its_router_and_its_middleware():
    found = settings_under(
        {"REPLICA_DATABASE_URL": "postgres://warga@db-replica.internal/warga"},
        "DATABASES",
        "DATABASE_ROUTERS",
        "MIDDLEWARE",
    )
    assert found["DATABASES"]["default"]["HOST"] == "db-primary.internal"
    assert found["DATABASES"]["replica"]["HOST"] == "db-replica.internal"
    assert found["DATABASES"]["replica"]["TEST"] == {"MIRROR": "default"}
    assert found["DATABASE_ROUTERS"] == ["config.routers.PrimaryReplicaRouter"]
    middleware = found["MIDDLEWARE"]
    # Below authentication: it needs to know whether the visitor is signed in.
    assert middleware.index("config.replica.ReplicaReadsMiddleware") == (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )


def test_an_s3_bucket_with_a_cdn_stores_photos_there_under_plain_cdn_urls():
    found = settings_under(
        {**S3, "WARGA_MEDIA_CDN_DOMAIN": "media.warga.example.go.id"},
        "STORAGES",
        "WARGA_SERVE_MEDIA",
    )
    default = found["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "warga-media"
    assert options["endpoint_url"] == "https://s3.example.net"
    assert options["region_name"] == "ap-southeast-3"
    assert options["custom_domain"] == "media.warga.example.go.id"
    assert options["querystring_auth"] is False
    assert options["default_acl"] is None
    assert options["file_overwrite"] is False
    assert options["access_key"] == "AKIAEXAMPLEEXAMPLE"
    assert found["WARGA_SERVE_MEDIA"] is False
    # The static files stay with WhiteNoise on every web node.
    assert found["STORAGES"]["staticfiles"]["BACKEND"].startswith("whitenoise.")

    storage = run(_READ_STORAGE, env={**S3, "WARGA_MEDIA_CDN_DOMAIN": "media.x.id"})
    assert storage["class"] == "storages.backends.s3.S3Storage"
    assert storage["url"] == "https://media.x.id/reports/2026/01/abc.jpg"


def test_an_s3_bucket_without_a_cdn_gets_signed_urls_so_it_can_stay_private():
    found = settings_under(S3, "STORAGES")
    options = found["STORAGES"]["default"]["OPTIONS"]
    assert options["querystring_auth"] is True
    assert options["custom_domain"] is None

    storage = run(_READ_STORAGE, env=S3)
    assert storage["url"].startswith(
        "https://s3.example.net/warga-media/reports/2026/01/abc.jpg?"
    )
    assert "X-Amz-Signature=" in storage["url"]


def test_without_keys_boto3_finds_the_credentials_itself():
    env = {k: v for k, v in S3.items() if "KEY" not in k}
    options = settings_under(env, "STORAGES")["STORAGES"]["default"]["OPTIONS"]
    assert "access_key" not in options
    assert "secret_key" not in options


def test_local_settings_keep_the_file_system_and_serve_media_without_s3():
    found = run(
        _READ_SETTINGS,
        "config.settings.local",
        "STORAGES",
        "WARGA_SERVE_MEDIA",
        "CACHES",
        env={},
    )
    assert found["WARGA_SERVE_MEDIA"] is True
    assert found["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert found["CACHES"]["default"]["BACKEND"].endswith("DatabaseCache")


def test_production_with_every_part_switched_on_passes_the_deploy_check():
    env = {
        **S3,
        "REDIS_URL": REDIS,
        "REPLICA_DATABASE_URL": "postgres://warga@db-replica.internal/warga",
        "WARGA_MEDIA_CDN_DOMAIN": "media.warga.example.go.id",
    }
    base = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_is_on_and_preload_only_when_asked_for():
    names = ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS")
    default = settings_under(
        {}, *names, "SECURE_HSTS_PRELOAD", "SILENCED_SYSTEM_CHECKS"
    )
    assert default["SECURE_HSTS_SECONDS"] == 31536000
    assert default["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    # Preload is a commitment (the browsers' list): off, and not warned about.
    assert default["SECURE_HSTS_PRELOAD"] is False
    assert "security.W021" in default["SILENCED_SYSTEM_CHECKS"]
    asked = settings_under(
        {"SECURE_HSTS_PRELOAD": "true", "SECURE_HSTS_SECONDS": "600"},
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "SILENCED_SYSTEM_CHECKS",
    )
    assert asked["SECURE_HSTS_SECONDS"] == 600
    assert asked["SECURE_HSTS_PRELOAD"] is True
    assert "security.W021" not in asked["SILENCED_SYSTEM_CHECKS"]


COOKIE_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
)


@pytest.mark.django_db
def test_a_login_under_production_settings_sets_secure_http_only_cookies(settings):
    production = settings_under({}, *COOKIE_SETTINGS)
    for name, value in production.items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    user = get_user_model().objects.create_user("petugas", password="kota-2026-aman")
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    page = client.get("/akun/masuk/")
    assert page.status_code == 200
    response = client.post(
        "/akun/masuk/",
        {"username": user.username, "password": "kota-2026-aman"},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = response.cookies.get("csrftoken") or page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )
    # Over plain http the same site only redirects to https.
    plain = Client().get("/akun/masuk/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
