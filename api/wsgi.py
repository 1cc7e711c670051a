"""gunicorn entry point: `gunicorn api.wsgi:app` (each worker builds its own service)."""

from __future__ import annotations

import logging

from api import create_app

logging.basicConfig(level=logging.INFO, format="%(message)s")
app = create_app()
