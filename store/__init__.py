"""The application's own database (SQLAlchemy 2): for now the questions the bot could not answer.

`DATABASE_URL` selects the database (default: SQLite file `var/app.db` under the repository root;
PostgreSQL in production). Tables are created on first use; a later issue moves that to Alembic.
"""
from .db import Database, database, reset_database
from .models import Base, UnansweredQuestion
from .questions import log_unanswered_question, recent_unanswered_questions

__all__ = [
    "Base", "Database", "UnansweredQuestion", "database", "log_unanswered_question",
    "recent_unanswered_questions", "reset_database",
]
