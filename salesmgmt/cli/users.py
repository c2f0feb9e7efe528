"""`users add|list|disable|passwd|end-sessions|rotate-secret`: the sign-in users and their sessions
(see salesmgmt/auth.py)."""

from __future__ import annotations

import argparse
import json
import sys

from salesmgmt import auth, db
from salesmgmt.cli.arguments import Subcommands, add_db_argument
from salesmgmt.errors import SalesmgmtError


def _read_password(args: argparse.Namespace) -> str:
    """The new password from standard input, refused (before anything changes) when weak."""
    if not args.password_stdin:
        raise SalesmgmtError("auth.password_stdin_required")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise SalesmgmtError("auth.empty_password")
    auth.require_strong_password(password, args.username)
    return password


def register(sub: Subcommands) -> None:
    users = sub.add_parser(
        "users", help="sign-in users: add, list, disable, passwd, end-sessions, rotate-secret"
    )
    users_sub = users.add_subparsers(dest="users_command", required=True)

    p = users_sub.add_parser("add", help="add a user (password read from standard input)")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=auth.ROLES)
    p.add_argument("--team", action="append", default=[], help="a team a manager sees (repeatable)")
    p.add_argument("--region", action="append", default=[], help="a region a manager sees (repeatable)")
    p.add_argument("--rep", default=None, help="the rep (name or code) a rep user is")
    p.add_argument("--name", default=None, help="display name")
    p.add_argument("--email", default=None, help="email, to match single sign-on (st.login)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add_db_argument(p)
    p.set_defaults(func=cmd_add)

    p = users_sub.add_parser("list", help="list users")
    p.add_argument("--format", choices=["text", "json"], default="text")
    add_db_argument(p)
    p.set_defaults(func=cmd_list)

    p = users_sub.add_parser("disable", help="disable a user (they can no longer sign in)")
    p.add_argument("username")
    add_db_argument(p)
    p.set_defaults(func=cmd_disable)

    p = users_sub.add_parser(
        "passwd", help="set a user's password (read from standard input); ends the user's sessions"
    )
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true")
    add_db_argument(p)
    p.set_defaults(func=cmd_passwd)

    p = users_sub.add_parser("end-sessions", help="sign a user out everywhere (they may sign in again)")
    p.add_argument("username")
    add_db_argument(p)
    p.set_defaults(func=cmd_end_sessions)

    p = users_sub.add_parser(
        "rotate-secret",
        help="a new installation secret (the key file beside the database); ends every session",
    )
    add_db_argument(p)
    p.set_defaults(func=cmd_rotate_secret)


def cmd_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with db.connect(args.db) as con, db.transaction(con):
        user = auth.add_user(
            con,
            args.username,
            args.role,
            password,
            display_name=args.name,
            email=args.email,
            teams=tuple(args.team),
            regions=tuple(args.region),
            rep=args.rep,
            by="cli",
        )
    print(f"added {user.username} ({user.role})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con:
        users = auth.list_users(con)
    if args.format == "json":
        print(json.dumps(users, ensure_ascii=False))
        return 0
    if not users:
        print("no users: the app runs open (sign-in not configured)")
    for u in users:
        scope = ", ".join(u["regions"] + u["teams"]) or (f"rep #{u['rep_id']}" if u["rep_id"] else "all")
        state = "active" if u["active"] else "disabled"
        print(
            f"{u['username']:<20} {u['role']:<9} {state:<9} {scope}  last sign-in: {u['last_sign_in'] or '-'}"
        )
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con, db.transaction(con):
        auth.disable_user(con, args.username, by="cli")
    print(f"disabled {args.username}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with db.connect(args.db) as con, db.transaction(con):
        auth.set_password(con, args.username, password, by="cli")
    print(f"password changed for {args.username}")
    return 0


def cmd_end_sessions(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con, db.transaction(con):
        ended = auth.end_user_sessions(con, args.username, by="cli")
    print(f"ended {ended} session(s) of {args.username}")
    return 0


def cmd_rotate_secret(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con, db.transaction(con):
        ended = auth.rotate_secret(con, by="cli")
    print(f"new secret in use; ended {ended} session(s): everyone signs in again")
    return 0
