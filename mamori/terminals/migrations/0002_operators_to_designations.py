# Issue 9: one concept of designation.  Each terminal operator (端末機操作員 YAN-12-3 / FUK-18-2)
# becomes a designation whose target is the terminal, of the kind the active pack declares with
# per_terminal; its id is kept in no column: the records written before name it as
# terminals.TerminalOperator.

from django.db import migrations

from mamori.regulations.loader import get_pack


def _kind(apps):
    Installation = apps.get_model("regulations", "Installation")
    installation = Installation.objects.filter(pk=1).first()
    if installation is None:
        return None
    pack = get_pack(installation.pack)
    spec = next((d for d in pack.parameters.designations if d.per_terminal), None)
    return pack, spec


def forward(apps, schema_editor):
    TerminalOperator = apps.get_model("terminals", "TerminalOperator")
    Designation = apps.get_model("designations", "Designation")
    if not TerminalOperator.objects.exists():
        return
    found = _kind(apps)
    if found is None or found[1] is None:
        raise RuntimeError(
            "terminal operators exist but the active pack declares no designation with per_terminal: "
            "add one to parameters.designations (see the yanagawa pack) and migrate again"
        )
    pack, spec = found
    Designation.objects.bulk_create(
        Designation(
            pack=pack.pack,
            kind=spec.kind,
            label=spec.label,
            target="terminal",
            person_id=row.person_id,
            terminal_id=row.terminal_id,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            state=row.state,
            designated_by_id=row.designated_by_id,
            designated_as=row.designated_capacity,
            recorded_by_id=row.recorded_by_id,
            recorded_at=row.designated_at,
            reported_to_id=row.reported_to_id,
            reported_at=row.reported_at,
            article=spec.article,
            requirement=(spec.requirements or [""])[0],
            ended_at=row.ended_at,
            end_reason=row.end_reason,
        )
        for row in TerminalOperator.objects.order_by("pk").iterator()
    )


class Migration(migrations.Migration):

    dependencies = [
        ("terminals", "0001_initial"),
        ("designations", "0004_one_designation_checks"),
        ("regulations", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
