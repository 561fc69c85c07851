import LeptonDistributed
import Testing

/// The communicator contract on the one-process communicator: every collective is the
/// reduction over one rank, and bad arguments are refused with a clear error.
@Suite struct CommunicatorTests {
    @Test func localCollectivesAreTheReductionOverOneRank() throws {
        let local = LocalCommunicator()
        #expect(local.rank == 0 && local.size == 1)
        for operation in ReduceOperation.allCases {
            var values: [Float] = [1.5, -2, 3e-8, 7]
            try local.allReduce(&values, operation)
            #expect(values == [1.5, -2, 3e-8, 7], "\(operation)")
        }
        var broadcast: [Float] = [4, 5]
        try local.broadcast(&broadcast, root: 0)
        #expect(broadcast == [4, 5])
        #expect(try local.allGather([1, 2, 3]) == [1, 2, 3])
        #expect(try local.reduceScatter([1, 2], .mean) == [1, 2])
        #expect(try local.sum([0.1, 60_000]) == [0.1, 60_000])
        try local.barrier()
        #expect(try local.ranksDiffering(from: 0xDEAD_BEEF_0123_4567).isEmpty)
    }

    @Test func badArgumentsAreRefused() {
        let local = LocalCommunicator()
        var values: [Float] = [1]
        #expect(throws: DistributedError.self) { try local.broadcast(&values, root: 1) }
        #expect(throws: DistributedError.self) { _ = try local.reduceScatter([1, 2], .max) }
    }

    @Test func launchersAreRecognisedFromTheirEnvironment() {
        #expect(!Distributed.isLaunchedByMPI(environment: ["HOME": "/root"]))
        #expect(Distributed.isLaunchedByMPI(environment: ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "1"]))
        #expect(Distributed.isLaunchedByMPI(environment: ["SLURM_PROCID": "3"]))
        #expect(Distributed.launcherRank(environment: ["OMPI_COMM_WORLD_RANK": "1"]) == 1)
        #expect(Distributed.launcherRank(environment: ["PMIX_RANK": "5"]) == 5)
        #expect(Distributed.launcherRank(environment: [:]) == 0)
    }
}
