import Foundation
import LeptonPlatform
import Testing

/// `GET /api/v1/jobs/:id/metrics`: the points of the job's metrics file, a torn last line left out.
@Suite struct JobMetricsRoutesTests {
    @Test func pointsOfTheMetricsFileWithTheJobState() async throws {
        // The trainer writes what `lepton train --metrics-file` would, the last line cut off.
        let lines = #"{"batch":2,"batches":4,"elapsed":0.1,"epoch":1,"loss":2.5}\n{"elapsed":0.2,"epoch":1,"loss":2,"seconds":0.2,"accuracy":0.25}\n{"epoch":2,"lo"#
        let server = try await PlatformTestServer.start("job-metrics", trainer: ["/bin/sh", "-c", "printf '\(lines)' > metrics.jsonl; echo \"$@\"", "trainer"])
        let workspace = server.admin.key.workspaceID
        let who = Principal(keyID: server.admin.key.id, workspaceID: workspace, role: .admin)
        let job = try await server.platform.jobs.submit(JobSubmission(config: PlatformTestServer.config, inputs: []), principal: who)
        let viewer = try await server.platform.keys.create(workspaceID: workspace, role: .viewer, name: "viewer")
        let empty = try await server.send("GET", "/api/v1/jobs/\(job.id)/metrics", token: viewer.token)
        #expect(empty.status == 200 && empty.headers["x-job-state"] != nil)
        for _ in 0..<200 where try await server.platform.jobs.get(id: job.id, workspaceID: workspace).state != .succeeded {
            try await Task.sleep(for: .milliseconds(50))
        }
        let reply = try await server.send("GET", "/api/v1/jobs/\(job.id)/metrics", token: viewer.token)
        #expect(reply.status == 200 && reply.headers["x-job-state"] == "succeeded", "\(reply.status) \(reply.error)")
        let points = try #require(reply.json?["points"] as? [[String: Any]])
        #expect(points.count == 2, "\(points)")
        #expect(points.first?["batch"] as? Int == 2 && points.last?["accuracy"] as? Double == 0.25 && points.last?["seconds"] as? Double == 0.2)
        let log = String(decoding: try Data(contentsOf: server.platform.jobs.jobFolder(job.id).appendingPathComponent("log.txt")), as: UTF8.self)
        #expect(log.contains("--metrics-file metrics.jsonl"), "the runner names the file: \(log)")
        #expect(try await server.send("GET", "/api/v1/jobs/job_nope/metrics", token: viewer.token).status == 404)
        await server.stop()
    }
}
