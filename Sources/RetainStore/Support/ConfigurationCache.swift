import RetainCore
import Synchronization

/// The newest decoded program version of each program, shared by the sessions of one store. A committed version
/// never changes, so a session that finds the newest version number already here skips reading and decoding its
/// documents: every order batch needs the rules and the configuration, and reading both was two of a batch's
/// round trips and a twentieth of the CPU of an order on PostgreSQL.
final class ConfigurationCache: Sendable {
    private let newest = Mutex<[String: ConfigurationVersion]>([:])

    /// The cached version `number` of `program`, if that is the one held.
    func version(_ number: Int, of program: String) -> ConfigurationVersion? {
        guard let cached = newest.withLock({ $0[program] }), cached.version == number else { return nil }
        return cached
    }

    /// Keeps `version` unless a newer one of the program is held. Only committed versions belong here: a session
    /// that wrote a version does not offer it (its transaction may still roll back, and the number be reused).
    func remember(_ version: ConfigurationVersion, of program: String) {
        newest.withLock { cached in
            if (cached[program]?.version ?? -1) < version.version { cached[program] = version }
        }
    }
}
