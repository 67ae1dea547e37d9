from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_copy_agreement_reminders"),
        # The old table and its "reminder_once" index are gone (see 0001).
        ("agreements", "0005_remove_reminder"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                fields=("kind", "target", "due_date", "recipient"), name="reminder_once"
            ),
        ),
    ]
