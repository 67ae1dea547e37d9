import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import core.storage
import documents.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("institutions", "0003_historicalinstitution_min_volunteer_age_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40, verbose_name="kind")),
                ("object_id", models.PositiveBigIntegerField()),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("rendering", "Rendering"),
                            ("done", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        blank=True, storage=core.storage.PrivateStorage(), upload_to="documents/%Y/"
                    ),
                ),
                ("sha256", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                ("size", models.PositiveIntegerField(blank=True, null=True, verbose_name="size")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="queued"),
                ),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="made")),
                ("number", models.CharField(blank=True, max_length=40, verbose_name="number")),
                (
                    "verification_code",
                    models.CharField(
                        default=documents.models.new_verification_code,
                        max_length=12,
                        unique=True,
                        verbose_name="verification code",
                    ),
                ),
                (
                    "holder_initials",
                    models.CharField(blank=True, max_length=16, verbose_name="holder's initials"),
                ),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                (
                    "revoked_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="why it was revoked"),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="institutions.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "document",
                "verbose_name_plural": "documents",
                "ordering": ["-version"],
                "indexes": [
                    models.Index(fields=["content_type", "object_id", "kind"], name="document_subject"),
                    models.Index(
                        condition=models.Q(("state__in", ["queued", "rendering"])),
                        fields=["state", "created_at"],
                        name="document_pending",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("content_type", "object_id", "kind", "version"), name="document_version_once"
                    )
                ],
            },
        ),
    ]
