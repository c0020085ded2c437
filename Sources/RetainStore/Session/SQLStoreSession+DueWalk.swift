import RetainCore
import SQLKit

/// Shared parts of the scheduled job's walks over what fell due (expired lots, memberships due a review).
extension SQLStoreSession {
    /// `AND (due, id) > (cursor)` for a walk ordered by the two columns, or nothing on the first page. The plain
    /// `due >=` bound comes first so that both engines start the index range at the cursor.
    static func after(_ cursor: DueCursor?, due: String, id: String) -> SQLQueryString {
        guard let cursor else { return "" }
        let millis = StoreCoding.millis(cursor.due)
        return """
            AND \(ident: due) >= \(bind: millis)
            AND (\(ident: due), \(ident: id)) > (\(bind: millis), \(bind: cursor.id))
            """
    }

    /// Each id once, in the order first seen (a customer has several lots due at different times).
    static func firstSeen(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }
}
