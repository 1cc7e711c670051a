"""A `multipart/form-data` upload read as a stream: the one exception to JSON-only bodies
(DESIGN §4, §9). The file part goes straight into the document store's temporary file
(hashed, measured and limited as it arrives); the other parts are small text fields."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from api.errors import ApiProblem
from collab.documents.store import (
    CHUNK,
    DocumentStore,
    EmptyFileError,
    Incoming,
    Received,
    TooLargeError,
)

FIELD_BYTES = 4096  # a form field's value at most
MAX_PARTS = 20
ENVELOPE_BYTES = 256 * 1024  # room for the fields and the part headers around the file
FILE_PART = "file"


def bad(detail: str, field: str = "body") -> ApiProblem:
    return ApiProblem(422, "invalid-input", detail, errors={field: [detail]})


def read_upload(store: DocumentStore) -> tuple[dict[str, str], str | None, Received]:
    """The form fields, the file part's own name, and the received (uncommitted) file."""
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary", "")
    if mimetype != "multipart/form-data" or not boundary or len(boundary) > 200:
        raise ApiProblem(415, "unsupported-media-type", "send the document as multipart/form-data")
    request.max_content_length = store.max_bytes + ENVELOPE_BYTES
    parts = Parts(store)
    try:
        # The decoder's own bound is on its buffer (what it holds between events): a few
        # reads' worth; a field's own bound is checked here (FIELD_BYTES).
        decoder = MultipartDecoder(boundary.encode(), 2 * CHUNK + 65536, max_parts=MAX_PARTS)
        parts.read(decoder)
        if parts.target is None:
            raise bad("a `file` part holds the document", FILE_PART)
        received = parts.target.finish()
    except (TooLargeError, RequestEntityTooLarge):
        parts.abort()
        raise ApiProblem(
            413, "payload-too-large", f"a document holds at most {store.max_bytes} bytes"
        ) from None
    except EmptyFileError:
        raise bad("the file is empty", FILE_PART) from None
    except ValueError:
        parts.abort()
        raise bad("the multipart body is malformed") from None
    except BaseException:
        parts.abort()
        raise
    return parts.fields, parts.filename, received


class Parts:
    """The decoder's events, folded: fields as text, the file part into the store."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.target: Incoming | None = None
        self.field: str | None = None  # the text field being read; None: the file
        self.buffer = bytearray()

    def read(self, decoder: MultipartDecoder) -> None:
        stream = request.stream
        event = decoder.next_event()
        while not isinstance(event, Epilogue):
            if isinstance(event, NeedData):
                chunk = stream.read(CHUNK)
                if not chunk and decoder.complete:
                    raise ValueError("the body ended inside a part")
                decoder.receive_data(chunk or None)
            elif isinstance(event, File):
                self.open_file(event)
            elif isinstance(event, Field):
                self.open_field(event.name)
            elif isinstance(event, Data):
                self.data(event)
            event = decoder.next_event()

    def open_file(self, event: File) -> None:
        if event.name != FILE_PART or self.target is not None:
            raise bad("one `file` part holds the document; other parts are fields", event.name)
        self.filename, self.field = event.filename, None
        self.target = self.store.incoming()

    def open_field(self, name: str) -> None:
        if name in self.fields or name == FILE_PART:
            raise bad("each field is sent once, as text", name or "body")
        self.field, self.buffer = name, bytearray()

    def data(self, event: Data) -> None:
        if self.field is None:
            if self.target is None:  # data before any part's headers: not a form we read
                raise bad("the multipart body is malformed", "body")
            self.target.write(event.data)
            return
        self.buffer += event.data
        if len(self.buffer) > FIELD_BYTES:
            raise bad(f"a form field holds at most {FIELD_BYTES} bytes", self.field)
        if not event.more_data:
            try:
                self.fields[self.field] = self.buffer.decode("utf-8")
            except UnicodeDecodeError:
                raise bad("must be UTF-8 text", self.field) from None

    def abort(self) -> None:
        if self.target is not None:
            self.target.abort()
