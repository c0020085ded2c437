import RetainCore

/// Failures of the store itself (not of the business rules).
public enum StoreError: Error, CustomStringConvertible, Sendable, TemporaryFailure {
    /// The database cannot be opened or reached.
    case unavailable(String)
    /// Other transactions kept winning: the write was retried as often as allowed and then given up, unapplied.
    case busy(String)
    /// The database was migrated by a newer Retain than this one.
    case schemaTooNew(database: Int, supported: Int)
    /// A stored document could not be read back.
    case corrupt(String)

    public var description: String {
        switch self {
        case .unavailable(let detail): return detail
        case .busy(let detail): return detail
        case .schemaTooNew(let database, let supported):
            return "the database schema is version \(database) but this retain knows up to \(supported): "
                + "upgrade retain, or point it at another database"
        case .corrupt(let detail): return "stored data could not be read: \(detail)"
        }
    }

    public var isTemporary: Bool {
        switch self {
        case .unavailable, .busy: return true
        case .schemaTooNew, .corrupt: return false
        }
    }
}
