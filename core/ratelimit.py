"""Per-client rate limits for public GET pages (document verification); the application
form uses allauth's own limiter (a POST)."""

from __future__ import annotations

import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class ClientRateLimit:
    """Hits per client IP address and time window, counted in the cache (shared by every web
    process when the cache is Redis). The client address is the one allauth uses for its own
    rate limits, so a proxy is configured once (ALLAUTH_TRUSTED_PROXY_COUNT)."""

    def __init__(self, request: HttpRequest, *, scope: str, limit: int, window: int = 3600):
        try:
            ip = get_adapter(request).get_client_ip(request)
        except PermissionDenied:
            ip = "unknown"
        self.window = window
        self.limit = limit
        self.key = f"tilts:{scope}:{ip}:{int(time.time() // window)}"

    def consume(self) -> bool:
        """Count this hit and say whether it is within the limit. One atomic increment
        decides, so concurrent requests cannot all pass a check made before any counted."""
        cache.add(self.key, 0, timeout=self.window + 60)
        try:
            count = cache.incr(self.key)
        except ValueError:  # expired between add and incr
            cache.set(self.key, 1, timeout=self.window + 60)
            count = 1
        return count <= self.limit
