import Foundation
import Hummingbird
import RetainCore
import RetainServices

/// `/v1/program/configuration`, `/v1/tiers`, `/v1/stamp-cards` and a customer's tier and cards: the versioned
/// program configuration and where each customer stands in it.
struct MembershipController {
    let service: LoyaltyService

    func register(on group: RouterGroup<RetainRequestContext>) {
        group.get("program/configuration") { _, context in
            try JSONResponse.make(try await service.configuration(program: try context.program(for: .read)))
        }
        group.put("program/configuration") { request, context in
            let program = try context.program(for: .admin)
            let configuration = try await JSONResponse.decode(
                LoyaltyConfiguration.self, from: request, context: context)
            return try JSONResponse.make(
                try await service.saveConfiguration(program: program, configuration, actor: context.actor))
        }
        group.get("program/configuration/versions") { _, context in
            let versions = try await service.configurationVersions(program: try context.program(for: .read))
            return try JSONResponse.make(["versions": versions])
        }
        group.post("program/dry-run") { request, context in
            let program = try context.program(for: .read)
            let raw = request.uri.queryParameters.get("days") ?? "30"
            guard let days = Int(raw), (1...3650).contains(days) else {
                throw APIProblem.invalid([FieldIssue("days", "must be an integer from 1 to 3650")])
            }
            let definition = try await JSONResponse.decode(ProgramDefinition.self, from: request, context: context)
            return try JSONResponse.make(try await service.dryRun(program: program, definition, days: days))
        }
        group.get("tiers") { _, context in
            try JSONResponse.make(try await service.tierDistribution(program: try context.program(for: .read)))
        }
        group.get("customers/:id/tier") { _, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(
                try await service.tierProgress(program: program, customerID: try context.pathParameter("id")))
        }
        group.get("stamp-cards") { _, context in
            try JSONResponse.make(try await service.stampCardReport(program: try context.program(for: .read)))
        }
        group.get("customers/:id/stamp-cards") { _, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(
                try await service.stampCards(program: program, customerID: try context.pathParameter("id")))
        }
        group.put("customers/:id/tier-override") { request, context in
            let program = try context.program(for: .admin)
            let body = try await JSONResponse.decode(TierOverrideRequest.self, from: request, context: context)
            return try JSONResponse.make(
                try await service.overrideTier(
                    program: program, customerID: try context.pathParameter("id"), body, actor: context.actor))
        }
    }
}
