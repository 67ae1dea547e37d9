"""Agreement PDFs move from ``agreements.Document`` to the shared ``documents.Document``:
same files (the stored names are kept, nothing is copied or re-rendered, so the hashes stay
the same), a verification code for each, the holder's initials, and — for agreements that
were terminated — the revocation. The beat row of the sweeper follows its task."""

from django.db import migrations

from documents.models import new_verification_code
from documents.registry import initials

OLD_SWEEP = "agreements.tasks.documents_sweep"
NEW_SWEEP = "documents.tasks.documents_sweep"
BATCH = 500


def _rename_task(apps, old: str, new: str, name: str) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task in PeriodicTask.objects.filter(task=old):
        task.task = new
        if not PeriodicTask.objects.filter(name=name).exclude(pk=task.pk).exists():
            task.name = name
        task.save(update_fields=["task", "name"])


def forward(apps, schema_editor):
    Old = apps.get_model("agreements", "Document")
    New = apps.get_model("documents", "Document")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="agreements", model="agreement")
    rows = Old.objects.select_related("agreement__volunteer__user").order_by("pk")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:BATCH])
        if not chunk:
            break
        last = chunk[-1].pk
        New.objects.bulk_create(
            [
                New(
                    kind="agreement",
                    unit_id=old.agreement.unit_id,
                    content_type=content_type,
                    object_id=old.agreement_id,
                    version=old.version,
                    state=old.state,
                    file=old.file.name,
                    sha256=old.sha256,
                    size=old.size,
                    attempts=old.attempts,
                    error=old.error,
                    created_at=old.created_at,
                    started_at=old.started_at,
                    finished_at=old.finished_at,
                    number=old.agreement.number or "",
                    verification_code=new_verification_code(),
                    holder_initials=initials(
                        f"{old.agreement.volunteer.user.first_name} {old.agreement.volunteer.user.last_name}"
                    ),
                    revoked_at=old.agreement.status_changed_at
                    if old.agreement.end_kind == "terminated"
                    else None,
                    revoked_reason="The agreement was terminated."
                    if old.agreement.end_kind == "terminated"
                    else "",
                )
                for old in chunk
            ]
        )
    _rename_task(apps, OLD_SWEEP, NEW_SWEEP, "Documents: re-queue stuck renders")


def backward(apps, schema_editor):
    Old = apps.get_model("agreements", "Document")
    New = apps.get_model("documents", "Document")
    Old.objects.bulk_create(
        [
            Old(
                agreement_id=new.object_id,
                version=new.version,
                state=new.state,
                file=new.file.name,
                sha256=new.sha256,
                size=new.size,
                attempts=new.attempts,
                error=new.error,
                created_at=new.created_at,
                started_at=new.started_at,
                finished_at=new.finished_at,
            )
            for new in New.objects.filter(kind="agreement", content_type__app_label="agreements").iterator()
        ],
        ignore_conflicts=True,  # rows still there (only agreements 0006 drops the old table)
    )
    New.objects.filter(kind="agreement").delete()
    _rename_task(apps, NEW_SWEEP, OLD_SWEEP, "Agreements: re-queue stuck documents")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("agreements", "0004_agreement_status_labels"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
