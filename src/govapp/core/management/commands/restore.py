"""`govapp restore FILE`: a backup into a new, empty database and storage (nothing is overwritten)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govapp.core.backup import BackupError, backup_restore, describe


class Command(BaseCommand):
    help = "Restore a `govapp backup` archive into this installation's empty database and storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The archive written by `govapp backup`.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            result = backup_restore(path=file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored: {describe(result)}")
