"""Entry point for Celery: ``celery -A sandbox.worker worker`` / ``celery -A sandbox.worker beat``."""

from . import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
