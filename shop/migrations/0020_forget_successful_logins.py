"""Successful logins are no longer recorded (AXES_DISABLE_ACCESS_LOG): the ones django-axes
wrote until now (address, IP, browser, time of every customer's and staff member's login,
kept for ever) are deleted."""

from django.db import migrations


def forget_successful_logins(apps, schema_editor):
    apps.get_model("axes", "AccessLog").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0019_safety_information_per_language"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(forget_successful_logins, migrations.RunPython.noop, elidable=True),
    ]
