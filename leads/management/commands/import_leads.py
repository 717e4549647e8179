"""`manage.py import_leads FILE [--station CODE] [--user USERNAME] [--dry-run]`.

The same checks and the same report as the upload page (`leads.imports`): the report is printed
in Chinese row by row; if any row is invalid nothing is saved and the command exits with status 1;
with `--dry-run` nothing is saved even when every row is valid. Rows without a team go to
`--station`; the command acts as `--user`, by default the first active superuser.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from leads.imports import ImportRefused, check_upload, import_commit, read_ledger
from stations.models import Station


class Command(BaseCommand):
    help = "Import a lead ledger (.xlsx): every row is saved, or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the ledger, an .xlsx file")
        parser.add_argument("--station", help="code of the team for rows without a 所属团队 column or value")
        parser.add_argument("--user", help="username to act as (default: the first active superuser)")
        parser.add_argument("--dry-run", action="store_true", help="check and report only; save nothing")

    def handle(self, *args, file, station, user, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        default_station = None
        if station:
            default_station = Station.objects.filter(code__iexact=station).first()
            if default_station is None:
                raise CommandError(f"没有代码为 {station} 的团队。")
        acting_user = self._user(user)
        with path.open("rb") as file_obj:
            try:
                check_upload(file_obj, path.name)
                report = read_ledger(file_obj, user=acting_user, default_station=default_station)
            except ImportRefused as exc:
                raise CommandError(f"文件被拒绝：{exc.message}") from exc
        for line in report.lines():
            self.stdout.write(line)
        if not report.is_valid:
            raise CommandError("有错误，未导入任何数据。")
        if dry_run:
            self.stdout.write(f"试运行：{report.row_count} 行均可导入，未保存任何数据。")
            return
        try:
            leads = import_commit(report, user=acting_user)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(leads)} 条线索。"))

    def _user(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            found = users.filter(username=username).first()
            if found is None:
                raise CommandError(f"没有启用的用户 {username}。")
            return found
        found = users.filter(is_superuser=True).order_by("pk").first()
        if found is None:
            raise CommandError("没有启用的超级用户：请用 --user 指定导入人。")
        return found
