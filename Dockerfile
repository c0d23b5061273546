# Minimal image for now; the operations issue makes it multi-stage and non-root, with a
# /data volume.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY infobot ./infobot
RUN pip install --no-cache-dir .
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s CMD ["infobot", "health"]
ENTRYPOINT ["infobot"]
CMD ["run"]
