from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def _supported(code: str | None) -> str | None:
    if code and code in dict(settings.LANGUAGES):
        return code
    return None


class LatvianFirstLocaleMiddleware:
    """Picks the language: the switcher's cookie, then the signed-in user's saved
    language, then Latvian. The browser's Accept-Language is deliberately ignored:
    the service is Latvian first, English on request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        user = getattr(request, "user", None)
        if language is None and user is not None and user.is_authenticated:
            language = _supported(getattr(user, "language", None))
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _activity_key(session_key: str) -> str:
    return f"usersession:recorded:{session_key}"


class UserSessionActivityMiddleware:
    """Keeps the sessions page's "last seen" (allauth usersessions) without writing on every
    request, as allauth's own middleware does: only a request that changes something (not GET,
    HEAD, OPTIONS) records the session's activity, address and browser — after the view, so that
    a session just signed in is recorded too — and then at most once per
    ``TILTS_SESSION_ACTIVITY_SECONDS`` per session. Signing in through allauth records the
    session itself. Reading pages writes nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in _SAFE_METHODS:
            self._record(request)
        return response

    @staticmethod
    def _record(request) -> None:
        from allauth.usersessions.models import UserSession
        from django.core.cache import cache

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or not user.is_authenticated or session is None or not session.session_key:
            return
        if not cache.add(_activity_key(session.session_key), True, settings.TILTS_SESSION_ACTIVITY_SECONDS):
            return  # recorded a moment ago
        UserSession.objects.create_from_request(request, user=user, session=session)


def session_recorded_on_sign_in(sender, request, user, **kwargs) -> None:
    """allauth's ``user_logged_in``: allauth has just recorded the new session; the next few
    minutes' requests need not record it again."""
    from django.core.cache import cache

    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        cache.set(_activity_key(session.session_key), True, settings.TILTS_SESSION_ACTIVITY_SECONDS)
