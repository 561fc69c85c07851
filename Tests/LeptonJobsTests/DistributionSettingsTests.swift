import Foundation
import LeptonJobs
import LeptonNN
import Testing

/// A training config's `distributed:` section: every key read, flags overriding it, and every
/// bad value or combination one line naming the key (as the config or the flag spells it).
@Suite struct DistributionSettingsTests {
    let base = """
    dataset: {name: mnist, train_limit: 10, test_limit: 10}
    model:
      layers:
        - {type: Flatten}
        - {type: Dense, units: 10, activation: softmax}
    loss: sparse_categorical_crossentropy

    """

    /// The config with `section` as its `distributed:` value, parsed and checked.
    func load(_ section: String) throws -> TrainingConfig {
        try TrainingConfig(try YAMLDocument.parse(base + "distributed: \(section)\n"), file: "job.yaml")
    }

    /// The one-line error the config gives, or "no error".
    func error(_ section: String) -> String {
        do { _ = try load(section) } catch { return "\(error)" }
        return "no error"
    }

    @Test func everyKeyIsRead() throws {
        let ps = try #require(try load("{workers: 3, strategy: parameter-server, ps_mode: async, staleness: 2, dedicated_server: true, rank_timeout: 60, global_batch: true}").distributed)
        #expect(ps.workers == 3 && ps.strategy == .parameterServer && ps.psMode == "async" && ps.staleness == 2)
        #expect(ps.isDedicatedServer && ps.resolvedRankTimeout == 60 && ps.globalBatch == true && ps.resolvedStaleness == 2)
        let dp = try #require(try load("{workers: 2, strategy: data-parallel, bucket_mb: 1.5, no_overlap: true}").distributed)
        #expect(dp.workers == 2 && dp.resolvedStrategy == .dataParallel && dp.bucketBytes == 1_572_864 && dp.noOverlap == true)
        #expect(try load("{}").distributed == DistributionSettings())
        #expect(try TrainingConfig(try YAMLDocument.parse(base), file: "job.yaml").distributed == nil)
    }

    @Test func theShippedExampleParses() throws {
        let example = try #require(try TrainingConfig.load("examples/mnist-cnn-ps.yaml").distributed)
        #expect(example.workers == 3 && example.strategy == .parameterServer && example.isDedicatedServer && example.globalBatch == true)
    }

    @Test func theDefaultsAreTheFlagsDefaults() {
        let none = DistributionSettings()
        #expect(none.resolvedStrategy == .dataParallel && none.resolvedMode == "sync" && none.resolvedStaleness == 0)
        #expect(none.bucketBytes == 25 << 20 && none.resolvedRankTimeout == 300 && !none.isDedicatedServer && none.workers == nil)
        var async = DistributionSettings()
        async.strategy = .parameterServer
        async.psMode = "async"
        #expect(async.resolvedStaleness == 2)
    }

    @Test func badKeysTypesAndValuesNameTheKey() {
        let cases: [(String, String)] = [
            ("{workerz: 2}", "distributed: unknown key workerz; expected keys are workers, strategy, ps_mode"),
            ("3", "distributed: expected a mapping of keys to values, got 3"),
            ("{workers: two}", "distributed.workers: expected an integer, got \"two\""),
            ("{workers: 2.5}", "distributed.workers: expected an integer, got 2.5"),
            ("{workers: 0}", "distributed.workers: expected an integer in 1...256, got 0"),
            ("{workers: 100000}", "distributed.workers: expected an integer in 1...256, got 100000"),
            ("{strategy: gossip}", "distributed.strategy: expected data-parallel or parameter-server, got 'gossip'"),
            ("{strategy: 1}", "distributed.strategy: expected a string, got 1"),
            ("{strategy: parameter-server, ps_mode: fast}", "distributed.ps_mode: expected sync or async, got 'fast'"),
            ("{strategy: parameter-server, ps_mode: async, staleness: -1}", "distributed.staleness: expected at least 0 steps, got -1"),
            ("{strategy: parameter-server, ps_mode: async, staleness: 99999999}", "distributed.staleness: expected at most 1000000 steps, got 99999999"),
            ("{strategy: parameter-server, staleness: 2}", "distributed.staleness: only with ps_mode: async (sync mode steps together)"),
            ("{ps_mode: async}", "distributed.ps_mode: only with strategy: parameter-server"),
            ("{dedicated_server: true}", "distributed.dedicated_server: only with strategy: parameter-server"),
            ("{strategy: parameter-server, dedicated_server: yes please}", "distributed.dedicated_server: expected true or false, got \"yes please\""),
            ("{strategy: parameter-server, dedicated_server: true, workers: 1}",
             "distributed.dedicated_server: needs at least 2 processes (rank 0 serves, the others train), got workers: 1"),
            ("{bucket_mb: 0}", "distributed.bucket_mb: expected a number of megabytes in (0, 4096], got 0.0"),
            ("{bucket_mb: -3}", "distributed.bucket_mb: expected a number of megabytes in (0, 4096], got -3.0"),
            ("{bucket_mb: 1.0e9}", "distributed.bucket_mb: expected a number of megabytes in (0, 4096], got 1000000000.0"),
            ("{bucket_mb: .nan}", "distributed.bucket_mb: expected a number of megabytes in (0, 4096], got nan"),
            ("{strategy: parameter-server, bucket_mb: 4}", "distributed.bucket_mb: only with strategy: data-parallel"),
            ("{strategy: parameter-server, no_overlap: true}", "distributed.no_overlap: only with strategy: data-parallel"),
            ("{rank_timeout: 0.5}", "distributed.rank_timeout: expected at least 1 second, got 0.5"),
            ("{rank_timeout: 1.0e12}", "distributed.rank_timeout: expected at most 604800 seconds (a week), got 1000000000000.0"),
            ("{global_batch: 1}", "distributed.global_batch: expected true or false, got 1"),
        ]
        for (section, expected) in cases {
            let message = error(section)
            #expect(message.contains(expected), "\(section): \(message)")
            #expect(!message.contains("\n"), "\(section): \(message)")
        }
    }

    @Test func flagsOverrideTheConfigAndAreNamedAsFlags() throws {
        let config = try #require(try load("{workers: 2, strategy: parameter-server, ps_mode: async, staleness: 1}").distributed)
        var flags = DistributionSettings()
        flags.workers = 4
        flags.staleness = 3
        let merged = config.overridden(by: flags)
        #expect(merged.workers == 4 && merged.staleness == 3 && merged.psMode == "async" && merged.strategy == .parameterServer)
        #expect(merged.fromFlags == [.workers, .staleness])
        try merged.validate(file: "job.yaml")
        // A flag that conflicts with the config: named as a flag, the config's setting as the config spells it.
        var sync = DistributionSettings()
        sync.psMode = "sync"
        #expect(throws: ConfigError("job.yaml: distributed.staleness: only with --ps-mode async (sync mode steps together)")) {
            try config.overridden(by: sync).validate(file: "job.yaml")
        }
        var dataParallel = DistributionSettings()
        dataParallel.strategy = .dataParallel
        #expect(throws: ConfigError("job.yaml: distributed.ps_mode: only with --strategy parameter-server")) {
            try config.overridden(by: dataParallel).validate(file: "job.yaml")
        }
        // Flags alone read as today's flag errors.
        var staleness = DistributionSettings()
        staleness.strategy = .parameterServer
        staleness.staleness = 2
        #expect(throws: ConfigError("--staleness: only with --ps-mode async (sync mode steps together)")) {
            try DistributionSettings().overridden(by: staleness).validate(file: "job.yaml")
        }
        var psMode = DistributionSettings()
        psMode.psMode = "sync"
        #expect(throws: ConfigError("--ps-mode: only with --strategy parameter-server")) {
            try DistributionSettings().overridden(by: psMode).validate()
        }
    }

    @Test func flagNamesMirrorTheConfigKeys() {
        #expect(DistributionSettings.Key.allCases.map(\.flag) == ["--workers", "--strategy", "--ps-mode", "--staleness", "--dedicated-server",
                                                                 "--bucket-mb", "--rank-timeout", "--global-batch", "--no-overlap"])
    }
}
