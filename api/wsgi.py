"""gunicorn entry point: `gunicorn api.wsgi:app` (each worker builds its own service).

The umask is set here too, not only by the `collab` command: a worker of a gunicorn started
directly, or one that daemonized (which sets 022), makes its files private all the same.
"""

from __future__ import annotations

import logging
import os

from api import create_app
from collab.stores import PRIVATE

os.umask(PRIVATE)
logging.basicConfig(level=logging.INFO, format="%(message)s")
app = create_app()
