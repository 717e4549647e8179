"""Settings of the benchmark server: production's, with the bench URLconf (two framework-floor views)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
