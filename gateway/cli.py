"""``citizenbot``: the command line for operators, editors and benchmarks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["main"]


def _cmd_run(args: argparse.Namespace) -> int:
    from gateway.migrate import migrate_stores
    from gateway.scaled_run import ScaleError, plan_scaled_run
    from gateway.settings import get_settings
    from gateway.supervisor import run_until_interrupted
    from knowledge.migrations import MigrationError

    try:  # a scale the settings cannot serve stops here, in one line, before anything starts
        plan = plan_scaled_run(get_settings(), args.rasa_replicas, args.workers)
    except ScaleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)
    settings = plan.settings
    try:  # before anything starts, so a database newer than this release stops the run with one line
        for result in migrate_stores(settings):
            if result.changed:
                print(result.describe())
    except MigrationError as error:
        print(error, file=sys.stderr)
        return 1
    return run_until_interrupted(settings, workers=plan.workers)


def _cmd_migrate(args: argparse.Namespace) -> int:
    """Bring every configured store to this release's schema and say what was done (docs/runbook-database.md)."""
    from gateway.migrate import migrate_stores
    from gateway.settings import get_settings
    from knowledge.migrations import MigrationError

    try:
        results = migrate_stores(get_settings())
    except MigrationError as error:
        print(error, file=sys.stderr)
        return 1
    for result in results:
        print(json.dumps(result.to_dict()) if args.json else result.describe())
    return 0


def _cmd_eval_retrieval(args: argparse.Namespace) -> int:
    from knowledge.evaluation.datasets import load_corpus, load_queries
    from knowledge.evaluation.retrieval import evaluate_retrieval
    from nlu.embedders import create_embedder

    corpus = load_corpus(Path(args.corpus))
    queries = load_queries(Path(args.queries))
    embedder = create_embedder(args.embedder, args.model)
    report = evaluate_retrieval(corpus, queries, embedder)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def _cmd_catalogue_validate(args: argparse.Namespace) -> int:
    from knowledge.catalogue_files import CatalogueFileError, load_services

    try:
        services = load_services(Path(args.path))
    except CatalogueFileError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{len(services)} services are valid")
    return 0


def _cmd_catalogue_export(args: argparse.Namespace) -> int:
    from gateway.settings import get_settings
    from knowledge.catalogue_files import dump_services
    from knowledge.store import CatalogueStore

    store = CatalogueStore(get_settings().store.url)
    sys.stdout.write(dump_services(store.list_services(), args.format))
    return 0


def _cmd_catalogue_import(args: argparse.Namespace) -> int:
    """Writes the store only: a running gateway sees the new revision and catches up within seconds."""
    from gateway.settings import get_settings
    from knowledge.catalogue_files import CatalogueFileError, load_services
    from knowledge.catalogue_writer import CatalogueWriter
    from knowledge.store import CatalogueStore

    try:
        services = load_services(Path(args.path))
    except CatalogueFileError as error:
        print(error, file=sys.stderr)
        return 1
    store = CatalogueStore(get_settings().store.url)
    try:
        counts = CatalogueWriter(store).import_services(services, author=args.author)
    finally:
        store.close()
    print(json.dumps(counts))
    return 0


def _cmd_catalogue_stale(args: argparse.Namespace) -> int:
    """Facts checked too long ago, without a source or not yet verified, from the configured store
    (or from files with ``--path``); always exit 0 when the review ran: staleness is information."""
    from gateway.settings import get_settings
    from knowledge.catalogue_files import CatalogueFileError, load_services
    from knowledge.fact_review import format_report, review_facts
    from knowledge.schema import Service
    from knowledge.store import CatalogueStore

    settings = get_settings()
    days = settings.catalogue.fact_max_age_days if args.older_than is None else args.older_than
    services: list[Service]
    if args.path:
        try:
            services = load_services(Path(args.path))
        except CatalogueFileError as error:
            print(error, file=sys.stderr)
            return 1
    else:
        store = CatalogueStore(settings.store.url)
        try:
            services = store.list_services()
        finally:
            store.close()
    report = review_facts(services, max_age_days=days)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_report(report))
    return 0


def _days(value: str) -> int:
    """A whole number of days, 0 or more; argparse turns the ValueError into exit 2 with the message."""
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError(f"{days} days: the age must be 0 or more")
    return days


def _cmd_line_rich_menu(args: argparse.Namespace) -> int:
    from channels.line.rich_menu import RichMenuError, run_rich_menu_command
    from gateway.settings import get_settings

    out, font = (Path(args.out) if args.out else None), (Path(args.font) if args.font else None)
    try:
        report = run_rich_menu_command(get_settings().line, dry_run=args.dry_run, out=out, font=font)
    except RichMenuError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def _cmd_reports_classify(args: argparse.Namespace) -> int:
    """JSON lines {"text": ...} on stdin -> {"text", "type", "score"} on stdout (issue 18)."""
    from knowledge.reports.classifier import default_classifier
    from knowledge.reports.classify_command import classify_json_lines

    return classify_json_lines(sys.stdin.buffer, sys.stdout, sys.stderr, default_classifier(), args.choices)


def _cmd_privacy_purge(_args: argparse.Namespace) -> int:
    """Apply the retention once, as the gateway does every hour; exit 1 when a tracker could not be erased."""
    import asyncio
    import dataclasses

    from actions.api.conversation_store import ConversationStore
    from conversation.citizens.engine import open_citizens_engine
    from conversation.citizens.records import CitizenRecords
    from conversation.handoff.store import HandoffStore
    from conversation.rasa_client import RasaClient
    from conversation.reports.photos import PhotoStore
    from conversation.reports.store import ReportsStore
    from conversation.turn_events import TurnEventStore
    from gateway.privacy import ConversationPrivacy, Retention
    from gateway.secrets import rasa_auth_token
    from gateway.settings import get_settings

    settings = get_settings()
    store = ConversationStore(settings.store.conversations_url)
    reports = ReportsStore(settings.store.reports_url, settings.reports)
    retention = Retention.of(settings.privacy)
    privacy = ConversationPrivacy(  # what the gateway's hourly job applies (gateway/runtime.py), once
        store,
        retention,
        events=TurnEventStore(store.engine),
        handoffs=HandoffStore(store.engine),
        reports=reports,
        report_photos=PhotoStore(settings.store.report_photos_dir, settings.reports.photo_max_bytes),
        citizens=CitizenRecords(citizens_engine := open_citizens_engine(settings.store.citizens_url)),
        citizens_kept_days=settings.citizens.kept_days,
    )

    async def purge() -> dict[str, object]:
        urls = settings.rasa.replica_urls()
        rasa = RasaClient(urls, settings.rasa.timeout_seconds, auth_token=rasa_auth_token(settings))
        try:
            return (await privacy.purge(rasa)).to_dict()
        finally:
            await rasa.aclose()

    try:
        report = asyncio.run(purge())
    finally:
        store.close()
        reports.close()
        citizens_engine.dispose()
    days = dataclasses.asdict(retention)
    kept = settings.citizens.kept_days
    print(json.dumps({"removed": report, "retention_days": days, "citizens_kept_days": kept}))
    return 1 if report["trackers_failed"] else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citizenbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start Rasa and the gateway until Ctrl-C")
    run.add_argument(
        "--rasa-replicas",
        type=int,
        default=None,
        metavar="N",
        help="start N Rasa processes on rasa.url's port and the next free ones; needs a shared tracker and "
        "lock store (default: one, or one per CITIZENBOT_RASA__URLS entry)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="W",
        help="gateway worker processes (uvicorn --workers); more than one needs CITIZENBOT_REDIS__URL",
    )
    run.set_defaults(handler=_cmd_run)

    migrate = commands.add_parser(
        "migrate", help="upgrade every store's database (catalogue, LINE queue, conversations) and print what was done"
    )
    migrate.add_argument("--json", action="store_true", help="one JSON object per store")
    migrate.set_defaults(handler=_cmd_migrate)

    evaluate = commands.add_parser("eval", help="measure quality")
    eval_kinds = evaluate.add_subparsers(dest="kind", required=True)
    retrieval = eval_kinds.add_parser(
        "retrieval", help="R@1, R@5, MRR@10, success@1, success@5 and nDCG@10 of dense, lexical and hybrid search"
    )
    retrieval.add_argument("--corpus", required=True, help='JSONL lines {"id", "text", "lang"}')
    retrieval.add_argument("--queries", required=True, help='JSONL lines {"text", "relevant": [ids]}')
    retrieval.add_argument(
        "--embedder", default="use-multilingual", choices=["use-multilingual", "sentence-transformers"]
    )
    retrieval.add_argument("--model", default=None, help="sentence-transformers model name or local path")
    retrieval.set_defaults(handler=_cmd_eval_retrieval)

    catalogue = commands.add_parser(
        "catalogue", help="validate, import or export the service catalogue, or list its stale facts"
    )
    actions = catalogue.add_subparsers(dest="action", required=True)
    validate = actions.add_parser("validate", help="check a YAML/JSON file or folder of services")
    validate.add_argument("path")
    validate.set_defaults(handler=_cmd_catalogue_validate)
    export = actions.add_parser("export", help="write the whole catalogue to stdout")
    export.add_argument("--format", choices=["yaml", "json"], default="yaml")
    export.set_defaults(handler=_cmd_catalogue_export)
    load = actions.add_parser("import", help="create or update services from a file or folder")
    load.add_argument("path")
    load.add_argument("--author", default="cli-import")
    load.set_defaults(handler=_cmd_catalogue_import)
    stale = actions.add_parser(
        "stale", help="list facts checked too long ago, without a source or not yet verified, per service"
    )
    stale.add_argument(
        "--older-than",
        type=_days,
        default=None,
        metavar="DAYS",
        help="a fact checked more than DAYS ago is stale (default: CITIZENBOT_CATALOGUE__FACT_MAX_AGE_DAYS, 365)",
    )
    stale.add_argument("--json", action="store_true", help="print the review as JSON")
    stale.add_argument("--path", default=None, help="review these files or this folder instead of the store")
    stale.set_defaults(handler=_cmd_catalogue_stale)

    privacy = commands.add_parser("privacy", help="personal data: apply the retention periods")
    privacy_actions = privacy.add_subparsers(dest="action", required=True)
    purge = privacy_actions.add_parser(
        "purge", help="delete what is older than its retention (CITIZENBOT_PRIVACY__*_DAYS) and print what went"
    )
    purge.set_defaults(handler=_cmd_privacy_purge)

    reports = commands.add_parser("reports", help="citizens' problem reports (Traffy Fondue types)")
    reports_actions = reports.add_subparsers(dest="action", required=True)
    classify = reports_actions.add_parser(
        "classify", help='read JSON lines {"text": ...} on stdin, write {"text", "type", "score"} per line'
    )
    classify.add_argument("--choices", action="store_true", help="add the top three types with their scores")
    classify.set_defaults(handler=_cmd_reports_classify)

    line = commands.add_parser("line", help="LINE Official Account tools")
    line_actions = line.add_subparsers(dest="action", required=True)
    rich_menu = line_actions.add_parser("rich-menu", help="create the Thai and English rich menus; Thai is the default")
    rich_menu.add_argument("--dry-run", action="store_true", help="only write the menus' JSON and PNG files")
    rich_menu.add_argument("--out", default=None, help="where to write the files (dry run: var/rich-menu)")
    rich_menu.add_argument("--font", default=None, help="a .ttf/.otf font with Thai (found automatically if unset)")
    rich_menu.set_defaults(handler=_cmd_line_rich_menu)

    from backoffice.accounts.cli_commands import add_users_commands

    add_users_commands(commands, _staff_store_url)  # citizenbot users add|token|list|disable|password ...
    return parser


def _staff_store_url() -> str:
    from gateway.settings import get_settings

    return get_settings().store.staff_url


def main(argv: list[str] | None = None) -> int:
    from gateway.supervisor import stay_offline

    stay_offline()  # before any command imports a model library
    args = build_parser().parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
