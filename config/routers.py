"""Database routing between the primary ("default") and a read replica.

In DATABASE_ROUTERS only when REPLICA_DATABASE_URL is set. Writes always go to the
primary; reads go to the replica only while serving a public read
(``config.replica``). Migrations run on the primary only: the replica copies them.
"""

from django.db import DEFAULT_DB_ALIAS

from config import replica

# Read and written on the primary even in a public request: the database cache
# (rate-limit counters must not be read stale) and the sessions (a session just
# written must be found), and django-q2's queue and results.
PRIMARY_ONLY_APPS = frozenset({"django_cache", "sessions", "django_q"})


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return replica.read_alias()

    def db_for_write(self, model, **hints) -> str:
        # A rate-limit counter in the database cache is not the visitor's data:
        # it must not pin the rest of the request to the primary.
        if model._meta.app_label != "django_cache":
            replica.note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the same rows as the primary.
        aliases = {DEFAULT_DB_ALIAS, replica.REPLICA_DB_ALIAS}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
