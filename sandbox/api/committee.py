"""/api/v1/meetings and /api/v1/items (filled in by the committee work)."""

from flask_smorest import Blueprint

blp = Blueprint("committee", __name__, url_prefix="/api/v1", description="Committee")
