import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        # The unique constraint "reminder_once" comes in 0003: on PostgreSQL an index name is
        # unique in the schema, and the old agreements_reminder table keeps an index of that
        # name until agreements 0005 drops it (after 0002 has copied its rows here).
        migrations.CreateModel(
            name="Reminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40, verbose_name="kind")),
                ("target", models.CharField(max_length=40, verbose_name="object")),
                ("due_date", models.DateField(verbose_name="due date")),
                ("recipient", models.EmailField(max_length=254, verbose_name="recipient")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
            ],
            options={
                "verbose_name": "reminder",
                "verbose_name_plural": "reminders",
            },
        ),
    ]
