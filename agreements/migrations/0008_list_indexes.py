"""The staff list's indexes (ORDER BY created_at DESC, id DESC, 25 a page): a unit's tab, a
unit's whole list and several units' lists walked in order. The first replaces
(unit, status), of which it is an extension (the tab counts use it alike)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0007_ievp_ligums_text"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="agreement", name="agreement_unit_status"),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                fields=["unit", "status", "-created_at", "-id"], name="agreement_list_unit_status"
            ),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["unit", "-created_at", "-id"], name="agreement_list_unit"),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["-created_at", "-id"], name="agreement_list"),
        ),
    ]
