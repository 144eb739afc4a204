# countypath: one image, stateless workers; point COUNTYPATH_DATABASE_URL at PostgreSQL to scale out.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COUNTYPATH_DATABASE_URL=sqlite:////data/countypath.db

WORKDIR /srv/countypath
COPY pyproject.toml README.md alembic.ini ./
# The engine runs as pure Python here: the optional mypyc build (`make compile`, docs/architecture.md)
# would need a C compiler and mypy in a build stage, and a compiled engine only the image would run.
# A build left in the context is not copied (.dockerignore).
COPY app ./app
COPY migrations ./migrations
COPY seeds ./seeds
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /srv/countypath countypath \
    && mkdir -p /data \
    && chown countypath /data

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# Migrations (and the first seeding) run once, before any worker starts.
CMD ["sh", "-c", "countypath migrate && countypath serve --host 0.0.0.0 --port 8000 --workers ${COUNTYPATH_WORKERS:-2}"]
