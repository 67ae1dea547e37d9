# Reminders now live in the notifications app; notifications 0002 copied the rows first.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_agreement_status_labels"),
        ("notifications", "0002_copy_agreement_reminders"),
    ]

    operations = [
        migrations.DeleteModel(name="Reminder"),
    ]
