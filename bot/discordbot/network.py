"""Network failures on the way to Discord, and one plain line saying what went wrong.

discord.py raises :class:`discord.HTTPException` only when Discord answered; when it could not
be reached (connection refused or dropped, DNS, TLS, a timeout) aiohttp's and the OS's errors
come through as they are. :data:`NETWORK_ERRORS` is that set, for every ``except`` that talks
to Discord, and :func:`network_cause` turns one into words for a log line.
"""

from __future__ import annotations

import ssl

import aiohttp
import discord

NETWORK_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, OSError, TimeoutError)
#: Discord answered with an error, or could not be reached: what any request to it may raise.
REQUEST_ERRORS: tuple[type[BaseException], ...] = (discord.HTTPException, *NETWORK_ERRORS)


def failure_text(error: BaseException) -> str:
    """A failed request in words: Discord's own error text, or what kept it from being reached."""
    if isinstance(error, discord.HTTPException):
        return str(error)
    return f"could not reach Discord ({network_cause(error)})"


def network_cause(error: BaseException) -> str:
    """What went wrong, in a few words: ``connection refused``, ``DNS lookup of x failed``, ..."""
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return f"TLS certificate refused ({error.certificate_error})"
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return f"DNS lookup of {error.host} failed ({_os_text(error.os_error)})"
    if isinstance(error, aiohttp.ClientSSLError) or isinstance(
        getattr(error, "os_error", None) or error, ssl.SSLError
    ):
        return f"TLS error ({_os_text(getattr(error, 'os_error', None) or error)})"
    if isinstance(error, aiohttp.ClientConnectorError):
        if isinstance(error.os_error, ConnectionRefusedError):
            return f"connection refused by {error.host}:{error.port}"
        return f"could not connect to {error.host}:{error.port} ({_os_text(error.os_error)})"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without answering"
    if isinstance(error, TimeoutError | aiohttp.ServerTimeoutError):
        return "no answer in time"
    if isinstance(error, ConnectionResetError):
        return "the connection was reset"
    if isinstance(error, OSError):
        return _os_text(error)
    return str(error) or type(error).__name__


def _os_text(error: BaseException | None) -> str:
    if isinstance(error, ssl.SSLError):
        return error.reason or str(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) if error is not None and str(error) else type(error).__name__
