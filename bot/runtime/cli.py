"""`chatops`: the command line (chat, run, audit, check, eval, db upgrade).

The outermost boundary: it turns every expected failure into one line on
stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.domain.logging_setup import configure_logging
from bot.evals.options import add_eval_arguments
from bot.gate.audit_words import HELP
from bot.runtime.platforms import library_loggers
from bot.runtime.startup import pause_collector, started
from bot.settings.config import ConfigError, LoadedConfig, load_config

log = logging.getLogger("chatops")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatops", description="A ChatOps bot for Kubernetes: changes wait for a person's approval."
    )
    parser.add_argument(
        "--config", type=Path, help="config file (default: $CHATOPS_CONFIG, else built-in defaults)"
    )
    parser.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING (default) or ERROR")
    parser.add_argument(
        "--db",
        help="database URL or SQLite file (default: storage.url, else ./chatops.db if it exists, "
        "else chatops.db in your data directory)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = sub.add_parser(
        "chat", help="chat with the bot on this terminal (piped stdin: one message per line)"
    )
    chat.add_argument("--user", default=None, help="your name in the console (default: your login)")
    chat.add_argument("--channel", default="console", help="the channel name (default: console)")

    sub.add_parser("run", help="run the configured chat adapters (Slack, Discord) as a service")

    audit = sub.add_parser("audit", help="read and verify the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    for name, text in (("list", "list audit rows"), ("export", "export audit rows (jsonl or csv)")):
        p = audit_sub.add_parser(name, help=text)
        p.add_argument("--user")
        p.add_argument("--channel")
        p.add_argument("--since", help="ISO time, inclusive")
        p.add_argument("--until", help="ISO time, exclusive")
        p.add_argument("--status", help=HELP)
        p.add_argument("--operation")
        p.add_argument("--event")
        p.add_argument("--limit", type=int)
        if name == "export":
            p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
            p.add_argument("--output", type=Path, help="file to write (default: stdout)")
    show = audit_sub.add_parser("show", help="show one audit row")
    show.add_argument("seq", type=int)
    audit_sub.add_parser("verify", help="check the hash chain; exits 1 and names the first bad row")

    sub.add_parser("check", help="validate the config and say what is reachable")

    add_eval_arguments(sub.add_parser("eval", help="run the task suite against a model and report its score"))

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations")

    cluster = sub.add_parser("cluster", help="manage the clusters the bot may use")
    cluster_sub = cluster.add_subparsers(dest="cluster_command", metavar="ACTION", required=True)
    add = cluster_sub.add_parser("add", help="validate a kubeconfig and copy it into the managed directory")
    add.add_argument("name")
    add.add_argument("--kubeconfig", type=Path, required=True)
    add.add_argument("--context")
    add.add_argument("--directory", type=Path, default=None, help="default: cluster_dir from the config")
    return parser


async def _chat(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from bot.adapters.console import run_console
    from bot.app import build_app
    from bot.runtime.console_alerts import console_alerts

    app = await build_app(loaded)
    started()
    try:
        user = args.user or _login_name()
        return await run_console(app, user=user, channel=args.channel, alongside=lambda: console_alerts(app))
    finally:
        await app.close()


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


async def _dispatch(args: argparse.Namespace) -> int:
    from bot.settings.database_home import with_database

    loaded = load_config(args.config, require_secrets=args.command in ("run",))
    loaded, note = with_database(loaded, db=args.db, cwd=Path.cwd())
    if note:
        print(f"chatops: {note}", file=sys.stderr)
    if args.command == "chat":
        return await _chat(loaded, args)
    if args.command == "audit":
        from bot.runtime.audit_cli import run_audit_command

        return await run_audit_command(loaded, args)
    if args.command == "check":
        from bot.runtime.check import run_check

        return await run_check(loaded)
    if args.command == "db":
        from storage.migrate import upgrade

        await upgrade(loaded.database_url)
        print("database schema is up to date")
        return 0
    if args.command == "run":
        from bot.runtime.service import run_service

        return await run_service(loaded)
    if args.command == "eval":
        from bot.evals.command import run_eval

        return await run_eval(loaded, args)
    if args.command == "cluster":
        from bot.runtime.cluster_cli import add_cluster

        return await add_cluster(loaded, args)
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command in ("chat", "run"):
        pause_collector()  # until the app is built (started()); see bot/runtime/startup.py
    configure_logging(args.log_level, quiet=library_loggers())
    try:
        return asyncio.run(_dispatch(args))
    except ConfigError as e:
        print(f"chatops: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `chatops audit list | head`: the reader left; say nothing more and flush nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as e:  # the outermost boundary: one line, never a traceback
        from storage.errors import StorageError

        if isinstance(e, StorageError):
            print(f"chatops: {e}", file=sys.stderr)
            return 2
        log.debug("unexpected failure", exc_info=True)
        print(
            f"chatops: unexpected {type(e).__name__}; run with --log-level DEBUG for details", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
