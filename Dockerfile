# infobot's container image. Build:   docker build -t infobot .
# Run: docker run -d -v infobot-data:/data --env-file config/infobot.env infobot
# See README.md, "Operators" > "Container", and compose.yaml. tests/test_container.py
# builds the same wheel, installs it in a clean virtual environment and runs this file's
# ENTRYPOINT, CMD and HEALTHCHECK with its ENV, so keep them in the simple forms it parses.

# --- builder: turns the source tree into a wheel ------------------------------------------
FROM python:3.11-slim AS builder
WORKDIR /src
RUN pip install --no-cache-dir --disable-pip-version-check "build==1.6.1"
COPY pyproject.toml README.md requirements.lock ./
COPY infobot ./infobot
RUN python -m build --wheel --outdir /dist .

# --- runtime: the wheel in a virtual environment, run by a user without privileges --------
FROM python:3.11-slim

# Extras installed with the wheel: "postgres" brings the PostgreSQL driver (psycopg 3).
# Build with --build-arg EXTRAS= for a SQLite-only image.
ARG EXTRAS=postgres

LABEL org.opencontainers.image.title="infobot" \
      org.opencontainers.image.description="Posts one approved #infostory a day to X, Mastodon, Bluesky and more." \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim"

RUN groupadd --system --gid 10001 infobot \
 && useradd --system --uid 10001 --gid infobot --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin infobot \
 && mkdir /data \
 && chown infobot:infobot /data \
 && chmod 0750 /data

# The wheel's dependencies are the releases pinned in requirements.lock (make lock), the
# same ones the tests ran against.
COPY --from=builder /dist/ /src/requirements.lock /tmp/wheels/
RUN python -m venv /opt/infobot \
 && wheel="$(ls /tmp/wheels/infobot-*.whl)" \
 && /opt/infobot/bin/pip install --no-cache-dir --disable-pip-version-check \
        --constraint /tmp/wheels/requirements.lock "${wheel}${EXTRAS:+[$EXTRAS]}" \
 && rm -rf /tmp/wheels

# Settings for the container. Secrets never go here: mount them as files in /run/secrets
# (infobot_mastodon__access_token and so on) or pass them in the environment at run time.
# The metrics and web ports listen only when INFOBOT_METRICS_PORT / INFOBOT_WEB_PORT are
# set; the hosts below make them reachable through a published port when they are. The
# daemon answers the HEALTHCHECK on 127.0.0.1:INFOBOT_HEALTH_PORT (never published), so
# the check costs next to nothing.
ENV PATH="/opt/infobot/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    HOME=/data \
    INFOBOT_DATABASE_URL=sqlite:////data/infobot.db \
    INFOBOT_OUTBOX_PATH=/data/outbox.jsonl \
    INFOBOT_BLUESKY__SESSION_FILE=/data/bluesky-session.json \
    INFOBOT_LOG_FORMAT=json \
    INFOBOT_HEALTH_PORT=9465 \
    INFOBOT_METRICS_HOST=0.0.0.0 \
    INFOBOT_WEB_HOST=0.0.0.0

VOLUME ["/data"]
WORKDIR /data
USER 10001:10001

# 9464: Prometheus metrics (INFOBOT_METRICS_PORT=9464); 8080: the team's web page
# (INFOBOT_WEB_PORT=8080). Neither listens unless its variable is set.
EXPOSE 9464 8080

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 CMD ["infobot", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["infobot"]
CMD ["run"]
