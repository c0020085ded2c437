import Foundation
import RetainStore
import Testing

@Suite struct PostgresSettingsTests {
    @Test func aURLGivesEveryPartAndItsDefaults() throws {
        let settings = try PostgresSettings(
            url: "postgresql://shop%40eu:p%2Fw@db.internal:6543/retain?sslmode=verify-full&pool_size=16&search_path=eu")
        #expect(settings.host == "db.internal" && settings.port == 6543)
        #expect(settings.username == "shop@eu" && settings.password == "p/w")
        #expect(settings.database == "retain" && settings.tls == .verifyFull)
        #expect(settings.poolSize == 16 && settings.searchPath == "eu" && settings.connectTimeout == 10)
        #expect(!settings.displayName.contains("p/w") && !settings.displayName.contains("p%2Fw"))

        let plain = try PostgresSettings(url: "postgres://db")
        #expect(plain.port == 5432 && plain.username == "postgres" && plain.database == "postgres")
        #expect(plain.tls == .prefer && plain.poolSize == 10 && plain.searchPath == nil)
        #expect(try DatabaseLocation("postgres://db") == .postgres(plain))
        #expect(try DatabaseLocation("sqlite:shop.sqlite") == .sqlite(path: "shop.sqlite"))
        #expect(try DatabaseLocation("shop.sqlite") == .sqlite(path: "shop.sqlite"))
    }

    @Test func badParametersAreRefusedWithTheirNameAndNeverShowThePassword() {
        let cases = [
            ("postgres://u:secret@db/x?sslmode=always", "sslmode=always"),
            ("postgres://u:secret@db/x?pool_size=1", "pool_size=1"),
            ("postgres://u:secret@db/x?connect_timeout=0", "connect_timeout=0"),
            ("postgres://u:secret@db/x?search_path=Drop;Table", "search_path"),
            ("postgres://u:secret@db/x?colour=blue", "unknown parameter colour"),
            ("postgres://u:secret@/x", "names no host"),
        ]
        for (url, expected) in cases {
            let error = #expect(throws: StoreError.self) { try PostgresSettings(url: url) }
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains(expected), "\(url): \(text)")
            #expect(!text.contains("secret"), "\(url): \(text)")
        }
    }
}
