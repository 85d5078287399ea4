# The Artsakh recognition bot.
#   docker build -t artsakh-bot .
#   docker run -d --name artsakh-bot -e DISCORD_TOKEN=... \
#       -v artsakh-data:/app/data -v artsakh-state:/app/state artsakh-bot
# The token is taken only from the environment (-e DISCORD_TOKEN or --env-file);
# it is never baked into the image. Optional config: mount a file and set BOT_CONFIG.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install the package (and its pinned-by-range dependencies) from a throwaway copy.
COPY pyproject.toml README.md /tmp/src/
COPY bot /tmp/src/bot
RUN pip install /tmp/src && rm -rf /tmp/src

WORKDIR /app

# The shipped dataset. /app/data is a volume, so a fresh named volume starts with this
# data and files that moderators upload (and their history) survive restarts.
COPY data /app/data
COPY config.example.toml /app/config.example.toml

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir -p /app/data/history /app/state \
    && chown -R bot:bot /app/data /app/state

USER bot

# data: resolutions.yaml, events.yaml and data/history; state: the SQLite database.
VOLUME ["/app/data", "/app/state"]

CMD ["python", "-m", "bot", "run"]
