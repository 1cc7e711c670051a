"""The Merkle log's tables: leaves, perfect subtrees, stream heads, signed checkpoints.

Beside the read models in the same database, but not read models: `projections rebuild`
never touches them (the tree is append-only; `collab audit verify --database` recomputes it
from scratch instead). Hashes are lowercase hex text, identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, Table, Text

metadata = MetaData()

leaves = Table(
    "audit_leaves",
    metadata,
    Column("leaf", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("stream", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("entry", Text, nullable=False),
    Column("leaf_hash", Text, nullable=False),
)
# The sealer looks leaves up by (stream, version): the previous version, and duplicates.
# Not unique: a duplicated event row must become a leaf the sealer names, not stop the
# follower.
Index("audit_leaves_stream_version", leaves.c.stream, leaves.c.version)
# Perfect aligned subtrees above the leaves: (level, idx) covers leaves
# [idx * 2**level, (idx + 1) * 2**level); level 0 is `leaves`.
nodes = Table(
    "audit_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", Text, nullable=False),
)
heads = Table(
    "audit_heads",
    metadata,
    Column("stream", Text, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("leaf_hash", Text, nullable=False),
)
checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", Text, nullable=False),
)
