import Foundation
import LeptonPlatform
import LeptonPlatformServer
import LeptonTestSupport
import Testing

/// Replicas as real processes: a killed one is replaced while requests keep succeeding, idle
/// deployments scale to zero and start again on the next request, rolling updates and canaries
/// fail no request under load, a restarted platform brings its deployments back.
@Suite("Deployment supervisor", .serialized)
struct DeploymentSupervisorTests {
    @Test("kill -9 of a replica: requests keep succeeding, the replica is replaced")
    func crashedReplicaIsReplaced() async throws {
        let fixture = try await DeploymentFixture.start("crash")
        let token = try await fixture.create(#"{"name": "crashy", "model": "tiny:1", "min_replicas": 2, "max_replicas": 2}"#)
        try await fixture.wait("crashy", "two replicas ready") { $0["ready_replicas"] as? Int == 2 }
        let load = DeploymentFixture.Load(fixture, name: "crashy", token: token, clients: 4)
        try await Task.sleep(for: .milliseconds(300))
        let victim = try #require(fixture.server.deployments.readyReplicaPIDs("crashy").first)
        kill(victim, SIGKILL)
        try await fixture.wait("crashy", "replaced") { _ in
            let pids = fixture.server.deployments.readyReplicaPIDs("crashy")
            return pids.count == 2 && !pids.contains(victim)
        }
        try await Task.sleep(for: .milliseconds(300))
        let results = await load.finish()
        #expect(results.count > 10 && results.allSatisfy { $0.status == 200 && $0.version == 1 },
                "\(results.filter { $0.status != 200 }.count) of \(results.count) failed")
        let events = try await fixture.server.platform.deployments.events("crashy", workspaceID: fixture.workspace)
        #expect(events.contains { $0.kind == "replica.crashed" && $0.message.contains("pid \(victim)") }, "\(events.map(\.message))")
        #expect(events.contains { $0.kind == "replica.started" && $0.message.contains("replacing") })
        await fixture.server.stop()
    }

    @Test("a hung replica (SIGSTOP) fails its liveness probes, is killed and replaced; requests still succeed")
    func hungReplicaIsReplaced() async throws {
        let fixture = try await DeploymentFixture.start("hung")
        let token = try await fixture.create(#"{"name": "stuck", "model": "tiny:1", "min_replicas": 2, "max_replicas": 2}"#)
        try await fixture.wait("stuck", "two replicas ready") { $0["ready_replicas"] as? Int == 2 }
        let victim = try #require(fixture.server.deployments.readyReplicaPIDs("stuck").first)
        kill(victim, SIGSTOP)
        let load = DeploymentFixture.Load(fixture, name: "stuck", token: token, clients: 2)
        try await fixture.wait("stuck", seconds: 30, "replaced") { _ in
            let pids = fixture.server.deployments.readyReplicaPIDs("stuck")
            return pids.count == 2 && !pids.contains(victim)
        }
        let results = await load.finish()
        #expect(!results.isEmpty && results.allSatisfy { $0.status == 200 }, "\(results.filter { $0.status != 200 }.count) of \(results.count) failed")
        #expect(try await fixture.eventKinds("stuck").contains("replica.hung"))
        await fixture.server.stop()
    }

    @Test("idle → zero replicas; the next request is held through the cold start and succeeds")
    func scaleToZeroAndColdStart() async throws {
        let fixture = try await DeploymentFixture.start("zero")
        let token = try await fixture.create(#"{"name": "sleepy", "model": "tiny:1", "scale_to_zero_after_seconds": 1, "scale_down_window_seconds": 0}"#)
        #expect(try await fixture.infer("sleepy", token: token).status == 200)
        let pids = fixture.server.deployments.readyReplicaPIDs("sleepy")
        try await fixture.wait("sleepy", seconds: 20, "scaled to zero") { DeploymentFixture.replicas($0).isEmpty }
        try await DeploymentRouterTests.waitDead(pids)
        let start = Date()
        let cold = try await fixture.infer("sleepy", token: token)
        print("cold start: \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        #expect(cold.status == 200 && cold.version == 1, "\(cold.status)")
        let events = try await fixture.server.platform.deployments.events("sleepy", workspaceID: fixture.workspace).map(\.message)
        #expect(events.contains { $0.contains("scaled from 1 to 0") } && events.contains { $0.contains("scaled from 0 to 1") }, "\(events)")
        await fixture.server.stop()
    }

    @Test("rolling update, canary, rollback and promote under a concurrent request loop: no failed request")
    func rolloutsUnderLoad() async throws {
        let fixture = try await DeploymentFixture.start("rollout")
        let admin = fixture.server.admin.token
        let token = try await fixture.create(#"{"name": "roll", "model": "tiny:1"}"#)
        #expect(try await fixture.infer("roll", token: token).version == 1)
        let load = DeploymentFixture.Load(fixture, name: "roll", token: token, clients: 4)
        let only = { (version: Int) in { (status: [String: Any]) in DeploymentFixture.replicas(status).map(\.version) == [version]
            && DeploymentFixture.replicas(status).allSatisfy { $0.phase == "ready" } } }
        let both = { (status: [String: Any]) in Set(DeploymentFixture.replicas(status).filter { $0.phase == "ready" }.map(\.version)) == [1, 2] }

        #expect(try await fixture.server.send("POST", "/api/v1/deployments/roll/update", token: admin, json: #"{"model": "tiny:2"}"#).status == 200)
        try await fixture.wait("roll", "rolled to version 2", until: only(2))
        #expect(try await fixture.server.send("POST", "/api/v1/deployments/roll/canary", token: admin, json: #"{"model": "tiny:1", "percent": 50}"#).status == 200)
        try await fixture.wait("roll", "canary ready", until: both)
        // The canary takes its share: 40 requests, each version answers some.
        var versions: [Int: Int] = [:]
        for _ in 0..<40 { versions[try await fixture.infer("roll", token: token).version ?? 0, default: 0] += 1 }
        #expect((versions[1] ?? 0) >= 5 && (versions[2] ?? 0) >= 5, "\(versions)")
        #expect(try await fixture.server.send("POST", "/api/v1/deployments/roll/rollback", token: admin).status == 200)
        try await fixture.wait("roll", "canary removed", until: only(2))
        #expect(try await fixture.server.send("POST", "/api/v1/deployments/roll/canary", token: admin, json: #"{"model": "tiny:1", "percent": 20}"#).status == 200)
        try await fixture.wait("roll", "canary ready again", until: both)
        #expect(try await fixture.server.send("POST", "/api/v1/deployments/roll/promote", token: admin).status == 200)
        try await fixture.wait("roll", "canary promoted", until: only(1))
        let results = await load.finish()
        #expect(results.count > 20 && results.allSatisfy { $0.status == 200 && $0.version != nil },
                "\(results.filter { $0.status != 200 }.count) of \(results.count) failed")
        #expect(Set(results.compactMap(\.version)) == [1, 2])
        let kinds = Set(try await fixture.eventKinds("roll"))
        #expect(kinds.isSuperset(of: ["created", "rollout", "canary", "rolled_back", "promoted", "replica.ready", "replica.stopped"]), "\(kinds)")
        await fixture.server.stop()
    }

    @Test("a restarted platform starts replicas for its deployments; the token still works")
    func restartRecreatesReplicas() async throws {
        let fixture = try await DeploymentFixture.start("restart")
        let token = try await fixture.create(#"{"name": "durable", "model": "tiny:2"}"#)
        #expect(try await fixture.infer("durable", token: token).status == 200)
        let pids = fixture.server.deployments.readyReplicaPIDs("durable")
        fixture.server.task.cancel()
        _ = await fixture.server.task.result
        try await DeploymentRouterTests.waitDead(pids)

        let platform = try Platform(dataFolder: fixture.server.platform.dataFolder)
        let server = PlatformServer(platform: platform, port: 0, replicaExecutable: LeptonExecutable.url.path)
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { listening.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let restarted = DeploymentFixture(server: PlatformTestServer(platform: platform, admin: fixture.server.admin, port: port, task: task,
                                                                     deployments: server.deployments),
                                          workspace: fixture.workspace, expected: fixture.expected)
        try await restarted.wait("durable", "replica back") { $0["ready_replicas"] as? Int == 1 }
        let answer = try await restarted.infer("durable", token: token)
        #expect(answer.status == 200 && answer.version == 2)
        await restarted.server.stop()
    }
}
