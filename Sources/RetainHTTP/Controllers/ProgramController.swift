import Foundation
import Hummingbird
import RetainCore
import RetainServices

/// `/v1/program`, `/v1/earning-rules`, `/v1/expiry`, `/v1/expiring-points` and `/v1/reports/liability`: how the
/// key's program is set up, and what its points are worth.
struct ProgramController {
    let service: LoyaltyService
    let administration: Administration

    struct ProgramPatch: Decodable {
        var name: String?
        /// Only the settings sent change; the others keep their values.
        var settings: [String: JSONValue]?
    }

    func register(on group: RouterGroup<RetainRequestContext>) {
        group.get("program") { _, context in
            try JSONResponse.make(try await administration.program(try context.program(for: .read)))
        }
        group.patch("program") { request, context in
            let program = try context.program(for: .admin)
            let patch = try await JSONResponse.decode(ProgramPatch.self, from: request, context: context)
            let current = try await administration.program(program)
            var merged = try APIJSON.decode([String: JSONValue].self, from: try APIJSON.encode(current.settings))
            for (key, value) in patch.settings ?? [:] { merged[key] = value }
            let settings: ProgramSettings
            do {
                settings = try APIJSON.decode(ProgramSettings.self, from: try APIJSON.encode(merged))
            } catch let error as DecodingError {
                let problem = APIProblem.fromDecoding(error)
                let issues = try problem.errors ?? APIProblem.nonIntegerNumbers(in: APIJSON.encode(merged))
                guard !issues.isEmpty else { throw APIProblem.invalid([FieldIssue("settings", problem.detail)]) }
                throw APIProblem.invalid(issues.map { FieldIssue("settings." + $0.field, $0.reason) })
            }
            do {
                return try JSONResponse.make(
                    try await administration.updateSettings(program: program, settings, name: patch.name))
            } catch DomainError.invalid(let issues) {
                throw APIProblem.invalid(issues.map { FieldIssue("settings." + $0.field, $0.reason) })
            }
        }
        group.get("earning-rules") { _, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(RuleSet(rules: try await service.rules(program: program)))
        }
        group.post("earning-rules") { request, context in
            let program = try context.program(for: .admin)
            let rule = try await JSONResponse.decode(EarningRule.self, from: request, context: context)
            return try JSONResponse.make(
                try await service.createRule(program: program, rule, actor: context.actor), status: .created)
        }
        group.put("earning-rules") { request, context in
            let program = try context.program(for: .admin)
            let set = try await JSONResponse.decode(RuleSet.self, from: request, context: context)
            return try JSONResponse.make(
                RuleSet(rules: try await service.replaceRules(program: program, set, actor: context.actor)))
        }
        group.put("earning-rules/:id") { request, context in
            let program = try context.program(for: .admin)
            let rule = try await JSONResponse.decode(EarningRule.self, from: request, context: context)
            return try JSONResponse.make(
                try await service.putRule(
                    program: program, id: try context.pathParameter("id"), rule, actor: context.actor))
        }
        group.delete("earning-rules/:id") { _, context in
            let program = try context.program(for: .admin)
            try await service.deleteRule(program: program, id: try context.pathParameter("id"), actor: context.actor)
            return Response(status: .noContent)
        }
        group.get("expiring-points") { request, context in
            let program = try context.program(for: .read)
            let raw = request.uri.queryParameters.get("within_days") ?? "30"
            guard let days = Int(raw), (1...3650).contains(days) else {
                throw APIProblem.invalid([FieldIssue("within_days", "must be an integer from 1 to 3650")])
            }
            return try JSONResponse.make(
                try await service.expiringPoints(
                    program: program, withinDays: days, limit: try limitParameter(request, default: 100),
                    after: request.uri.queryParameters.get("after")))
        }
        group.get("reports/liability") { _, context in
            try JSONResponse.make(try await service.liability(program: try context.program(for: .read)))
        }
        group.post("expiry/run") { _, context in
            let program = try context.program(for: .admin)
            return try JSONResponse.make(try await service.expirePoints(program: program))
        }
    }
}
