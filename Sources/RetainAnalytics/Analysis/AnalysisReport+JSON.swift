import Foundation

extension AnalysisReport {
    /// The report as one JSON document: snake_case keys, sorted, pretty-printed (docs/analytics.md lists them).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Every rate that cannot be computed is null, not NaN; this only keeps a surprise from becoming a crash.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(self)
    }
}
