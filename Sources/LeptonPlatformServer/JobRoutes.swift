import Foundation
import HTTPTypes
import Hummingbird
import LeptonJobs
import LeptonPlatform
import NIOCore

/// `/api/v1/jobs`: submit a training job, list, show, cancel, read or follow its log, read its training curve.
struct JobRoutes {
    let platform: Platform
    /// How often a followed log is checked for new lines.
    static let followInterval: Duration = .milliseconds(250)

    func register(on table: PlatformRouteTable) {
        let jobs = platform.jobs
        table.add(.get, "/api/v1/jobs", role: .viewer, "list jobs, newest first") { _, _, who in
            try jsonResponse(["jobs": try await jobs.list(workspaceID: who.workspaceID)])
        }
        table.add(.post, "/api/v1/jobs", role: .editor, "submit a training job") { request, _, who in
            let submission = try await PlatformJSON.decode(JobSubmission.self, from: request, expected: """
                {"config": "<training YAML>", "inputs": [{"file": "mnist/train-images-idx3-ubyte", "dataset": "ds_…", "version": 1}], \
                "priority": 0, "cpus": 1, "memory_mb": 2048, "max_retries": 0}
                """)
            return try jsonResponse(try await jobs.submit(submission, principal: who), status: .created)
        }
        table.add(.get, "/api/v1/jobs/:id", role: .viewer, "a job") { request, context, who in
            try jsonResponse(try await jobs.get(id: try request.parameter("id", of: context), workspaceID: who.workspaceID))
        }
        table.add(.post, "/api/v1/jobs/:id/cancel", role: .editor, "cancel a queued or running job") { request, context, who in
            try jsonResponse(try await jobs.cancel(id: try request.parameter("id", of: context), workspaceID: who.workspaceID))
        }
        table.add(.get, "/api/v1/jobs/:id/metrics", role: .viewer,
                  "the job's training curve: a point per epoch and every few batches (X-Job-State tells whether more may come)") { request, context, who in
            let job = try await jobs.get(id: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            var response = try jsonResponse(["points": TrainingMetricsFile.read(jobs.jobFolder(job.id).appendingPathComponent(TrainingScript.metricsFileName))])
            response.headers[.jobState] = job.state.rawValue
            return response
        }
        table.add(.get, "/api/v1/jobs/:id/logs", role: .viewer,
                  "the job's log from ?offset=N (at most 1 MiB; X-Job-State tells whether more may come), or ?follow=true to stream it until the job ends") { request, context, who in
            let job = try await jobs.get(id: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            if request.uri.queryParameters.get("follow").map({ $0 == "true" || $0 == "1" }) ?? false { return followResponse(job: job) }
            let offset = try request.integerQuery("offset", default: 0)
            guard offset >= 0 else { throw PlatformError(.badRequest, "offset must be at least 0; got \(offset)") }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            headers[.jobState] = job.state.rawValue
            let data = JobLog(folder: jobs.jobFolder(job.id)).read(from: offset)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// The log as plain text, new bytes sent as they are written, until the job is finished and
    /// the log read to its end.
    private func followResponse(job: Job) -> Response {
        let log = JobLog(folder: platform.jobs.jobFolder(job.id))
        let jobs = platform.jobs
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var offset = 0
            while true {
                let chunk = log.read(from: offset)
                if !chunk.isEmpty {
                    offset += chunk.count
                    try await writer.write(ByteBuffer(bytes: chunk))
                    continue
                }
                guard let current = try? await jobs.get(id: job.id, workspaceID: job.workspaceID), !current.state.isTerminal else {
                    // One last read: lines written just before the job ended.
                    let rest = log.read(from: offset)
                    if !rest.isEmpty { try await writer.write(ByteBuffer(bytes: rest)) }
                    break
                }
                try await Task.sleep(for: Self.followInterval)
            }
            try await writer.finish(nil)
        })
    }
}
