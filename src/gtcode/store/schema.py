"""The study database schema as numbered migrations.

Each migration is applied once, inside one transaction, and recorded in
``schema_migrations``. Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "initial",
        """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL DEFAULT 0,
    description TEXT
);

CREATE TABLE attributes (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    type     TEXT NOT NULL DEFAULT 'text'
             CHECK (type IN ('text', 'integer', 'float', 'boolean', 'date')),
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE case_attributes (
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    attribute_id INTEGER NOT NULL REFERENCES attributes(id) ON DELETE CASCADE,
    value        TEXT,
    PRIMARY KEY (case_id, attribute_id)
);

CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    original_path TEXT,
    kind          TEXT NOT NULL,
    encoding      TEXT,
    raw_hash      TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    text          TEXT NOT NULL,
    metadata      TEXT NOT NULL DEFAULT '{}',
    language      TEXT,
    position      INTEGER NOT NULL DEFAULT 0,
    case_id       INTEGER REFERENCES cases(id) ON DELETE SET NULL,
    imported_at   TEXT NOT NULL
);

CREATE TABLE segments (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    speaker   TEXT,
    role      TEXT CHECK (role IN ('interviewer', 'respondent', 'unknown')),
    line      INTEGER,
    kind      TEXT NOT NULL DEFAULT 'turn',
    UNIQUE (source_id, idx),
    CHECK (start <= end)
);
CREATE INDEX segments_source ON segments(source_id, start);

CREATE TABLE codebooks (
    hash      TEXT PRIMARY KEY,
    name      TEXT,
    version   TEXT,
    path      TEXT,
    loaded_at TEXT NOT NULL
);

CREATE TABLE codes (
    id          TEXT PRIMARY KEY,
    parent      TEXT,
    level       TEXT,
    name        TEXT NOT NULL,
    name_en     TEXT,
    color       TEXT,
    description TEXT,
    paradigm    TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    origin      TEXT NOT NULL DEFAULT 'codebook',
    guid        TEXT
);

CREATE TABLE coders (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('rule', 'human', 'model', 'import')),
    guid TEXT
);

CREATE TABLE codings (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    segment_id    INTEGER REFERENCES segments(id) ON DELETE SET NULL,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    code_id       TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('rule', 'human', 'model', 'import')),
    coder         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),
    codebook_hash TEXT,
    evidence      TEXT,
    guid          TEXT,
    orphaned      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (start <= end)
);
CREATE INDEX codings_segment ON codings(segment_id);
CREATE INDEX codings_source ON codings(source_id, start);
CREATE INDEX codings_code ON codings(code_id);
CREATE UNIQUE INDEX codings_unique
    ON codings(source_id, start, end, code_id, origin, coder);

-- The audit trail of coding decisions: append-only, enforced by triggers.
CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    coder      TEXT NOT NULL,
    action     TEXT NOT NULL,
    segment_id INTEGER,
    code_id    TEXT,
    via        TEXT,
    details    TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

CREATE TABLE memos (
    id          INTEGER PRIMARY KEY,
    target_type TEXT NOT NULL
                CHECK (target_type IN ('study', 'code', 'case', 'source', 'segment')),
    target      TEXT,
    author      TEXT NOT NULL,
    title       TEXT,
    text        TEXT NOT NULL,
    origin      TEXT NOT NULL DEFAULT 'cli',
    guid        TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX memos_target ON memos(target_type, target);

CREATE TABLE sets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    guid        TEXT
);

CREATE TABLE set_members (
    set_id      INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    member_type TEXT NOT NULL CHECK (member_type IN ('code', 'source', 'case')),
    member      TEXT NOT NULL,
    PRIMARY KEY (set_id, member_type, member)
);

CREATE TABLE candidates (
    id          INTEGER PRIMARY KEY,
    phrase      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('invivo', 'proposed')),
    proposed_by TEXT NOT NULL,
    segment_id  INTEGER REFERENCES segments(id) ON DELETE SET NULL,
    score       REAL,
    note        TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE storyline (
    key        TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    author     TEXT,
    edited     INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
""",
    ),
    (
        2,
        "lean rule suggestions",
        """
-- Rule suggestions are derived data, rewritten by every `gtcode open`: they get
-- a table of their own with only what varies per suggestion. The codebook hash
-- and the time of the run are kept once, in meta (rule_codebook_hash,
-- rule_coded_at). Read every coding, human or rule, through all_codings.
CREATE TABLE rule_codings (
    id         INTEGER PRIMARY KEY,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    code_id    TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    UNIQUE (segment_id, code_id)
);

INSERT INTO meta(key, value)
    SELECT 'rule_codebook_hash', codebook_hash FROM codings
    WHERE origin = 'rule' AND codebook_hash IS NOT NULL ORDER BY id DESC LIMIT 1;
INSERT INTO meta(key, value)
    SELECT 'rule_coded_at', created_at FROM codings
    WHERE origin = 'rule' ORDER BY id DESC LIMIT 1;
INSERT INTO rule_codings(segment_id, code_id, evidence)
    SELECT segment_id, code_id, COALESCE(evidence, '[]') FROM codings
    WHERE origin = 'rule' AND segment_id IS NOT NULL ORDER BY id;
DELETE FROM codings WHERE origin = 'rule' AND segment_id IS NOT NULL;

-- Every coding: the codings table, and each rule suggestion as the row it
-- would be there (its segment's span, origin 'rule', status 'suggested').
-- Rule suggestions have negative ids, so ids never collide.
CREATE VIEW all_codings AS
SELECT id, source_id, segment_id, start, end, code_id, origin, coder, status, codebook_hash,
       evidence, guid, orphaned, created_at, updated_at
FROM codings
UNION ALL
SELECT -r.id, g.source_id, r.segment_id, g.start, g.end, r.code_id, 'rule', 'gtcode-rules',
       'suggested', (SELECT value FROM meta WHERE key = 'rule_codebook_hash'), r.evidence,
       NULL, 0, (SELECT value FROM meta WHERE key = 'rule_coded_at'),
       (SELECT value FROM meta WHERE key = 'rule_coded_at')
FROM rule_codings r JOIN segments g ON g.id = r.segment_id;
""",
    ),
    (
        3,
        "counted codings",
        """
-- Which codings count for analysis, written once: every accepted coding (human
-- or imported), and every machine suggestion unless a human rejected that code
-- on that segment. Every reading that means "the codings that count" (matrices,
-- axial and selective tables, exports, agreement) reads this view.
CREATE VIEW counted_codings AS
SELECT k.* FROM all_codings k
WHERE k.status = 'accepted'
   OR (k.status = 'suggested' AND NOT EXISTS (
       SELECT 1 FROM codings r
       WHERE r.segment_id = k.segment_id AND r.code_id = k.code_id
         AND r.origin = 'human' AND r.status = 'rejected'));
""",
    ),
    (
        4,
        "learned coder",
        """
-- The learned coder (gtcode learn, gtcode open): models trained in the study,
-- the sentence embeddings it computed (by a hash of the text, never the text),
-- and its suggestions. A model suggestion is the one combined machine
-- suggestion for a (segment, code): its evidence holds the rule hits it used,
-- probability and features say why. When the last `gtcode open` used a model
-- (meta machine_coder = 'gtcode-model'), rule suggestions are its evidence and
-- no longer count on their own.
CREATE TABLE models (
    name          TEXT PRIMARY KEY,
    trained_at    TEXT NOT NULL,
    data_hash     TEXT NOT NULL,
    codebook_hash TEXT,
    trained_on    TEXT NOT NULL DEFAULT '{}',
    model         BLOB NOT NULL
);

CREATE TABLE embeddings (
    text_hash TEXT NOT NULL,
    model     TEXT NOT NULL,
    vector    BLOB NOT NULL,
    PRIMARY KEY (text_hash, model)
) WITHOUT ROWID;

CREATE TABLE model_codings (
    id          INTEGER PRIMARY KEY,
    segment_id  INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    code_id     TEXT NOT NULL,
    probability REAL,
    evidence    TEXT NOT NULL,
    features    TEXT NOT NULL DEFAULT '[]',
    UNIQUE (segment_id, code_id)
);

DROP VIEW counted_codings;
DROP VIEW all_codings;

-- Every coding: the codings table, each rule suggestion (negative ids) and each
-- model suggestion (ids below -2**40) as the row it would be there.
CREATE VIEW all_codings AS
SELECT id, source_id, segment_id, start, end, code_id, origin, coder, status, codebook_hash,
       evidence, guid, orphaned, created_at, updated_at
FROM codings
UNION ALL
SELECT -r.id, g.source_id, r.segment_id, g.start, g.end, r.code_id, 'rule', 'gtcode-rules',
       'suggested', (SELECT value FROM meta WHERE key = 'rule_codebook_hash'), r.evidence,
       NULL, 0, (SELECT value FROM meta WHERE key = 'rule_coded_at'),
       (SELECT value FROM meta WHERE key = 'rule_coded_at')
FROM rule_codings r JOIN segments g ON g.id = r.segment_id
UNION ALL
SELECT -(m.id + 1099511627776), g.source_id, m.segment_id, g.start, g.end, m.code_id, 'model',
       'gtcode-model', 'suggested', (SELECT value FROM meta WHERE key = 'model_codebook_hash'),
       m.evidence, NULL, 0, (SELECT value FROM meta WHERE key = 'model_coded_at'),
       (SELECT value FROM meta WHERE key = 'model_coded_at')
FROM model_codings m JOIN segments g ON g.id = m.segment_id;

-- Which codings count: every accepted coding, and every machine suggestion unless a
-- human rejected that code on that segment; rule suggestions only while no model
-- made the machine's suggestions.
CREATE VIEW counted_codings AS
SELECT k.* FROM all_codings k
WHERE (k.status = 'accepted'
       OR (k.status = 'suggested' AND NOT EXISTS (
           SELECT 1 FROM codings r
           WHERE r.segment_id = k.segment_id AND r.code_id = k.code_id
             AND r.origin = 'human' AND r.status = 'rejected')))
  AND NOT (k.origin = 'rule' AND EXISTS (
           SELECT 1 FROM meta WHERE key = 'machine_coder' AND value = 'gtcode-model'));
""",
    ),
    (
        5,
        "blind decisions",
        """
-- Whether each coding decision was made blind: 1 when the sheet it came from
-- showed the coder no machine suggestion and no other coder's decision (gtcode
-- sheet export --blind), 0 when it showed suggestions, NULL when not known
-- (decisions logged before this migration came from sheets that showed them).
-- Agreement reads it to say whether a human coder was independent of the machine.
ALTER TABLE decisions ADD COLUMN blind INTEGER CHECK (blind IN (0, 1));
CREATE INDEX decisions_coder_segment ON decisions(coder, segment_id);
""",
    ),
]

#: The newest schema version this gtcode knows.
SCHEMA_VERSION = MIGRATIONS[-1][0]
