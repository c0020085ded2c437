import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("retain serve")
struct ServeCommandTests {
    @Test("first start prints a key once, serves requests, and stops cleanly on SIGTERM")
    func serveAndStop() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
            let (process, log) = try start(database: database, folder: folder)
            defer { if process.isRunning { process.terminate() } }
            let output = try await waitFor("listening on", in: log)
            let secret = try #require(firstKey(in: output))
            let port = try #require(listeningPort(in: output))

            let health = try await get("http://127.0.0.1:\(port)/health")
            #expect(health.status == 200)
            #expect(health.body.contains("\"status\":\"ok\""))
            let unauthorized = try await get("http://127.0.0.1:\(port)/v1/program")
            #expect(unauthorized.status == 401)
            #expect(unauthorized.contentType == "application/problem+json")
            let program = try await get("http://127.0.0.1:\(port)/v1/program", key: secret)
            #expect(program.status == 200)
            #expect(program.body.contains("\"id\":\"default\""))

            let order =
                #"{"order_id":"M-1","customer":{"email":"m@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":1000}"#
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/orders")!)
            request.httpMethod = "POST"
            request.httpBody = Data(order.utf8)
            request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
            _ = try await URLSession.shared.data(for: request)
            let metrics = try await get("http://127.0.0.1:\(port)/metrics")
            #expect(metrics.body.contains("http_server_request_duration_bucket{http_route=\"/health\""))
            #expect(metrics.body.contains("retain_orders_total{outcome=\"recorded\"} 1"))

            process.terminate()  // SIGTERM
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let final = try String(contentsOf: log, encoding: .utf8)
            #expect(final.contains("retain stopped"))

            // A second start finds the key and prints no new one.
            let (again, secondLog) = try start(
                database: database, folder: folder, logName: "second.log", logLevel: "info")
            defer { if again.isRunning { again.terminate() } }
            let secondOutput = try await waitFor("listening on", in: secondLog)
            #expect(!secondOutput.contains("rtn_"))
            // The analytics job runs at start and finds the order of the first run.
            _ = try await waitFor("analytics of program default computed", in: secondLog)
            #expect(try String(contentsOf: secondLog, encoding: .utf8).contains("purchases 1, customers 1"))
            again.terminate()
            again.waitUntilExit()
        }
    }

    @Test("SIGTERM during a burst of orders: every acknowledged order is stored, and the server exits cleanly")
    func shutdownUnderLoad() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
            let (process, log) = try start(database: database, folder: folder)
            defer { if process.isRunning { process.terminate() } }
            let output = try await waitFor("listening on", in: log)
            let secret = try #require(firstKey(in: output))
            let port = try #require(listeningPort(in: output))

            let answered = Tally()
            let acknowledged = await withTaskGroup(of: String?.self) { group in
                group.addTask {
                    // SIGTERM once the first answers are back, while the rest are still in flight.
                    for _ in 0..<5_000 where await answered.count < 3 { try? await Task.sleep(for: .milliseconds(2)) }
                    process.terminate()
                    return nil
                }
                for index in 0..<120 {
                    group.addTask {
                        let order =
                            #"{"order_id":"B-\#(index)","customer":{"email":"c\#(index % 7)@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":1000}"#
                        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/orders")!)
                        request.httpMethod = "POST"
                        request.httpBody = Data(order.utf8)
                        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
                        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
                        await answered.add()
                        return (response as? HTTPURLResponse)?.statusCode == 201 ? "B-\(index)" : nil
                    }
                }
                var ids: [String] = []
                for await id in group { if let id { ids.append(id) } }
                return ids
            }
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(!acknowledged.isEmpty)

            let (again, secondLog) = try start(database: database, folder: folder, logName: "after.log")
            defer { if again.isRunning { again.terminate() } }
            let restarted = try await waitFor("listening on", in: secondLog)
            let newPort = try #require(listeningPort(in: restarted))
            for id in acknowledged {
                #expect(
                    try await get("http://127.0.0.1:\(newPort)/v1/orders/\(id)", key: secret).status == 200,
                    "\(id) was acknowledged but is missing")
            }
            again.terminate()
            again.waitUntilExit()
        }
    }

    actor Tally {
        private(set) var count = 0
        func add() { count += 1 }
    }

    /// The admin key `serve` prints on its first start.
    func firstKey(in output: String) -> String? {
        output.firstMatch(of: /rtn_[0-9A-Z]{40}/).map { String($0.output) }
    }

    /// The port `serve` says it listens on (it was started with `--port 0`).
    func listeningPort(in output: String) -> String? {
        output.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/).map { String($0.output.1) }
    }

    func start(database: String, folder: URL, logName: String = "serve.log", logLevel: String = "warning") throws
        -> (Process, URL)
    {
        let log = folder.appendingPathComponent(logName)
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = ["serve", "--database", database, "--port", "0", "--log-level", logLevel]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, log)
    }

    func waitFor(_ text: String, in log: URL) async throws -> String {
        for _ in 0..<200 {
            let content = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if content.contains(text) { return content }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the server did not print \(text) within 10 s")
        return (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    func get(_ url: String, key: String? = nil) async throws -> (status: Int, body: String, contentType: String?) {
        var request = URLRequest(url: URL(string: url)!)
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Content-Type"))
    }
}
