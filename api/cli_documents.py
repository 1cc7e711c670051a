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


@documents.command("get")
@click.argument("sha256")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="default stdout"
)
def get(sha256: str, output: str | None) -> None:
    """Write a stored file's bytes, the very bytes hashed: copied to a temporary file while
    hashed, then written out only if they match its name (exit 1 otherwise)."""
    import hashlib
    import shutil
    import tempfile

    from api.cli_admin import configured
    from collab.documents.store import CHUNK

    settings = configured()
    try:
        settings.require_documents_dir()
        path = settings.document_store().path_of(sha256)
    except ValueError as wrong:
        raise click.ClickException(str(wrong)) from None
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as copy:
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    copy.write(chunk)
        except FileNotFoundError:
            raise click.ClickException(f"no stored file {sha256}") from None
        if digest.hexdigest() != sha256:
            raise click.ClickException(f"document {sha256} no longer matches its hash")
        copy.seek(0)
        with click.open_file(output or "-", "wb") as out:
            shutil.copyfileobj(copy, out, CHUNK)
