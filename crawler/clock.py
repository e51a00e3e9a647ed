"""Timestamps: utcnow() is the one spelling of "now" in records, the state, rejects and reports."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> str:
    """The current time in UTC, ISO 8601 to the second: 2025-01-02T03:04:05+00:00."""
    return datetime.now(UTC).isoformat(timespec="seconds")
