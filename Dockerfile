# The Artsakh recognition bot.
#   docker build -t artsakh-bot .
#   docker run -d --name artsakh-bot -e DISCORD_TOKEN=... \
#       -v artsakh-data:/app/data -v artsakh-state:/app/state artsakh-bot
# The token is taken only from the environment (-e DISCORD_TOKEN or --env-file);
# it is never baked into the image. Optional config: mount a file and set BOT_CONFIG.
#
# The base image is pinned by tag and digest. The digest is the one public Dockerfiles give
# for python:3.11.16-slim-bookworm; it could not be checked against the registry where this
# file was written. If it does not resolve, build with
#   --build-arg PYTHON_IMAGE=python:3.11.16-slim-bookworm
# and pin again with the digest that `docker buildx imagetools inspect` prints for that tag.
ARG PYTHON_IMAGE=python:3.11.16-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b

# ---- build: a venv from the hash-checked lock, then the bot itself, all compiled to bytecode
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements-runtime.lock /tmp/src/
# exact versions, every file checked against its SHA-256; wheels only (nothing compiled here)
RUN /opt/venv/bin/pip install --require-hashes --only-binary=:all: -r /tmp/src/requirements-runtime.lock
COPY pyproject.toml README.md /tmp/src/
COPY bot /tmp/src/bot
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation /tmp/src \
    && /opt/venv/bin/pip check \
    && /opt/venv/bin/pip uninstall --yes setuptools wheel \
    && /opt/venv/bin/python -m compileall -q -f -j 0 --invalidation-mode unchecked-hash /opt/venv/lib

# ---- runtime
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    BOT_IMAGE_DATA=/app/dataset-image

# the standard library ships without .pyc files in this image: compile it once here
RUN python -m compileall -q -j 0 --invalidation-mode unchecked-hash -x '/(test|tests|idle_test)/' \
        /usr/local/lib/python3.11
COPY --from=build /opt/venv /opt/venv

WORKDIR /app

# The shipped dataset. It lives outside the /app/data volume: at every start the bot brings it
# into /app/data when it is newer than what is there (replaced files go to the reload history;
# a moderator's upload is never replaced silently). See the README, "Operating the bot".
COPY data /app/dataset-image
COPY config.example.toml /app/config.example.toml

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir -p /app/data/history /app/state \
    && chown -R bot:bot /app/data /app/state

USER bot

# data: resolutions.yaml, events.yaml, data/history; state: the SQLite database and the heartbeat.
VOLUME ["/app/data", "/app/state"]

# The bot writes /app/state/heartbeat every 20 s while connected to Discord; `health` fails
# when it is older than 90 s or missing (not connected, or stopped).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot", "run"]
