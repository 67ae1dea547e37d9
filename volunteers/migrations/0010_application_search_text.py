"""The inbox search column (``Application.search_text``: reference, names and email, folded)
filled for the applications there are, and the index of a unit's inbox newest first."""

import unicodedata

from django.db import migrations, models

BATCH = 1000


def _fold(text: str) -> str:  # core.text.fold as of this migration
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def fill(apps, schema_editor):
    Application = apps.get_model("volunteers", "Application")
    rows = (
        Application.objects.using(schema_editor.connection.alias)
        .order_by("pk")
        .values_list(
            "pk",
            "reference",
            "volunteer__user__first_name",
            "volunteer__user__last_name",
            "volunteer__user__email",
        )
    )
    batch = []
    for pk, *parts in rows.iterator(chunk_size=BATCH):
        batch.append(Application(pk=pk, search_text=_fold(" ".join(part for part in parts if part))))
        if len(batch) == BATCH:
            Application.objects.using(schema_editor.connection.alias).bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Application.objects.using(schema_editor.connection.alias).bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0009_signing_step"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["unit", "-submitted_at", "-id"], name="application_inbox_all"),
        ),
    ]
