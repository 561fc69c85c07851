import Foundation
import LeptonPlatform
import Testing

@Suite("DeploymentService")
struct DeploymentServiceTests {
    /// A platform with model `digits` (versions 1, 2, 3; `champion` → 2) and `other` (version 1).
    static func platform(_ name: String) async throws -> (Platform, String) {
        let (platform, admin) = try await PlatformFixtures.platform(name)
        let workspace = admin.key.workspaceID, lineage = ModelLineage(jobID: nil, inputs: [], configSHA256: nil)
        for seed in 1...3 {
            _ = try await platform.models.register(modelFolder: try ModelRegistryTests.modelFolder([UInt8(seed)]), name: "digits",
                                                   workspaceID: workspace, lineage: lineage)
        }
        _ = try await platform.models.setAlias("champion", version: 2, model: "digits", workspaceID: workspace)
        _ = try await platform.models.register(modelFolder: try ModelRegistryTests.modelFolder([9]), name: "other", workspaceID: workspace, lineage: lineage)
        return (platform, workspace)
    }

    @Test("model references: MODEL (latest), MODEL:VERSION, MODEL@ALIAS, with errors naming the forms")
    func references() async throws {
        let (platform, workspace) = try await Self.platform("deploy-refs")
        defer { try? FileManager.default.removeItem(at: platform.dataFolder) }
        let service = platform.deployments
        #expect(try await service.create(DeploymentSettings(name: "a", model: "digits"), workspaceID: workspace).deployment.version == 3)
        #expect(try await service.create(DeploymentSettings(name: "b", model: "digits:1"), workspaceID: workspace).deployment.version == 1)
        #expect(try await service.create(DeploymentSettings(name: "c", model: "digits@champion"), workspaceID: workspace).deployment.version == 2)
        for (reference, kind, text) in [("digits:7", PlatformError.Kind.notFound, "no version 7"), ("digits@best", .notFound, "no alias best"),
                                        ("digits:x", .badRequest, "MODEL:VERSION"), ("nothing", .notFound, "no model nothing"), ("@x", .badRequest, "malformed")] {
            let error = await #expect(throws: PlatformError.self) {
                try await service.create(DeploymentSettings(name: "d", model: reference), workspaceID: workspace)
            }
            #expect(error?.kind == kind && error?.message.contains(text) == true, "\(reference): \(error?.message ?? "")")
        }
    }

    @Test("market:LISTING deploys a listing of another workspace: pulled into this one's registry, with its lineage")
    func fromMarketListing() async throws {
        let (platform, publisher) = try await Self.platform("deploy-market")
        defer { try? FileManager.default.removeItem(at: platform.dataFolder) }
        let listing = try await platform.market.publish(MarketPublication(model: "digits", version: "champion", name: "mnist-digits",
                                                                          task: "image-classification", licence: "MIT"), workspaceID: publisher)
        let consumer = try await platform.createWorkspace(name: "consumer", source: "test").key.workspaceID
        let issued = try await platform.deployments.create(DeploymentSettings(name: "digits", model: "market:\(listing.id)"), workspaceID: consumer)
        #expect(issued.deployment.modelName == "mnist-digits" && issued.deployment.version == 1)
        let pulled = try await platform.models.versions("mnist-digits", workspaceID: consumer)
        #expect(pulled.map(\.lineage.listingID) == [listing.id])
        // A taken name is refused before anything is pulled; an unknown listing is not found.
        let taken = await #expect(throws: PlatformError.self) {
            try await platform.deployments.create(DeploymentSettings(name: "digits", model: "market:\(listing.id)"), workspaceID: consumer)
        }
        #expect(taken?.kind == .conflict)
        #expect(try await platform.models.versions("mnist-digits", workspaceID: consumer).count == 1)
        let missing = await #expect(throws: PlatformError.self) {
            try await platform.deployments.create(DeploymentSettings(name: "other", model: "market:lst_nothing"), workspaceID: consumer)
        }
        #expect(missing?.kind == .notFound)
    }

    @Test("create: token shown once and stored hashed; names checked and unique on the platform; numbers validated")
    func create() async throws {
        let (platform, workspace) = try await Self.platform("deploy-create")
        defer { try? FileManager.default.removeItem(at: platform.dataFolder) }
        let service = platform.deployments
        let issued = try await service.create(DeploymentSettings(name: "digits", model: "digits", minReplicas: 1, maxReplicas: 4,
                                                                 scaling: ScalingRule(targetRequestsPerSecond: 20, scaleToZeroAfterSeconds: 60)),
                                              workspaceID: workspace)
        let token = try #require(issued.token)
        #expect(token.hasPrefix("lepd_") && !issued.deployment.tokenHash.contains(String(token.dropFirst(5))))
        #expect(DeploymentToken.matches(token, hash: issued.deployment.tokenHash))
        #expect(!DeploymentToken.matches(String(token.dropLast()) + (token.hasSuffix("a") ? "b" : "a"), hash: issued.deployment.tokenHash))
        #expect(!DeploymentToken.matches("lep_x", hash: issued.deployment.tokenHash))
        let stored = try await service.get("digits", workspaceID: workspace)
        #expect(stored == issued.deployment && stored.scaling.targetRequestsPerSecond == 20)
        let open = try await service.create(DeploymentSettings(name: "open", model: "digits", isPublic: true), workspaceID: workspace)
        #expect(open.token == nil && open.deployment.isPublic)

        let other = try await platform.createWorkspace(name: "second", source: "test")
        let taken = await #expect(throws: PlatformError.self) {
            try await service.create(DeploymentSettings(name: "digits", model: "digits"), workspaceID: other.key.workspaceID)
        }
        // The model is not in the other workspace; within the first, the name is taken.
        #expect(taken?.kind == .notFound)
        let duplicate = await #expect(throws: PlatformError.self) {
            try await service.create(DeploymentSettings(name: "digits", model: "digits"), workspaceID: workspace)
        }
        #expect(duplicate?.kind == .conflict)
        let invalid: [(DeploymentSettings, String)] = [
            (DeploymentSettings(name: "Bad_Name", model: "digits"), "lower-case"),
            (DeploymentSettings(name: "x", model: "digits", minReplicas: 3, maxReplicas: 2), "min_replicas ≤ max_replicas"),
            (DeploymentSettings(name: "x", model: "digits", minReplicas: 1, maxReplicas: 65), "max_replicas ≤ 64"),
            (DeploymentSettings(name: "x", model: "digits", scaling: ScalingRule(targetRequestsPerSecond: -1)), "target_requests_per_second"),
            (DeploymentSettings(name: "x", model: "digits", scaling: ScalingRule(scaleToZeroAfterSeconds: 0)), "scale_to_zero_after_seconds"),
        ]
        for (settings, text) in invalid {
            let error = await #expect(throws: PlatformError.self) { try await service.create(settings, workspaceID: workspace) }
            #expect(error?.kind == .badRequest && error?.message.contains(text) == true, "\(error?.message ?? "")")
        }
        #expect(try await service.list(workspaceID: workspace).map(\.name) == ["digits", "open"])
        #expect(try await service.list(workspaceID: other.key.workspaceID).isEmpty)
    }

    @Test("scale, update, canary, promote, rollback, delete — each an event")
    func lifecycle() async throws {
        let (platform, workspace) = try await Self.platform("deploy-life")
        defer { try? FileManager.default.removeItem(at: platform.dataFolder) }
        let service = platform.deployments
        _ = try await service.create(DeploymentSettings(name: "digits", model: "digits:1"), workspaceID: workspace)
        let scaled = try await service.scale("digits", minReplicas: 2, maxReplicas: 5, workspaceID: workspace)
        #expect(scaled.minReplicas == 2 && scaled.maxReplicas == 5)
        await #expect(throws: PlatformError.self) { try await service.scale("digits", minReplicas: 70, maxReplicas: nil, workspaceID: workspace) }
        #expect(try await service.update("digits", model: "digits@champion", workspaceID: workspace).version == 2)
        let wrongModel = await #expect(throws: PlatformError.self) { try await service.update("digits", model: "other", workspaceID: workspace) }
        #expect(wrongModel?.message.contains("serves model digits") == true)
        let canary = try await service.canary("digits", model: "digits:3", percent: 20, workspaceID: workspace)
        #expect(canary.canary == Canary(version: 3, percent: 20) && canary.servedVersions == [2, 3])
        await #expect(throws: PlatformError.self) { try await service.canary("digits", model: "digits:3", percent: 100, workspaceID: workspace) }
        await #expect(throws: PlatformError.self) { try await service.canary("digits", model: "digits:2", percent: 10, workspaceID: workspace) }
        let promoted = try await service.promote("digits", workspaceID: workspace)
        #expect(promoted.version == 3 && promoted.canary == nil)
        let noCanary = await #expect(throws: PlatformError.self) { try await service.promote("digits", workspaceID: workspace) }
        #expect(noCanary?.kind == .conflict)
        _ = try await service.canary("digits", model: "digits:1", percent: 5, workspaceID: workspace)
        let rolledBack = try await service.rollback("digits", workspaceID: workspace)
        #expect(rolledBack.version == 3 && rolledBack.canary == nil)
        let kinds = try await service.events("digits", workspaceID: workspace).map(\.kind)
        #expect(kinds == ["created", "scale", "rollout", "canary", "promoted", "canary", "rolled_back"], "\(kinds)")
        try await service.record(rolledBack, "replica.ready", "replica r1 ready")
        let events = try await service.events("digits", workspaceID: workspace, limit: 2)
        #expect(events.map(\.kind) == ["rolled_back", "replica.ready"] && events[0].sequence < events[1].sequence)
        _ = try await service.delete("digits", workspaceID: workspace)
        await #expect(throws: PlatformError.self) { try await service.get("digits", workspaceID: workspace) }
        #expect(try await service.all().isEmpty)
        // The name is free again.
        _ = try await service.create(DeploymentSettings(name: "digits", model: "digits"), workspaceID: workspace)
    }

    @Test("ModelReference parses the three forms")
    func parsing() throws {
        #expect(try ModelReference(parsing: "m").selector == .latest)
        #expect(try ModelReference(parsing: "m:4").selector == .number(4))
        #expect(try ModelReference(parsing: "m@champion").selector == .alias("champion"))
        #expect(try ModelReference(parsing: "m@champion").description == "m@champion")
        for bad in ["", "m:", "m:0", ":3", "m@", "m@a@b"] {
            #expect(throws: PlatformError.self, "\(bad)") { try ModelReference(parsing: bad) }
        }
    }
}
