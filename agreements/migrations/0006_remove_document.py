# The agreement PDFs now live in the shared documents app (documents/0002 copied them).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0005_remove_reminder"),
        ("documents", "0002_agreement_documents"),
    ]

    operations = [
        migrations.DeleteModel(name="Document"),
    ]
