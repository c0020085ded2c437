import Foundation
import RetainCore
import RetainServices
import RetainStore
import Testing

/// The whole service stack on a fresh database (a SQLite file, or a PostgreSQL schema): real store, real
/// migrations, a manual clock and sequential ids.
struct TestStack: Sendable {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let eur = Currency(code: "EUR")!
    static let day: TimeInterval = 86_400

    let backend: TestBackend
    let provider: any DatabaseProvider
    let store: SQLLoyaltyStore
    let clock: ManualClock
    let environment: ServiceEnvironment
    let administration: Administration
    let service: LoyaltyService
    let program = Program.defaultID

    var now: Date { clock.now() }

    /// Changes the default program's settings (start from `ProgramSettings(currency: eur)`).
    func configure(_ change: (inout ProgramSettings) -> Void) async throws {
        var settings = try await administration.program(program).settings
        change(&settings)
        _ = try await administration.updateSettings(program: program, settings)
    }

    func setRules(_ rules: [EarningRule], program: String? = nil) async throws {
        _ = try await service.replaceRules(program: program ?? self.program, RuleSet(rules: rules))
    }

    func advance(days: Double) { clock.advance(by: days * Self.day) }

    // MARK: Customers and points

    @discardableResult
    func customer(email: String? = nil, externalID: String? = nil, program: String? = nil) async throws -> String {
        var fields = CustomerFields()
        fields.email = email
        fields.externalID = externalID
        return try await service.createCustomer(program: program ?? self.program, fields: fields, idempotencyKey: nil)
            .customer.id
    }

    /// Adds points by an admin adjustment (spendable at once).
    @discardableResult
    func grant(_ points: Int64, to customerID: String, expiresAfterDays: Int? = nil, key: String = UUID().uuidString)
        async throws -> AdjustmentResult
    {
        try await service.adjust(
            program: program, customerID: customerID,
            AdjustmentRequest(points: points, reason: "test grant", expiresAfterDays: expiresAfterDays),
            actor: "tests", idempotencyKey: key)
    }

    func wallet(_ customerID: String, program: String? = nil) async throws -> WalletSummary {
        try await service.wallet(program: program ?? self.program, customerID: customerID)
    }

    /// Every ledger entry of the customer, oldest first, read page by page through the service.
    func entries(_ customerID: String, program: String? = nil) async throws -> [LedgerEntry] {
        var all: [LedgerEntry] = []
        var before: String?
        repeat {
            let page = try await service.ledger(
                program: program ?? self.program, customerID: customerID, limit: 7,
                before: before)
            all += page.entries
            before = page.nextBefore
        } while before != nil
        return all.reversed()
    }

    /// The balance as the database sums it (`SUM(points)` over `ledger_entries`).
    func ledgerSum(_ customerID: String, program: String? = nil) async throws -> Int64 {
        try await store.read(program: program ?? self.program) { session in
            try await session.balance(customerID: customerID)
        }
    }

    func openLots(_ customerID: String, program: String? = nil) async throws -> [PointLot] {
        try await store.read(program: program ?? self.program) { session in
            try await session.openLots(customerIDs: [customerID])
        }
    }

    /// Checks ledger sum == wallet balance == open lots, and ≥ 0; returns the balance.
    @discardableResult
    func checkBalance(_ customerID: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int64 {
        let sum = try await ledgerSum(customerID)
        let paged = try await entries(customerID).reduce(Int64(0)) { $0 + $1.points }
        let wallet = try await wallet(customerID).balance
        let lots = try await openLots(customerID).reduce(Int64(0)) { $0 + $1.remaining }
        #expect(
            sum == paged && sum == wallet && sum == lots, "sum \(sum) paged \(paged) wallet \(wallet) lots \(lots)",
            sourceLocation: sourceLocation)
        #expect(sum >= 0, sourceLocation: sourceLocation)
        return sum
    }

    // MARK: Orders

    func order(
        _ id: String, _ customer: CustomerReference, total: Int64? = nil, lines: [OrderLine] = [],
        placedAt: Date? = nil,
        currency: String = "EUR"
    ) -> OrderInput {
        OrderInput(
            orderID: id, customer: customer, placedAt: placedAt ?? now, currency: currency, lines: lines,
            total: lines.isEmpty ? total : nil)
    }

    @discardableResult
    func record(_ input: OrderInput, program: String? = nil) async throws -> OrderResult {
        try await service.recordOrder(program: program ?? self.program, input)
    }

    @discardableResult
    func returnOrder(_ orderID: String, _ input: ReturnInput) async throws -> ReturnResult {
        try await service.recordReturn(program: program, orderID: orderID, input)
    }

    @discardableResult
    func redeem(_ customerID: String, _ request: RedemptionRequest, key: String = UUID().uuidString) async throws
        -> RedemptionResult
    {
        try await service.redeem(program: program, customerID: customerID, request, idempotencyKey: key)
    }
}

/// One point per 1.00 EUR, rounded down.
let onePerEuro = EarningRule(
    id: "base", name: "1 per 1.00", kind: .pointsPerAmount, priority: 10, points: 1,
    perAmount: 100)

/// Builds a stack on a new empty database and runs `body` on it — once on every available engine (SQLite, and
/// PostgreSQL when the tests have a server), so that every service test is also a contract test of both stores.
func withStack<T: Sendable>(
    settings: ProgramSettings? = nil, rules: [EarningRule] = [], _ body: (TestStack) async throws -> T
) async throws -> T {
    try await forEachBackend { backend in
        try await backend.withEmptyDatabase { provider in
            try await Migrator(provider: provider).migrate()
            let store = SQLLoyaltyStore(provider: provider)
            let clock = ManualClock(TestStack.start)
            let environment = ServiceEnvironment(store: store, clock: clock, ids: SequentialIDGenerator())
            let administration = Administration(environment: environment)
            try await administration.ensureDefaultProgram(currency: TestStack.eur)
            let stack = TestStack(
                backend: backend, provider: provider, store: store, clock: clock, environment: environment,
                administration: administration, service: LoyaltyService(environment: environment))
            if let settings { _ = try await administration.updateSettings(program: stack.program, settings) }
            if !rules.isEmpty { try await stack.setRules(rules) }
            return try await body(stack)
        }
    }
}

func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("retain-test-\(UUID().uuidString).sqlite").path
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

/// The error `body` throws, or nil when it returns.
func caught(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

extension Optional where Wrapped == any Error {
    /// The refusal code when this is `DomainError.refused`.
    var refusalCode: String? {
        if case .refused(let code, _)? = self as? DomainError { return code }
        return nil
    }

    /// The fields named when this is `DomainError.invalid`.
    var invalidFields: [String]? {
        if case .invalid(let issues)? = self as? DomainError { return issues.map(\.field) }
        return nil
    }

    var isConflict: Bool {
        if case .conflict? = self as? DomainError { return true }
        return false
    }

    var isNotFound: Bool {
        if case .notFound? = self as? DomainError { return true }
        return false
    }
}
