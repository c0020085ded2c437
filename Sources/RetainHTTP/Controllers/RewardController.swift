import Foundation
import Hummingbird
import RetainCore
import RetainServices

/// `/v1/rewards`, a customer's rewards and `/v1/reward-codes`: the catalogue, redeeming, and using codes at the till.
struct RewardController {
    let service: LoyaltyService

    func register(on group: RouterGroup<RetainRequestContext>) {
        group.get("rewards") { _, context in
            try JSONResponse.make(try await service.rewardCatalogue(program: try context.program(for: .read)))
        }
        group.post("customers/:id/rewards") { request, context in
            let program = try context.program(for: .write)
            let body = try await JSONResponse.decode(RewardRedemptionRequest.self, from: request, context: context)
            let result = try await service.redeemReward(
                program: program, customerID: try context.pathParameter("id"), body,
                idempotencyKey: try idempotencyKey(request, required: true)!)
            return try JSONResponse.make(result, status: .created)
        }
        group.get("customers/:id/rewards") { _, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(
                try await service.rewardInstances(program: program, customerID: try context.pathParameter("id")))
        }
        group.get("reward-codes/:code") { _, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(
                try await service.rewardByCode(program: program, code: try context.pathParameter("code")))
        }
        group.post("reward-codes/:code/use") { request, context in
            let program = try context.program(for: .write)
            let body = try await JSONResponse.decode(RewardUseRequest.self, from: request, context: context)
            return try JSONResponse.make(
                try await service.useReward(program: program, code: try context.pathParameter("code"), body))
        }
        group.post("reward-codes/:code/cancel") { _, context in
            let program = try context.program(for: .write)
            return try JSONResponse.make(
                try await service.cancelReward(program: program, code: try context.pathParameter("code")))
        }
    }
}
