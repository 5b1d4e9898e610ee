"""Stored API keys: only a hash of each secret is kept, never the secret itself."""

from __future__ import annotations

from typing import Any

from service.graph.driver import Graph

CREATE_KEY = """
CREATE (k:ApiKey {id: $id, name: $name, secret_hash: $secret_hash, scopes: $scopes,
                  created_at: datetime()})
"""
FIND_KEY = """
MATCH (k:ApiKey {id: $id})
RETURN k.id AS id, k.name AS name, k.secret_hash AS secret_hash, k.scopes AS scopes,
       k.revoked_at IS NOT NULL AS revoked
"""
REVOKE_KEY = """
MATCH (k:ApiKey {id: $id}) WHERE k.revoked_at IS NULL
SET k.revoked_at = datetime()
RETURN k.id AS id
"""
LIST_KEYS = """
MATCH (k:ApiKey)
RETURN k.id AS id, k.name AS name, k.scopes AS scopes, toString(k.created_at) AS created_at,
       toString(k.revoked_at) AS revoked_at
ORDER BY k.created_at
"""


def insert_key(
    graph: Graph, *, key_id: str, name: str, secret_hash: str, scopes: list[str]
) -> None:
    graph.write(CREATE_KEY, id=key_id, name=name, secret_hash=secret_hash, scopes=scopes)


def find_key(graph: Graph, key_id: str) -> dict[str, Any] | None:
    rows = graph.read(FIND_KEY, id=key_id)
    return rows[0] if rows else None


def revoke_key(graph: Graph, key_id: str) -> bool:
    return bool(graph.write(REVOKE_KEY, id=key_id))


def list_keys(graph: Graph) -> list[dict[str, Any]]:
    return graph.read(LIST_KEYS)
