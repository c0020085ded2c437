/// The schema, as numbered migrations applied in order and recorded in `schema_migrations`.
///
/// The SQL is the portable subset SQLite and PostgreSQL (and the distributed engines that speak its dialect)
/// share: TEXT and BIGINT columns, composite primary keys led by `program_id`, no sequences, no triggers, no
/// engine-specific types. Instants are BIGINT milliseconds since 1970 UTC; documents are JSON in TEXT.
enum Migrations {
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(
            version: 1, name: "ledger foundation",
            statements: [
                """
                CREATE TABLE programs (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, settings TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY, program_id TEXT NOT NULL REFERENCES programs (id), name TEXT NOT NULL,
                    prefix TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, created_at BIGINT NOT NULL,
                    revoked_at BIGINT)
                """,
                "CREATE INDEX api_keys_program ON api_keys (program_id)",
                """
                CREATE TABLE customers (
                    program_id TEXT NOT NULL REFERENCES programs (id), id TEXT NOT NULL, external_id TEXT,
                    card_number TEXT, email TEXT, phone TEXT, name_key TEXT, doc TEXT NOT NULL,
                    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, id))
                """,
                "CREATE UNIQUE INDEX customers_external_id ON customers (program_id, external_id)",
                "CREATE UNIQUE INDEX customers_card_number ON customers (program_id, card_number)",
                "CREATE UNIQUE INDEX customers_email ON customers (program_id, email)",
                "CREATE UNIQUE INDEX customers_phone ON customers (program_id, phone)",
                "CREATE INDEX customers_name ON customers (program_id, name_key)",
                """
                CREATE TABLE orders (
                    program_id TEXT NOT NULL REFERENCES programs (id), order_id TEXT NOT NULL, customer_id TEXT,
                    status TEXT NOT NULL, placed_at BIGINT NOT NULL, total BIGINT NOT NULL, points_earned BIGINT NOT NULL,
                    request_hash TEXT NOT NULL, response TEXT, doc TEXT NOT NULL, created_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, order_id))
                """,
                "CREATE INDEX orders_customer ON orders (program_id, customer_id, placed_at)",
                """
                CREATE TABLE order_returns (
                    program_id TEXT NOT NULL REFERENCES programs (id), return_id TEXT NOT NULL, order_id TEXT NOT NULL,
                    customer_id TEXT, amount BIGINT NOT NULL, points_reversed BIGINT NOT NULL, returned_at BIGINT NOT NULL,
                    request_hash TEXT NOT NULL, doc TEXT NOT NULL, created_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, return_id))
                """,
                "CREATE INDEX order_returns_order ON order_returns (program_id, order_id)",
                """
                CREATE TABLE events (
                    program_id TEXT NOT NULL REFERENCES programs (id), event_id TEXT NOT NULL, name TEXT NOT NULL,
                    customer_id TEXT NOT NULL, occurred_at BIGINT NOT NULL, points_awarded BIGINT NOT NULL,
                    doc TEXT NOT NULL, created_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, event_id))
                """,
                "CREATE INDEX events_customer ON events (program_id, customer_id, occurred_at)",
                """
                CREATE TABLE ledger_entries (
                    program_id TEXT NOT NULL REFERENCES programs (id), id TEXT NOT NULL, customer_id TEXT NOT NULL,
                    kind TEXT NOT NULL, points BIGINT NOT NULL, reason TEXT NOT NULL, source_type TEXT NOT NULL,
                    source_id TEXT, actor TEXT, at BIGINT NOT NULL, lot_id TEXT, rule_id TEXT, created_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, id))
                """,
                "CREATE INDEX ledger_entries_customer ON ledger_entries (program_id, customer_id, at, id)",
                "CREATE INDEX ledger_entries_rule ON ledger_entries (program_id, customer_id, rule_id, at)",
                """
                CREATE TABLE point_lots (
                    program_id TEXT NOT NULL REFERENCES programs (id), id TEXT NOT NULL, customer_id TEXT NOT NULL,
                    points BIGINT NOT NULL, remaining BIGINT NOT NULL, awarded_at BIGINT NOT NULL,
                    matures_at BIGINT NOT NULL, expires_at BIGINT, entry_id TEXT NOT NULL,
                    PRIMARY KEY (program_id, id),
                    CHECK (remaining >= 0 AND remaining <= points))
                """,
                "CREATE INDEX point_lots_open ON point_lots (program_id, customer_id) WHERE remaining > 0",
                "CREATE INDEX point_lots_expiry ON point_lots (program_id, expires_at) WHERE remaining > 0",
                """
                CREATE TABLE lot_draws (
                    program_id TEXT NOT NULL REFERENCES programs (id), entry_id TEXT NOT NULL, lot_id TEXT NOT NULL,
                    points BIGINT NOT NULL,
                    PRIMARY KEY (program_id, entry_id, lot_id))
                """,
                """
                CREATE TABLE earning_rules (
                    program_id TEXT NOT NULL REFERENCES programs (id), id TEXT NOT NULL, doc TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, id))
                """,
                """
                CREATE TABLE idempotency_keys (
                    program_id TEXT NOT NULL REFERENCES programs (id), scope TEXT NOT NULL, key TEXT NOT NULL,
                    request_hash TEXT NOT NULL, response TEXT NOT NULL, created_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, scope, key))
                """,
                """
                CREATE TABLE redemptions (
                    program_id TEXT NOT NULL REFERENCES programs (id), id TEXT NOT NULL, customer_id TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL, points BIGINT NOT NULL, amount BIGINT NOT NULL, currency TEXT NOT NULL,
                    order_id TEXT, reward_id TEXT, entry_id TEXT NOT NULL, created_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, id))
                """,
                "CREATE UNIQUE INDEX redemptions_key ON redemptions (program_id, idempotency_key)",
            ]),
        Migration(
            version: 2, name: "program versions and memberships",
            statements: [
                """
                CREATE TABLE program_configs (
                    program_id TEXT NOT NULL REFERENCES programs (id), version BIGINT NOT NULL, doc TEXT NOT NULL,
                    rules TEXT NOT NULL, actor TEXT, created_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, version))
                """,
                """
                CREATE TABLE memberships (
                    program_id TEXT NOT NULL REFERENCES programs (id), customer_id TEXT NOT NULL, tier_id TEXT,
                    due_at BIGINT, doc TEXT NOT NULL, updated_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, customer_id))
                """,
                "CREATE INDEX memberships_due ON memberships (program_id, due_at)",
                "CREATE INDEX memberships_tier ON memberships (program_id, tier_id)",
            ]),
        Migration(
            version: 3, name: "reward instances, expiry on inactivity, birthdays, entry versions",
            statements: [
                "ALTER TABLE point_lots ADD COLUMN renews BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE customers ADD COLUMN birth_md TEXT",
                "ALTER TABLE ledger_entries ADD COLUMN program_version BIGINT",
                "CREATE INDEX customers_birth_md ON customers (program_id, birth_md)",
                "CREATE INDEX customers_created ON customers (program_id, created_at)",
                """
                CREATE TABLE reward_instances (
                    program_id TEXT NOT NULL REFERENCES programs (id), id TEXT NOT NULL, code TEXT NOT NULL,
                    customer_id TEXT NOT NULL, reward_id TEXT NOT NULL, status TEXT NOT NULL,
                    expires_at BIGINT NOT NULL, doc TEXT NOT NULL, created_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, id))
                """,
                "CREATE UNIQUE INDEX reward_instances_code ON reward_instances (program_id, code)",
                "CREATE INDEX reward_instances_customer ON reward_instances (program_id, customer_id, created_at)",
                "CREATE INDEX reward_instances_reward ON reward_instances (program_id, reward_id, status)",
                "CREATE INDEX reward_instances_due ON reward_instances (program_id, status, expires_at)",
            ]),
        Migration(
            version: 4, name: "job leases for several processes on one database",
            statements: [
                """
                CREATE TABLE job_leases (
                    program_id TEXT NOT NULL REFERENCES programs (id), job TEXT NOT NULL, holder TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    PRIMARY KEY (program_id, job))
                """
            ]),
        Migration(
            // The scheduled job walks what fell due in order of date then id; with the id in the index neither
            // engine sorts the due rows for each page, and a daily run reads only what is due.
            version: 5, name: "the scheduled job's indexes in the order it walks them",
            statements: [
                "DROP INDEX point_lots_expiry",
                "CREATE INDEX point_lots_expiry ON point_lots (program_id, expires_at, id) WHERE remaining > 0",
                "DROP INDEX memberships_due",
                "CREATE INDEX memberships_due ON memberships (program_id, due_at, customer_id)",
            ]),
    ]

    static var latestVersion: Int { all.map(\.version).max() ?? 0 }
}
