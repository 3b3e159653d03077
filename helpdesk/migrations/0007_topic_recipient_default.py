"""A topic without its own recipient e-mails the shop's contact address as the settings say
now. The system topics were given the contact address of the day they were created, so a
later change of it never reached them: those still on it follow it from now on."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    ContactTopic = apps.get_model("helpdesk", "ContactTopic")
    ShopSettings = apps.get_model("shop", "ShopSettings")
    shop = ShopSettings.objects.filter(pk=1).first()
    if shop is not None:
        ContactTopic.objects.exclude(code="").filter(
            recipient_email__iexact=shop.contact_email
        ).update(recipient_email="")


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0006_message_thread_verbose_name"),
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contacttopic",
            name="recipient_email",
            field=models.EmailField(
                blank=True,
                help_text=(
                    "Contact requests on this topic are e-mailed here. Empty: to the shop's "
                    "contact e-mail (shop settings), whatever it is changed to."
                ),
                max_length=254,
                verbose_name="recipient e-mail",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
