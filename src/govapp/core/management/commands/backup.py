"""`govapp backup FILE`: the database and every stored file, from one snapshot, into one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govapp.core.backup import BackupError, backup_create, describe


class Command(BaseCommand):
    help = "Back up the database and the stored files (local or S3) together into one tar archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The archive to write, e.g. govapp-2026-12-04.tar.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            result = backup_create(path=file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Backup written: {describe(result)}")
