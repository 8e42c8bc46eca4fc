# Issue 9: the terminal operators live on as designations (0002).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("terminals", "0002_operators_to_designations"),
    ]

    operations = [migrations.DeleteModel(name="TerminalOperator")]
