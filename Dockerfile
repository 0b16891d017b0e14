# Alongside's image: the app server (`alongside serve`), the worker (`alongside worker`) and
# every management command, from one slim Python image running as an unprivileged user.
#
#   docker build -t alongside .
#   docker compose up -d          (compose.yaml: PostgreSQL, 2 app replicas, 2 workers)

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/alongside
# The runtime dependencies alone, exactly as locked (hashes checked), in their own layer.
COPY requirements.lock /tmp/requirements.lock
RUN /opt/alongside/bin/pip install --require-hashes --only-binary=:all: -r /tmp/requirements.lock
COPY pyproject.toml README.md /src/
COPY alongside /src/alongside
RUN /opt/alongside/bin/pip install --no-deps /src
# Static files, built once here: hashed names and gzip copies that WhiteNoise serves
# with year-long cache headers. The settings need a key and a host to load; neither is
# kept in the image.
RUN ALONGSIDE_ENVIRONMENT=production ALONGSIDE_SECRET_KEY=build-only \
    ALONGSIDE_ALLOWED_HOSTS=build ALONGSIDE_VAR_DIR=/tmp/var ALONGSIDE_STATIC_ROOT=/opt/static \
    /opt/alongside/bin/alongside collectstatic --noinput -v0

FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="Alongside" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"
RUN groupadd --system --gid 10001 alongside \
    && useradd --system --uid 10001 --gid alongside --home-dir /var/lib/alongside \
       --create-home --shell /usr/sbin/nologin alongside
COPY --from=build /opt/alongside /opt/alongside
COPY --from=build /opt/static /opt/static
ENV PATH=/opt/alongside/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ALONGSIDE_ENVIRONMENT=production \
    ALONGSIDE_STATIC_ROOT=/opt/static \
    ALONGSIDE_VAR_DIR=/var/lib/alongside \
    ALONGSIDE_BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/alongside-metrics
USER alongside
WORKDIR /var/lib/alongside
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["alongside", "serve"]
