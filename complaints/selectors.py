"""Reads for the complaints app."""

from django.conf import settings


def map_settings() -> dict:
    """What the map widgets need: the tile server and where Jakarta is."""
    return {
        "tile_url": settings.WARGA_MAP_TILE_URL,
        "attribution": settings.WARGA_MAP_TILE_ATTRIBUTION,
        "center": [-6.2, 106.83],
        "zoom": 11,
    }
