import Foundation
import RetainCore

/// Programs and API keys: what the operator of an instance manages (from the CLI), and how a request's key is
/// checked.
public struct Administration: Sendable {
    public let environment: ServiceEnvironment
    private let keyCache = LockedCache<String, (APIKey?, Date)>()

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }

    var instance: any InstanceRepository { environment.store.instance }

    /// Creates the `default` program on first start, in `currency`.
    @discardableResult
    public func ensureDefaultProgram(currency: Currency) async throws -> Program {
        if let existing = try await instance.program(id: Program.defaultID) { return existing }
        let program = Program(
            id: Program.defaultID, name: "Default program", settings: ProgramSettings(currency: currency),
            createdAt: environment.clock.now())
        try await instance.insertProgram(program)
        return program
    }

    public func createProgram(id: String, name: String, settings: ProgramSettings) async throws -> Program {
        try Program.validateID(id)
        try settings.validate()
        if try await instance.program(id: id) != nil { throw DomainError.conflict("program \(id) exists") }
        let program = Program(id: id, name: name, settings: settings, createdAt: environment.clock.now())
        try await instance.insertProgram(program)
        return program
    }

    public func programs() async throws -> [Program] { try await instance.programs() }

    public func program(_ id: String) async throws -> Program { try await environment.programs.program(id) }

    public func updateSettings(program id: String, _ settings: ProgramSettings, name: String? = nil) async throws
        -> Program
    {
        try settings.validate()
        var program = try await environment.programs.program(id)
        if settings.currency != program.settings.currency {
            throw DomainError.invalid(
                "currency", "cannot change from \(program.settings.currency.code): points were earned in it")
        }
        program.settings = settings
        if let name { program.name = name }
        try await instance.updateProgram(program)
        environment.programs.forget(id)
        return program
    }

    /// A new key; the secret is returned once and only its hash is kept.
    public func createKey(program: String, name: String, scope: Scope) async throws -> (secret: String, key: APIKey) {
        _ = try await environment.programs.program(program)
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(trimmed.count) else { throw DomainError.invalid("name", "must be 1–100 characters") }
        let made = APIKey.generate(
            programID: program, name: trimmed, scope: scope, ids: environment.ids,
            now: environment.clock.now())
        try await instance.insertKey(made.key)
        return made
    }

    public func keys(program: String?) async throws -> [APIKey] { try await instance.keys(programID: program) }

    public func revokeKey(id: String) async throws {
        guard try await instance.revokeKey(id: id, at: environment.clock.now()) else {
            throw DomainError.notFound(what: "key", id: id)
        }
    }

    /// The live key for a secret, or nil. Looked-up keys are cached for 5 seconds, so a key revoked from another
    /// process stops working within 5 seconds.
    public func authenticate(secret: String) async throws -> APIKey? {
        let hash = SHA256.hex(secret)
        if let (key, loaded) = keyCache[hash], Date().timeIntervalSince(loaded) < 5 {
            return key?.revokedAt == nil ? key : nil
        }
        let key = try await instance.key(hash: hash)
        keyCache[hash] = (key, Date())
        return key?.revokedAt == nil ? key : nil
    }
}
