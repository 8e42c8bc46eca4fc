# The events' default retention class is the active pack's class for the engine's operation events,
# no longer one city's class name (issue 9 item 6).

from django.db import migrations, models

import mamori.events.models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_channels_integrity_bigint_line"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventsource",
            name="retention_class",
            field=models.CharField(
                default=mamori.events.models.default_retention_class, max_length=40, verbose_name="保存区分"
            ),
        ),
    ]
