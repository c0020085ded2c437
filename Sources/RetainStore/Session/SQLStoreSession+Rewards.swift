import Foundation
import RetainCore
import SQLKit

// Reward instances: the document plus the columns codes, customers, stock counts and the job select by.
extension SQLStoreSession {
    func insertRewardInstances(_ instances: [RewardInstance]) async throws {
        try await insertRows(
            "reward_instances",
            columns: [
                "program_id", "id", "code", "customer_id", "reward_id", "status", "expires_at", "doc", "created_at",
            ],
            rows: try instances.map { instance in
                [
                    programID, instance.id, instance.code, instance.customerID, instance.rewardID,
                    instance.status.rawValue, StoreCoding.millis(instance.expiresAt),
                    try StoreCoding.document(instance),
                    StoreCoding.millis(instance.issuedAt),
                ]
            })
    }

    func updateRewardInstance(_ instance: RewardInstance) async throws {
        try await database.update("reward_instances")
            .set("status", to: SQLBind(instance.status.rawValue))
            .set("doc", to: SQLBind(try StoreCoding.document(instance)))
            .where("program_id", .equal, programID).where("id", .equal, instance.id)
            .run()
    }

    func rewardInstance(code: String) async throws -> RewardInstance? {
        try await database.select().column("doc").from("reward_instances")
            .where("program_id", .equal, programID).where("code", .equal, code)
            .first()
            .map { try StoreCoding.decode(RewardInstance.self, from: $0.string("doc")) }
    }

    func rewardInstances(customerID: String) async throws -> [RewardInstance] {
        try await database.select().column("doc").from("reward_instances")
            .where("program_id", .equal, programID).where("customer_id", .equal, customerID)
            .orderBy("created_at", .descending).orderBy("id", .descending)
            .all()
            .map { try StoreCoding.decode(RewardInstance.self, from: $0.string("doc")) }
    }

    func countRewardInstances(rewardID: String, customerID: String?) async throws -> Int {
        var query = database.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("reward_instances")
            .where("program_id", .equal, programID).where("reward_id", .equal, rewardID)
            .where("status", .notEqual, RewardInstance.Status.cancelled.rawValue)
        if let customerID { query = query.where("customer_id", .equal, customerID) }
        return Int(try await query.first()?.int("n") ?? 0)
    }

    func dueRewardInstances(asOf time: Date, limit: Int) async throws -> [RewardInstance] {
        try await database.select().column("doc").from("reward_instances")
            .where("program_id", .equal, programID)
            .where("status", .equal, RewardInstance.Status.issued.rawValue)
            .where("expires_at", .lessThanOrEqual, StoreCoding.millis(time))
            .orderBy("expires_at").limit(limit)
            .all()
            .map { try StoreCoding.decode(RewardInstance.self, from: $0.string("doc")) }
    }
}
