# Invitations belong to the people directory (an invitation is for a person in an
# organisation); the model moves there and its table is renamed, keeping every row.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Invitation")],
            database_operations=[
                migrations.AlterModelTable(name="Invitation", table="people_invitation")
            ],
        )
    ]
