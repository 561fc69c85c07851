import Foundation
import LeptonServe
import Testing

/// Model configuration files and version policies.
@Suite struct ModelConfigTests {
    func parse(_ json: String) throws -> ModelConfig {
        try ModelConfig.parse(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), defaults: ModelConfig())
    }

    @Test func settingsOverrideTheDefaults() throws {
        let c = try parse(#"{"max_batch_size": 4, "dynamic_batching": {"max_queue_delay_microseconds": 100}, "max_queue_size": 9,"#
                          + #""instance_count": 2, "version_policy": {"specific": {"versions": [1, 3]}}, "input": [{"name": "image"}], "output": [{"name": "p"}]}"#)
        #expect(c == ModelConfig(maxBatchSize: 4, dynamicBatching: true, maxQueueDelayMicroseconds: 100, maxQueueSize: 9, instanceCount: 2,
                                 versionPolicy: .specific([1, 3]), inputNames: ["image"], outputNames: ["p"]))
        #expect(try parse(#"{"dynamic_batching": false}"#).dynamicBatching == false)
        #expect(try parse(#"{"version_policy": {"all": {}}}"#).versionPolicy == .all)
        #expect(try parse("{}") == ModelConfig())
    }

    @Test func versionPoliciesPickVersions() {
        #expect(VersionPolicy.latest(2).select(from: [3, 1, 2]) == [2, 3])
        #expect(VersionPolicy.all.select(from: [2, 1]) == [1, 2])
        #expect(VersionPolicy.specific([1, 5]).select(from: [1, 2, 3]) == [1])
    }

    @Test func badSettingsNameTheKey() {
        let cases = [
            (#"{"max_batch": 4}"#, "unknown key 'max_batch'"),
            (#"{"max_batch_size": -1}"#, "max_batch_size must be an integer in 0...65536, got -1"),
            (#"{"dynamic_batching": 3}"#, "dynamic_batching must be an object or false"),
            (#"{"dynamic_batching": {"delay": 3}}"#, "dynamic_batching.delay is not a setting"),
            (#"{"version_policy": {"newest": {}}}"#, "unknown policy 'newest'"),
            (#"{"version_policy": {"latest": {"num_versions": 0}}}"#, "num_versions must be an integer in 1...1000000, got 0"),
            (#"{"input": [{"label": "x"}]}"#, "input[0] must be an object with a non-empty \"name\""),
            ("[1]", "expected a JSON object"),
        ]
        for (json, expected) in cases {
            do {
                _ = try parse(json)
                Issue.record("\(json) was accepted")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
    }

    /// Issue 19: every numeric setting is range-checked before it is used; the error names the
    /// setting, the value and the accepted range.
    @Test func hostileNumbersAreRefusedWithTheAcceptedRange() throws {
        let cases = [
            (#"{"dynamic_batching": {"max_queue_delay_microseconds": 10000000000000000}}"#,
             "dynamic_batching.max_queue_delay_microseconds must be an integer in 0...60000000, got 10000000000000000"),
            (#"{"dynamic_batching": {"max_queue_delay_microseconds": -1}}"#, "must be an integer in 0...60000000, got -1"),
            (#"{"instance_count": 100000000}"#, "instance_count must be an integer in 1...64, got 100000000"),
            (#"{"instance_count": 1.5}"#, "instance_count must be an integer in 1...64, got 1.5"),
            (#"{"max_batch_size": 1e300}"#, "max_batch_size must be an integer in 0...65536, got 1e+300"),
            (#"{"max_queue_size": 100001}"#, "max_queue_size must be an integer in 1...100000, got 100001"),
            (#"{"max_queue_size": "9"}"#, "max_queue_size must be an integer in 1...100000, got \"9\""),
            (#"{"version_policy": {"specific": {"versions": [1, 1000000000000]}}}"#, "1000000000000 is not a version number in 1...1000000"),
        ]
        for (json, expected) in cases {
            do {
                _ = try parse(json)
                Issue.record("\(json) was accepted")
            } catch let error as ServeError {
                #expect(error.status == 400 && error.message == "config.json: " + expected || error.message.hasSuffix(expected), "\(error)")
            }
        }
        #expect(try parse(#"{"max_batch_size": 0}"#).maxBatchSize == 0, "Triton's no batching")
        #expect(try parse(#"{"instance_count": 64, "max_batch_size": 65536, "dynamic_batching": {"max_queue_delay_microseconds": 60000000}}"#).instanceCount == 64)
        #expect(throws: ServeError.badRequest("the server's defaults: instance_count must be an integer in 1...64, got 65")) {
            try ModelConfig(instanceCount: 65).checked(source: "the server's defaults")
        }
    }
}
