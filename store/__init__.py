"""The application's own database (SQLAlchemy 2 + Alembic): survey invitations, ratings, alerts and the
unanswered-question log. No Rasa imports.

`DATABASE_URL` selects the database (default: SQLite file `var/app.db` under the repository root;
PostgreSQL in production, e.g. `postgresql+psycopg://user@host:5432/db`). `python -m store upgrade`
brings it to the latest migration; modules: `surveys` (signed links), `ratings` (submitting, the
duplicate rule), `alerts`, `scoring` (every computation), `reports` (queries per unit and period).
"""
from .db import Database, SchemaNotReady, database, migrate, reset_database
from .models import Alert, Base, Rating, SurveyInvitation, UnansweredQuestion
from .questions import log_unanswered_question, recent_unanswered_questions

__all__ = [
    "Alert", "Base", "Database", "Rating", "SchemaNotReady", "SurveyInvitation", "UnansweredQuestion", "database",
    "log_unanswered_question", "migrate", "recent_unanswered_questions", "reset_database",
]
