"""The state database's schema, as a list of small migration steps.

The schema version lives in SQLite's own ``PRAGMA user_version`` header field, so it can be
read before any table exists and cannot disagree with the tables (it is written in the same
transaction as the step that creates them). :data:`MIGRATIONS` holds one function per version:
``MIGRATIONS[0]`` takes an empty file to version 1, ``MIGRATIONS[1]`` (when it exists) takes
version 1 to 2, and so on. Adding version 2 means appending one function; nothing else changes.
Steps never edit an earlier step, because databases already in the field went through it.

A database with a *higher* version than :data:`MIGRATIONS` knows was written by a newer
trafficscan; we refuse it rather than guess, because an older program writing into a newer
schema could silently drop the newer columns' meaning.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _v1_initial(conn: sqlite3.Connection) -> None:
    """Scans, postings, contacts and the contact <-> posting links.

    A *posting* is one ad text (content id ``ad_id``) at one URL: the same text re-posted at a
    second URL is a second posting, so moving ads stay visible. ``first_completed_scan`` is the
    first scan that saw the posting *and* finished with status ``completed``: only those
    sightings make an ad "not new", so a scan killed before it wrote its output cannot hide
    new ads from the next run.
    """
    run_script(
        conn,
        """
        CREATE TABLE scans (
            id        INTEGER PRIMARY KEY,
            started   TEXT NOT NULL,
            finished  TEXT,
            status    TEXT NOT NULL DEFAULT 'running'
                      CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
            sources   TEXT NOT NULL DEFAULT '[]',   -- JSON list of source names
            counts    TEXT NOT NULL DEFAULT '{}',   -- JSON object, the output's scan summary
            errors    TEXT NOT NULL DEFAULT '[]',   -- JSON list of {source, url, error}
            pid       INTEGER                       -- the process that ran it, for post-mortems
        );
        CREATE INDEX scans_status ON scans (status);

        CREATE TABLE postings (
            id                   INTEGER PRIMARY KEY,
            ad_id                TEXT NOT NULL,     -- stable content id (Ad.id)
            url                  TEXT NOT NULL,
            source               TEXT NOT NULL,
            title                TEXT NOT NULL DEFAULT '',
            first_seen           TEXT NOT NULL,     -- start time of the first scan that saw it
            last_seen            TEXT NOT NULL,
            first_scan           INTEGER NOT NULL REFERENCES scans (id),
            last_scan            INTEGER NOT NULL REFERENCES scans (id),
            first_completed_scan INTEGER REFERENCES scans (id),
            last_score           REAL,
            flagged              INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
            UNIQUE (ad_id, url)                     -- also the index for lookups by ad_id
        );
        CREATE INDEX postings_last_scan ON postings (last_scan);

        CREATE TABLE contacts (
            id         INTEGER PRIMARY KEY,
            kind       TEXT NOT NULL,   -- phone | email | handle:<platform>
            value      TEXT NOT NULL,   -- normalised: E.164 phone, lower-case e-mail/handle
            first_seen TEXT NOT NULL,
            UNIQUE (kind, value)
        );

        CREATE TABLE posting_contacts (
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            posting_id INTEGER NOT NULL REFERENCES postings (id) ON DELETE CASCADE,
            PRIMARY KEY (contact_id, posting_id)    -- contact -> postings: the seen_with lookup
        ) WITHOUT ROWID;
        CREATE INDEX posting_contacts_posting ON posting_contacts (posting_id, contact_id);
        """,
    )


def _v2_verdicts(conn: sqlite3.Connection) -> None:
    """Analyst verdicts on ads, keyed by content id and a hash of the exact text.

    The table stands alone (no reference to ``postings``) so that pruning the scan history
    never loses a verdict: an analyst's decision is the most valuable data the tool holds.
    ``record`` keeps the ad itself (JSON), so labels can be exported and trained on after
    the postings that showed it are long gone. ``label`` ``skip`` is kept too: it is where a
    review session stopped, not a training label.
    """
    run_script(
        conn,
        """
        CREATE TABLE verdicts (
            ad_id       TEXT NOT NULL,     -- content id (Ad.id)
            text_hash   TEXT NOT NULL,     -- sha256 of the exact ad text: edited text, new ad
            label       TEXT NOT NULL CHECK (label IN ('signal', 'not_signal', 'skip')),
            analyst     TEXT NOT NULL,
            labelled_at TEXT NOT NULL,     -- ISO-8601 UTC
            note        TEXT NOT NULL DEFAULT '',
            score       REAL,              -- the score the ad had when it was reviewed
            record      TEXT NOT NULL,     -- JSON: the ad record as the review saw it
            PRIMARY KEY (ad_id, text_hash)
        ) WITHOUT ROWID;
        CREATE INDEX verdicts_label ON verdicts (label)
        """,
    )


def _v3_evidence(conn: sqlite3.Connection) -> None:
    """The evidence store's index: which WARC record holds which fetched page, which ads it
    shows, and which records went into a case bundle.

    ``evidence`` rows are written after their records are on disk, so a row never points at a
    record that is not there. ``ad_evidence`` and ``evidence_exports`` reference no scan or
    posting: pruning history must never orphan what a case rests on.
    """
    run_script(
        conn,
        """
        CREATE TABLE evidence (
            id          INTEGER PRIMARY KEY,
            record_id   TEXT NOT NULL UNIQUE,   -- WARC-Record-ID of the response record
            warc        TEXT NOT NULL,          -- path relative to the state folder
            offset      INTEGER NOT NULL,       -- of the response record, its request follows
            length      INTEGER NOT NULL,       -- bytes of both records, gzip members as stored
            url         TEXT NOT NULL,
            sha256      TEXT NOT NULL,          -- hex SHA-256 of the HTTP body as received
            fetched_at  TEXT NOT NULL,          -- ISO-8601 UTC
            scan_id     INTEGER                 -- the scan that fetched it
        );
        CREATE INDEX evidence_url ON evidence (url, sha256);
        CREATE INDEX evidence_warc ON evidence (warc);

        CREATE TABLE ad_evidence (
            ad_id       TEXT NOT NULL,          -- content id (Ad.id)
            url         TEXT NOT NULL,          -- the ad's url (a listing item: page#n)
            evidence_id INTEGER NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
            flagged     INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
            PRIMARY KEY (ad_id, url, evidence_id)
        ) WITHOUT ROWID;
        CREATE INDEX ad_evidence_record ON ad_evidence (evidence_id);

        CREATE TABLE evidence_exports (
            evidence_id INTEGER NOT NULL REFERENCES evidence (id),
            exported_at TEXT NOT NULL,
            bundle      TEXT NOT NULL,          -- the case bundle's path as given
            PRIMARY KEY (evidence_id, exported_at, bundle)
        ) WITHOUT ROWID
        """,
    )


def _v4_clusters(conn: sqlite3.Connection) -> None:
    """Clusters of linked ads, kept incrementally (see ``trafficscan.clusters.store``).

    ``cluster_keys.key`` is a 64-bit hash of a contact or of a text's LSH band: the table is
    the index a new ad is linked through, one probe per key, whatever the history's size.
    """
    run_script(
        conn,
        """
        CREATE TABLE cluster_ads (
            seq        INTEGER PRIMARY KEY,     -- order first clustered: the oldest names a cluster
            ad_id      TEXT NOT NULL UNIQUE,    -- content id (Ad.id)
            cluster    TEXT NOT NULL,           -- c-<ad_id of the cluster's first ad>
            source     TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen  TEXT NOT NULL,
            locations  TEXT NOT NULL DEFAULT '[]', -- JSON list of the ad's locations
            signature  BLOB                     -- MinHash of its text (64 uint32), NULL: too short
        );
        CREATE INDEX cluster_ads_cluster ON cluster_ads (cluster, seq);

        CREATE TABLE clusters (
            id         TEXT PRIMARY KEY,
            founder    INTEGER NOT NULL,        -- cluster_ads.seq of its first ad
            size       INTEGER NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen  TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX clusters_size ON clusters (size);

        CREATE TABLE cluster_keys (
            key   INTEGER PRIMARY KEY,          -- hash of a contact or a text band
            first INTEGER NOT NULL,             -- cluster_ads.seq of the first ad with it
            n     INTEGER NOT NULL              -- ads that carry it
        );

        CREATE TABLE cluster_links (
            id INTEGER PRIMARY KEY,
            a  INTEGER NOT NULL,                -- cluster_ads.seq
            b  INTEGER NOT NULL,
            by TEXT NOT NULL CHECK (by IN ('phone', 'email', 'handle', 'text'))
        );
        CREATE INDEX cluster_links_a ON cluster_links (a);

        CREATE TABLE cluster_meta (
            name  TEXT PRIMARY KEY,
            value BLOB NOT NULL,
            docs  INTEGER NOT NULL DEFAULT 0
        )
        """,
    )


#: One step per schema version; index ``i`` upgrades version ``i`` to ``i + 1``.
MIGRATIONS: list[Migration] = [_v1_initial, _v2_verdicts, _v3_evidence, _v4_clusters]

#: The version this trafficscan writes.
SCHEMA_VERSION = len(MIGRATIONS)

#: Tables version 1 creates; a version-0 file holding other tables is someone else's database.
KNOWN_TABLES = frozenset({"scans", "postings", "contacts", "posting_contacts"})


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements inside the caller's transaction.

    Not ``executescript``: on Python 3.11 it COMMITs any open transaction first, which would
    make a half-applied migration durable. Statements must not contain ``;`` in comments or
    string literals (ours do not).
    """
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None) -> list[int]:
    """Run every step from the file's version to the newest; return the versions reached.

    Each step and its ``user_version`` bump commit together (SQLite DDL is transactional), so a
    crash mid-migration leaves the file at the previous version, and the next open redoes the
    step. ``BEGIN IMMEDIATE`` takes the write lock first, so two processes cannot both run it
    (the file lock already ensures that; this is belt and braces for a reader-only opener).
    """
    steps = MIGRATIONS if migrations is None else migrations
    reached: list[int] = []
    while (version := user_version(conn)) < len(steps):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) != version:  # someone else migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            steps[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        reached.append(version + 1)
    return reached
