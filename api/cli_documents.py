"""`collab documents`: the document store, checked file by file (DESIGN §9)."""

from __future__ import annotations

import click


@click.group()
def documents() -> None:
    """Files stored by SHA-256 (COLLAB_DOCUMENTS_DIR or $COLLAB_DATA_DIR/documents)."""


@documents.command("check")
def check() -> None:
    """Re-hash every stored file; list those whose bytes no longer match their name and
    exit 1 if there is any."""
    from api.cli_admin import configured

    settings = configured()
    try:
        settings.require_documents_dir()
    except ValueError as wrong:
        raise click.ClickException(str(wrong)) from None
    store = settings.document_store()
    bad = 0
    for path, why in store.check():
        bad += 1
        click.echo(f"MISMATCH {path}: {why}")
    click.echo(f"checked {store.root}: {bad} file(s) do not match")
    if bad:
        raise SystemExit(1)
