"""WSGI entry point for production servers (gunicorn ``govapp.wsgi``; waitress in embedded mode)."""

import os

from django.core.wsgi import get_wsgi_application

from govapp.cli import load_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govapp.settings")
load_settings_or_exit()
application = get_wsgi_application()
