import ArgumentParser
import Foundation

extension JobCommand {
    /// `lepton job metrics ID`: a job's training curve, one row per finished epoch (and with
    /// `--steps` the running values within epochs).
    struct Metrics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "metrics",
                                                        abstract: "Print a job's training curve: loss and metrics per epoch (--steps: also within epochs).")
        @Argument(help: "The job id.") var id: String
        @Flag(help: "Also print the running values written every few batches.") var steps = false

        func run() async throws {
            let points = try await PlatformClient.load().object("GET", "/api/v1/jobs/\(id)/metrics")["points"] as? [[String: Any]] ?? []
            let rows = points.filter { steps || $0["batch"] == nil }.map { point in
                point.mapValues { value -> Any in
                    guard let number = value as? Double, !(value is Int) else { return value }
                    return String(format: "%.4f", number)
                }
            }
            let reserved: Set<String> = ["epoch", "batch", "batches", "seconds", "elapsed"]
            let metrics = Set(points.flatMap(\.keys)).subtracting(reserved).sorted { ($0 == "loss" ? "" : $0) < ($1 == "loss" ? "" : $1) }
            print(ClientTable.render(rows, columns: ["epoch"] + (steps ? ["batch"] : []) + metrics + ["seconds"]))
        }
    }
}
