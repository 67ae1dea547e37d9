"""Per-client rate limits for public pages (the application form, document verification)."""

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

    def exceeded(self) -> bool:
        return (cache.get(self.key) or 0) >= self.limit

    def hit(self) -> None:
        cache.add(self.key, 0, timeout=self.window + 60)
        try:
            cache.incr(self.key)
        except ValueError:  # expired between add and incr
            cache.set(self.key, 1, timeout=self.window + 60)
