from django.db import migrations, models


def name_after_members(apps, schema_editor):
    """'Pair 7' and 'Circle 2' become the members' names ('Rohan & Aditya')."""
    from alongside.relationships.naming import NamedMember, default_name

    Relationship = apps.get_model("relationships", "Relationship")
    RelationshipMember = apps.get_model("relationships", "RelationshipMember")
    members: dict[int, list] = {}
    rows = RelationshipMember.objects.values_list(
        "relationship_id", "person__name", "role", "is_active"
    )
    for relationship_id, name, role, is_active in rows.iterator(chunk_size=2000):
        members.setdefault(relationship_id, []).append((NamedMember(name, role), is_active))
    changed = []
    for relationship in Relationship.objects.only("pk", "kind", "name").iterator(chunk_size=2000):
        everyone = members.get(relationship.pk, [])
        active = [m for m, is_active in everyone if is_active]
        named = active if len(active) >= 2 else [m for m, _ in everyone]
        if not named:
            continue
        name = default_name(relationship.kind, named)[:120]
        if name != relationship.name:
            relationship.name = name
            changed.append(relationship)
    Relationship.objects.bulk_update(changed, ["name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("relationships", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="relationship",
            name="chosen_name",
            field=models.CharField(
                blank=True,
                help_text="A name the members chose; empty: their names.",
                max_length=80,
            ),
        ),
        migrations.RunPython(name_after_members, migrations.RunPython.noop, elidable=True),
    ]
