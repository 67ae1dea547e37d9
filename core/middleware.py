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
