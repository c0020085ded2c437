/// Every table of the schema with its columns and primary key, each table after the tables it references. `retain
/// copy` moves them in this order; a test checks this list against the migrated schema, so a migration that adds
/// a column without adding it here fails.
enum StoreTables {
    struct Table: Sendable {
        let name: String
        let key: [String]
        /// TEXT columns (documents, ids, codes).
        let text: [String]
        /// BIGINT columns (instants in milliseconds, money, points, counters).
        let integers: [String]

        var columns: [String] { text + integers }
    }

    static let all: [Table] = [
        Table(name: "programs", key: ["id"], text: ["id", "name", "settings"], integers: ["created_at"]),
        Table(
            name: "api_keys", key: ["id"], text: ["id", "program_id", "name", "prefix", "hash", "scope"],
            integers: ["created_at", "revoked_at"]),
        Table(
            name: "program_configs", key: ["program_id", "version"], text: ["program_id", "doc", "rules", "actor"],
            integers: ["version", "created_at"]),
        Table(
            name: "earning_rules", key: ["program_id", "id"], text: ["program_id", "id", "doc"],
            integers: ["updated_at"]),
        Table(
            name: "customers", key: ["program_id", "id"],
            text: ["program_id", "id", "external_id", "card_number", "email", "phone", "name_key", "doc", "birth_md"],
            integers: ["created_at", "updated_at"]),
        Table(
            name: "memberships", key: ["program_id", "customer_id"],
            text: ["program_id", "customer_id", "tier_id", "doc"],
            integers: ["due_at", "updated_at"]),
        Table(
            name: "orders", key: ["program_id", "order_id"],
            text: ["program_id", "order_id", "customer_id", "status", "request_hash", "response", "doc"],
            integers: ["placed_at", "total", "points_earned", "created_at"]),
        Table(
            name: "order_returns", key: ["program_id", "return_id"],
            text: ["program_id", "return_id", "order_id", "customer_id", "request_hash", "doc"],
            integers: ["amount", "points_reversed", "returned_at", "created_at"]),
        Table(
            name: "events", key: ["program_id", "event_id"],
            text: ["program_id", "event_id", "name", "customer_id", "doc"],
            integers: ["occurred_at", "points_awarded", "created_at"]),
        Table(
            name: "ledger_entries", key: ["program_id", "id"],
            text: [
                "program_id", "id", "customer_id", "kind", "reason", "source_type", "source_id", "actor", "lot_id",
                "rule_id",
            ],
            integers: ["points", "at", "created_at", "program_version"]),
        Table(
            name: "point_lots", key: ["program_id", "id"], text: ["program_id", "id", "customer_id", "entry_id"],
            integers: ["points", "remaining", "awarded_at", "matures_at", "expires_at", "renews"]),
        Table(
            name: "lot_draws", key: ["program_id", "entry_id", "lot_id"], text: ["program_id", "entry_id", "lot_id"],
            integers: ["points"]),
        Table(
            name: "idempotency_keys", key: ["program_id", "scope", "key"],
            text: ["program_id", "scope", "key", "request_hash", "response"], integers: ["created_at"]),
        Table(
            name: "redemptions", key: ["program_id", "id"],
            text: [
                "program_id", "id", "customer_id", "idempotency_key", "currency", "order_id", "reward_id", "entry_id",
            ],
            integers: ["points", "amount", "created_at"]),
        Table(
            name: "reward_instances", key: ["program_id", "id"],
            text: ["program_id", "id", "code", "customer_id", "reward_id", "status", "doc"],
            integers: ["expires_at", "created_at"]),
    ]

    /// Tables that hold the state of running processes rather than the business's data; `retain copy` leaves them.
    static let processState: Set<String> = ["job_leases", "schema_migrations"]
}
