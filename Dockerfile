# Kindred in a container: `docker build -t kindred .` then
#   docker run -d --name kindred -e DISCORD_TOKEN=... -v kindred-data:/data kindred
# The database lives in the volume /data; /healthz (on 9108) is the health check.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY prompts ./prompts
RUN pip install . \
    && rm -rf /src \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home kindred \
    && mkdir -p /data \
    && chown kindred:kindred /data \
    && chmod 0700 /data

COPY deploy/config.docker.toml /etc/kindred/config.toml

USER kindred
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9108

# No curl in the slim image: Python asks /healthz (a 503 raises, so the check fails).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9108/healthz', timeout=4)"]

ENTRYPOINT ["kindred", "--config", "/etc/kindred/config.toml"]
CMD ["run"]
