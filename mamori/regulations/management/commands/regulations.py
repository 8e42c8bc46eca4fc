"""mamori regulations list | show PACK [ARTICLE] | validate [FILE ...]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mamori.regulations.loader import PackError, available_packs, get_pack, load_pack_file
from mamori.regulations.registry import everything_implementing, pack_entries_citing_article
from mamori.regulations.text import article_text, requirements_of_article

KIND_LABEL = {"pack": "規程パック", "code": "実装", "test": "試験"}


class Command(BaseCommand):
    help = "規程パックの一覧・表示・検証 (list, show and validate regulation packs)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="built-in and local packs")
        show = sub.add_parser("show", help="a pack, or one article with what implements it")
        show.add_argument("pack")
        show.add_argument("article", nargs="?")
        validate = sub.add_parser("validate", help="validate pack files (default: every known pack)")
        validate.add_argument("files", nargs="*")

    def handle(self, *args, action: str, **options):
        getattr(self, f"do_{action}")(**options)

    def do_list(self, **options):
        for name, file in available_packs().items():
            try:
                pack = get_pack(name)
            except PackError as error:
                self.stdout.write(f"{name:12} (invalid: {len(error.problems)} problem(s))  {file}")
                continue
            self.stdout.write(
                f"{name:12} {pack.municipality}  {pack.title}  ({pack.number})  "
                f"条 {len(pack.articles)}  役割 {len(pack.roles)}  要件 {len(pack.requirements)}"
            )

    def do_show(self, *, pack: str, article: str | None, **options):
        try:
            regulation = get_pack(pack)
        except KeyError as error:
            raise CommandError(str(error.args[0])) from None
        if article is None:
            self.stdout.write(f"{regulation.municipality} {regulation.title}\n({regulation.number})\n")
            for item in regulation.articles:
                self.stdout.write(f"  第{item.number}条 {item.caption or ''}")
            return
        try:
            found = regulation.article(article)
        except KeyError as error:
            raise CommandError(str(error.args[0])) from None
        self.stdout.write(article_text(found))
        self.stdout.write("")
        requirements = requirements_of_article(regulation, article)
        if not requirements:
            self.stdout.write("この条に対応する要件IDはありません。")
        for requirement in requirements:
            self.stdout.write(f"■ {requirement.id}  [{requirement.area}]  {requirement.summary}")
            entries = everything_implementing(regulation, requirement.id)
            if not any(entry.kind == "code" for entry in entries):
                self.stdout.write(
                    "    未実装: この要件を実装するコードはまだありません (not implemented yet)"
                )
            for entry in entries:
                summary = f" — {entry.summary}" if entry.summary else ""
                self.stdout.write(f"    {KIND_LABEL[entry.kind]}: {entry.name}{summary}")
        # Every pack entry that cites this article, whether or not it names a requirement (issue 9).
        citing = pack_entries_citing_article(regulation, article)
        self.stdout.write("")
        self.stdout.write(f"■ この条を引く規程パックの項目 ({len(citing)})")
        for entry in citing:
            self.stdout.write(f"    {KIND_LABEL[entry.kind]}: {entry.name} — {entry.summary}")

    def do_validate(self, *, files: list[str], **options):
        targets = files or [str(path) for path in available_packs().values()]
        failed = 0
        for file in targets:
            try:
                pack = load_pack_file(file)
            except PackError as error:
                failed += 1
                self.stderr.write(error.describe())
                continue
            missing = pack.missing_retention_classes()
            if missing:
                # Issue 9 item 6: every record the engine writes carries a class the pack declares.
                failed += 1
                self.stderr.write(
                    f"{file}: parameters.retention: no period for the engine's retention class(es) "
                    f"{', '.join(missing)} (declare each, or a class of the pack's own that serves it)"
                )
                continue
            self.stdout.write(f"OK {file} ({pack.pack}: {pack.municipality})")
        if failed:
            raise CommandError(f"{failed} pack file(s) failed validation")
