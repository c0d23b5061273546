# Minimal image for now; the operations issue makes it multi-stage, non-root, with a
# health check and a /data volume.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY infobot ./infobot
RUN pip install --no-cache-dir .
ENTRYPOINT ["infobot"]
CMD ["status"]
