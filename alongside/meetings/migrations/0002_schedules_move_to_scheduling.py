# The meeting time (Schedule, ScheduleResponse) and calendar subscriptions (CalendarFeed)
# move to the scheduling app. Their tables are renamed, keeping every row; Django's record
# of the models moves in scheduling's first migration.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ScheduleResponse"),
                migrations.DeleteModel(name="Schedule"),
                migrations.DeleteModel(name="CalendarFeed"),
            ],
            database_operations=[
                migrations.AlterModelTable(name="Schedule", table="scheduling_schedule"),
                migrations.AlterModelTable(
                    name="ScheduleResponse", table="scheduling_scheduleresponse"
                ),
                migrations.AlterModelTable(name="CalendarFeed", table="scheduling_calendarfeed"),
            ],
        )
    ]
