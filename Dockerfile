# One image for every process: `serve` (default), `worker`, `migrate`, and `celery … flower`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Every version comes from the lock. Flower is a dev extra of the package, but the image runs
# it too, so it is named here: the lock pins it and its dependencies. The sources are removed
# after the install; the package runs from site-packages.
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY api ./api
COPY models ./models
COPY scheduling ./scheduling
COPY workers ./workers
RUN pip install -c requirements.lock . flower \
    && rm -rf /src

# Unprivileged. /app/instance holds the SQLite file when the image runs without DATABASE_URL
# (embedded mode, for a quick look only).
RUN useradd --create-home --uid 10001 --user-group app \
    && mkdir -p /app/instance && chown app:app /app/instance
WORKDIR /app
USER app

ENV PORT=8000
EXPOSE 8000
CMD ["interview-calendar", "serve", "--host", "0.0.0.0"]
