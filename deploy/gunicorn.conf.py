"""gunicorn settings of a production web machine (docs/operations.md): `gunicorn -c deploy/gunicorn.conf.py`.

Everything else comes from the environment file of the systemd unit (GOVAPP_MODE=production ...).
"""

import os

wsgi_app = "govapp.wsgi:application"
# Loopback only: nginx on the same machine is the one client. Nothing else may reach gunicorn, or it
# could send an X-Forwarded-For and X-Forwarded-Proto of its own choosing.
bind = os.environ.get("GOVAPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GOVAPP_WEB_WORKERS", "4"))
threads = int(os.environ.get("GOVAPP_WEB_THREADS", "4"))
# Load the application in the master first: a missing production setting stops it with one line
# instead of a crash loop of workers.
preload_app = True
timeout = 120  # large package uploads stream through the web process
graceful_timeout = 30
# Whose X-Forwarded-Proto gunicorn believes for wsgi.url_scheme; the client address is decided by
# the application from GOVAPP_TRUSTED_PROXIES (core/ratelimit.py), not by gunicorn.
_proxies = os.environ.get("GOVAPP_TRUSTED_PROXIES", "127.0.0.1")
forwarded_allow_ips = "" if _proxies.strip().lower() == "none" else _proxies
accesslog = "-"
errorlog = "-"
# The upload limits are the application's (GOVAPP_MAX_PACKAGE_BYTES); nginx enforces its own too.
limit_request_line = 8190
