from .urls_me import urlpatterns as self_service
from .urls_pipeline import urlpatterns as pipeline
from .urls_public import urlpatterns as public

app_name = "volunteers"

urlpatterns = [*public, *pipeline, *self_service]
