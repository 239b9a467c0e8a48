"""/api/v1/consultations (filled in by the consultations work)."""

from flask_smorest import Blueprint

blp = Blueprint("consultations", __name__, url_prefix="/api/v1/consultations",
                description="Agency consultations")
