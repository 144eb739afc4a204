"""The engine: pure and deterministic. Nothing here imports FastAPI, SQLModel or SQLAlchemy."""
