from django.db import migrations


def agree_rhythms(apps, schema_editor):
    """Relationships whose meeting time everyone accepted have agreed their rhythm."""
    Schedule = apps.get_model("scheduling", "Schedule")
    Agreement = apps.get_model("meetings", "Agreement")
    confirmed = dict(
        Schedule.objects.filter(status="confirmed").values_list("relationship_id", "confirmed_at")
    )
    have = set(Agreement.objects.values_list("relationship_id", flat=True))
    Agreement.objects.bulk_create(
        [Agreement(relationship_id=pk) for pk in confirmed if pk not in have], batch_size=500
    )
    for agreement in Agreement.objects.filter(
        relationship_id__in=list(confirmed), rhythm_confirmed=False
    ).iterator(chunk_size=500):
        agreement.rhythm_confirmed = True
        agreement.confirmed_at = confirmed[agreement.relationship_id]
        agreement.save(update_fields=["rhythm_confirmed", "confirmed_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_schedules_move_to_scheduling"),
        ("scheduling", "0001_initial"),
    ]

    operations = [migrations.RunPython(agree_rhythms, migrations.RunPython.noop, elidable=True)]
