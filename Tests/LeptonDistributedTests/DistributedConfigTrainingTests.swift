import Foundation
import LeptonTestSupport
import Testing

/// `lepton train CONFIG` with a `distributed:` section: the config alone starts the processes
/// (as `--workers N`), flags override it, and a bad section or a conflict with a flag is one
/// line naming the key. The runs need OpenMPI (`scripts/setup.sh` installs it).
@Suite(.serialized) struct DistributedConfigTrainingTests {
    let mpi = DistributedTrainingTests()

    @Test func theConfigAloneStartsDataParallelWorkers() throws {
        _ = try mpi.mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-dist-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("dp.yaml")
        try mpi.write(mpi.config(batchSize: 16, trainLimit: 320) + "distributed: {workers: 2, strategy: data-parallel, bucket_mb: 1, rank_timeout: 60}\n", file)
        let run = try LeptonExecutable.run(["train", file.path], environment: ["OMPI_MCA_btl": "self,vader"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ranks: 2, global batch: 32"), "\(run.stdout)")
        #expect(run.stdout.contains("Gradient all-reduce (rank 0)"), "\(run.stdout)")
        #expect(run.stdout.components(separatedBy: "Trained in").count == 2, "rank 0 alone reports: \(run.stdout)")
        // --workers overrides the config's workers; --global-batch splits the config's batch over them.
        let flags = try LeptonExecutable.run(["train", file.path, "--workers", "1", "--global-batch"], environment: ["OMPI_MCA_btl": "self,vader"])
        #expect(flags.status == 0, "\(flags.stderr)")
        #expect(flags.stdout.contains("Trained in") && !flags.stdout.contains("ranks: 2"), "\(flags.stdout)")
        // A global batch that does not split over the ranks stops every rank, naming the config key.
        try mpi.write(mpi.config(batchSize: 15, trainLimit: 320) + "distributed: {workers: 2, global_batch: true, rank_timeout: 60}\n", file)
        let odd = try LeptonExecutable.run(["train", file.path], environment: ["OMPI_MCA_btl": "self,vader"])
        #expect(odd.status != 0)
        #expect((odd.stdout + odd.stderr).contains("distributed.global_batch: batch_size 15 of \(file.path) does not split over 2 training ranks; expected a multiple of 2"),
                "\(odd.stderr)")
    }

    @Test func aBadSectionOrAConflictingFlagIsOneLineNamingTheKey() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-dist-config-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.yaml")
        let cases: [(section: String, flags: [String], expected: String)] = [
            ("{workers: 0}", [], "c.yaml: distributed.workers: expected an integer in 1...256, got 0"),
            ("{workers: 2, staleness: 1}", [], "c.yaml: distributed.staleness: only with strategy: parameter-server"),
            ("{workres: 2}", [], "c.yaml: distributed: unknown key workres"),
            ("{strategy: parameter-server, ps_mode: async, staleness: 2}", ["--ps-mode", "sync"],
             "c.yaml: distributed.staleness: only with --ps-mode async (sync mode steps together)"),
            ("{strategy: parameter-server}", ["--bucket-mb", "4"], "--bucket-mb: only with strategy: data-parallel"),
            ("{strategy: parameter-server, dedicated_server: true, workers: 1}", [],
             "c.yaml: distributed.dedicated_server: needs at least 2 processes (rank 0 serves, the others train), got workers: 1"),
        ]
        for (section, flags, expected) in cases {
            try mpi.write(mpi.config(batchSize: 16) + "distributed: \(section)\n", file)
            let run = try LeptonExecutable.run(["train", file.path] + flags)
            #expect(run.status == 1 && run.stderr.hasPrefix("error: ") && run.stderr.contains(expected), "\(section) \(flags): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(section) \(flags): \(run.stderr)")
        }
    }
}
