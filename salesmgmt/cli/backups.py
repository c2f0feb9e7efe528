"""`backup` and `restore` (see salesmgmt/backup.py); `backups` lists them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from salesmgmt import db
from salesmgmt.cli.arguments import Subcommands, add_db_argument, add_lang_argument, message_lang, user_name
from salesmgmt.i18n import t

if TYPE_CHECKING:
    from salesmgmt.backup import RestorePreview


def register(sub: Subcommands) -> None:
    p = sub.add_parser("backup", help="copy the database into a directory (safe while the app runs)")
    p.add_argument(
        "--out", required=True, metavar="DIR", help="directory of the backups (a new file each time)"
    )
    add_db_argument(p)
    add_lang_argument(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="put the database back as it was in a backup (in one transaction)")
    p.add_argument("backup", metavar="BACKUP", help="a .duckdb file written by `backup`")
    add_db_argument(p)
    p.add_argument(
        "--yes", action="store_true", help="go ahead after showing what changes (without it: only show)"
    )
    p.add_argument("--user", default=None, help="name recorded in the audit log")
    add_lang_argument(p)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("backups", help="list the backups in a directory")
    p.add_argument("dir", metavar="DIR")
    add_lang_argument(p)
    p.set_defaults(func=cmd_backups)


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f}"


def _print_counts(counts: dict[str, int]) -> None:
    for table in ("reps", "clients", "opportunities", "opportunity_history", "visits", "targets", "uploads"):
        if table in counts:
            print(f"  {table:<22} {counts[table]:>9,}")


def cmd_backup(args: argparse.Namespace) -> int:
    from salesmgmt.backup import backup

    made = backup(args.out, args.db)
    print(
        t(
            "backup.done",
            message_lang(args),
            path=made.path,
            size=_mb(made.bytes),
            schema=made.schema_version,
            manifest=made.manifest_path.name,
        )
    )
    _print_counts(made.counts)
    return 0


def _print_preview(preview: RestorePreview, lang: str) -> None:
    """What the restore changes: rows per table now and after, upload batches, users, audit log."""
    info = preview.backup
    print(t("backup.preview_title", lang, path=info.path, when=info.created_at, db=preview.database))
    if not preview.replaces:
        print("  " + t("backup.preview_new_file", lang))
        _print_counts(info.counts)
        return
    print(
        f"  {t('backup.preview_table', lang):<22} {t('backup.preview_now', lang):>9} "
        f"{t('backup.preview_after', lang):>9}"
    )
    for table, now in preview.counts_now.items():
        after = preview.counts_after.get(table, 0)
        mark = "" if after == now else "  *"
        print(f"  {table:<22} {now:>9,} {after:>9,}{mark}")
    lines: list[tuple[str, list[str]]] = [
        ("backup.preview_batches_removed", [str(b) for b in preview.batches_removed]),
        ("backup.preview_batches_added", [str(b) for b in preview.batches_added]),
        ("backup.preview_users_added", preview.users_added),
        ("backup.preview_users_not_in_backup", preview.users_not_in_backup),
        ("backup.preview_users_kept_disabled", preview.users_kept_disabled),
        ("backup.preview_users_kept_enabled", preview.users_kept_enabled),
        ("backup.preview_users_password_kept", preview.users_password_kept),
    ]
    for key, items in lines:
        if items:
            print("  " + t(key, lang, items=", ".join(items)))
    print("  " + t("backup.preview_users_rule", lang))
    print("  " + t("backup.preview_audit", lang, added=preview.audit_added))


def cmd_restore(args: argparse.Namespace) -> int:
    from salesmgmt.backup import preview_restore, restore

    lang = message_lang(args)
    target = db.resolve_db_path(args.db)
    # A backup that is not this installation's, or damaged, is refused before anything is shown.
    preview = preview_restore(args.backup, target)
    _print_preview(preview, lang)
    if preview.replaces and not args.yes:
        print(t("backup.restore_needs_yes", lang, db=target))
        return 1
    info = restore(args.backup, target, user=user_name(args.user))
    print(t("backup.restored", lang, db=target, path=info.path, when=info.created_at))
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    from salesmgmt.backup import list_backups

    lang = message_lang(args)
    found = list_backups(args.dir)
    if not found:
        print(t("backup.none", lang, path=args.dir))
    for b in found:
        print(
            t(
                "backup.listed",
                lang,
                path=b.path.name,
                when=b.created_at,
                schema=b.schema_version,
                size=_mb(b.bytes),
                visits=f"{b.counts.get('visits', 0):,}",
            )
        )
    return 0
