"""A programme records the language its authored texts were first written in. Existing
programmes were written in their organisation's language as it is now (the best there is
to go on); an empty value also reads as the organisation's."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def record(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    Organisation = apps.get_model("organisations", "Organisation")
    Programme.objects.filter(content_language="").update(
        content_language=Subquery(
            Organisation.objects.filter(pk=OuterRef("organisation_id")).values("language")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0004_programme_translations"),
        ("organisations", "0002_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="content_language",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.RunPython(record, migrations.RunPython.noop),
    ]
