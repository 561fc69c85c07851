import Foundation
import LeptonJobs
import LeptonNN
import Testing

/// YAML configs are read within bounds (issue 19: an alias "billion laughs" grew past 4 GB).
@Suite struct YAMLDocumentTests {
    static func billionLaughs(levels: Int) -> String {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1..<levels {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        return text
    }

    @Test func aliasBombIsRefusedBeforeItExpands() {
        let start = Date()
        #expect {
            _ = try YAMLDocument.parse(Self.billionLaughs(levels: 9))   // 10⁹ scalars once expanded
        } throws: { error in
            "\(error)".contains("expands to more than 100000 nodes")
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func aliasesWithinTheBoundStillWork() throws {
        let value = try YAMLDocument.parse("base: &b {units: 8}\nlayers: [*b, *b]\n")
        #expect(value == .object(["base": .object(["units": .int(8)]),
                                  "layers": .array([.object(["units": .int(8)]), .object(["units": .int(8)])])]))
    }

    /// Yams reads `1:30` as 90 (YAML 1.1 base 60) with unchecked arithmetic: twelve parts
    /// overflowed its power of 60 and stopped the process (a fuzzer's find). Such a value is
    /// refused by name; small ones still read as before, quoted ones as text.
    @Test func base60IntegersThatOverflowAreRefused() throws {
        for text in ["1:1:1:1:1:1:1:1:1:1:1:1", "9223372036854775807:0", "-1:1:1:1:1:1:1:1:1:1:1:1", "1_0:0:0:0:0:0:0:0:0:0:0:0"] {
            #expect(throws: ConfigError.self, "\(text)") { _ = try YAMLDocument.parse("epochs: \(text)\n") }
            #expect(errorText { _ = try YAMLDocument.parse("epochs: \(text)\n") }.contains("reads as a YAML 1.1 base-60 integer"))
        }
        #expect(try YAMLDocument.parse("a: 1:30\nb: -2:0:0\nc: '1:1:1:1:1:1:1:1:1:1:1:1'\n")
                == .object(["a": .int(90), "b": .int(-7200), "c": .string("1:1:1:1:1:1:1:1:1:1:1:1")]))
        // Ten parts fit (1:0:…:0 is 60⁹, and Yams's last power of 60 is 60¹⁰); eleven do not (60¹¹ > Int.max).
        #expect(try YAMLDocument.parse("a: 1:0:0:0:0:0:0:0:0:0\n") == .object(["a": .int(10_077_696_000_000_000)]))
        #expect(throws: ConfigError.self) { _ = try YAMLDocument.parse("a: 1:0:0:0:0:0:0:0:0:0:0\n") }
    }

    /// The description of the error `body` throws.
    func errorText(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect { _ = try YAMLDocument.parse("a: " + deep) } throws: { "\($0)".contains("nested 100000 deep") }
        // Brackets inside quotes and comments do not count.
        #expect(throws: Never.self) { _ = try YAMLDocument.parse("a: \"\(String(repeating: "[", count: 200))\" # [[[[[[\n") }
    }

    @Test func oversizedFilesAreRefusedBeforeReading() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-big-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(repeating: UInt8(ascii: "#"), count: YAMLDocument.maximumBytes + 1).write(to: url)
        #expect { _ = try YAMLDocument.read(url.path) } throws: { "\($0)".contains("a config may hold at most 4194304 bytes") }
        #expect { _ = try YAMLDocument.read("/dev/zero") } throws: { "\($0)".contains("cannot read the file") }
    }

    @Test(arguments: [
        ("epochs: 1e300", "epochs: expected an integer, got 1e+300"),
        ("epochs: 1e19", "epochs: expected an integer, got 1e+19"),
        ("batch_size: -4", "batch_size: expected an integer ≥ 1, got -4"),
        ("seed: -1", "seed: expected an integer ≥ 0, got -1"),
        ("validation_split: .nan", "validation_split: expected a number in [0, 1), got nan"),
    ])
    func numbersOutOfRangeAreRefused(line: String, expected: String) throws {
        let text = "dataset: {name: mnist}\nmodel: {layers: [{type: Dense, units: 10}]}\nloss: mse\n" + line + "\n"
        #expect { _ = try TrainingConfig(try YAMLDocument.parse(text), file: "c.yaml") } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test(arguments: [
        ("test_fraction: 1.5", "dataset.test_fraction: expected a number in (0, 1), got 1.5"),
        ("test_fraction: .nan", "dataset.test_fraction: expected a number in (0, 1), got nan"),
        ("sequence_length: 1000000000", "dataset.sequence_length: expected an integer in 1...65536, got 1000000000"),
        ("max_vocabulary: 1e300", "dataset.max_vocabulary: expected an integer, got 1e+300"),
    ])
    func datasetNumbersOutOfRangeAreRefused(setting: String, expected: String) throws {
        let text = "dataset: {name: sentiment, \(setting)}\nmodel: {layers: [{type: Dense, units: 1}]}\nloss: mse\n"
        let config = try TrainingConfig(try YAMLDocument.parse(text), file: "c.yaml")
        #expect { _ = try config.loadData() } throws: { "\($0)".contains(expected) }
    }
}
