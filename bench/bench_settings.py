"""The project's settings with bench/bench_urls.py as the URL configuration (bench/public_api.py)."""

from govapp.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
