from celery import shared_task


@shared_task(name="core.ping")
def ping() -> str:
    """A trivial task: shows that the broker and a worker are alive."""
    return "pong"
