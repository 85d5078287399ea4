"""URLs that may carry a password: the one way to show them without it."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def without_password(url: str) -> str:
    """``url`` with any password taken out of it (``postgresql://bot:pw@db/x`` → ``postgresql://bot@db/x``)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # a malformed URL: show no user part at all
        return url.rpartition("@")[2] if "@" in url else url
    if password is None and ":" not in parts.netloc.rpartition("@")[0]:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))
