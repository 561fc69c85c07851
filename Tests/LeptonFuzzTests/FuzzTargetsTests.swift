import Foundation
import Testing
import LeptonFuzz

/// The fuzz targets `scripts/fuzz.sh` drives, run in the test suite: each target's seeds are
/// valid inputs its reader accepts (so a target or seed that breaks fails here, not silently in
/// a fuzzing campaign); every input a campaign found (`Regressions/<target>/`) is replayed; and
/// a few hundred seeded mutations of every seed must each be accepted or refused with an error.
@Suite(.serialized) struct FuzzTargetsTests {
    let scratch: FuzzScratch

    init() throws {
        scratch = try FuzzScratch()
    }

    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions")

    @Test func targetNamesAreUniqueAndFound() {
        let names = FuzzTargets.all.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names { #expect(FuzzTargets.named(name)?.name == name) }
        #expect(FuzzTargets.named("no-such-target") == nil)
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func seedsAreAccepted(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let seeds = try target.seeds(scratch: scratch)
        #expect(seeds.count >= 2, "\(name): a target needs seeds to start from")
        for (i, seed) in seeds.enumerated() {
            #expect(target.run(seed, scratch: scratch) == .accepted, "\(name): seed \(i) was refused")
        }
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func mutatedSeedsAreAcceptedOrRefused(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        var random = SplitMix(seed: 0x5EED ^ UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF))
        var refused = 0, runs = 0
        for seed in try target.seeds(scratch: scratch) {
            for _ in 0..<Self.mutationsPerSeed {
                if case .rejected = target.run(Self.mutate(seed, &random), scratch: scratch) { refused += 1 }
                runs += 1
            }
        }
        // Reaching here means no mutation crashed or hung the reader; most must be refused, or
        // the mutations are not reaching the reader's checks.
        #expect(refused > 0, "\(name): \(runs) mutations, none refused")
    }

    @Test func regressionInputsAreRefusedOrAccepted() throws {
        let folders = (try? FileManager.default.contentsOfDirectory(at: Self.regressions, includingPropertiesForKeys: nil)) ?? []
        for folder in folders where folder.hasDirectoryPath {
            let target = try #require(FuzzTargets.named(folder.lastPathComponent), "Regressions/\(folder.lastPathComponent) names no target")
            for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) {
                _ = target.run(try Data(contentsOf: file), scratch: scratch)
            }
        }
    }

    static let mutationsPerSeed = 60

    /// One of libFuzzer's simpler mutations: flip bits, overwrite with an interesting value,
    /// insert, erase, truncate or duplicate a chunk.
    static func mutate(_ seed: Data, _ random: inout SplitMix) -> Data {
        var bytes = [UInt8](seed)
        for _ in 0..<(1 + random.next(4)) {
            let at = bytes.isEmpty ? 0 : random.next(bytes.count)
            switch random.next(6) {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << random.next(8))
            case 1 where !bytes.isEmpty: bytes[at] = [0, 0xFF, 0x7F, 0x80, UInt8(ascii: "9"), UInt8(ascii: "-")][random.next(6)]
            case 2: bytes.insert(contentsOf: [UInt8](repeating: UInt8(random.next(256)), count: 1 + random.next(8)), at: at)
            case 3 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.next(16)))
            case 4: bytes = Array(bytes.prefix(random.next(bytes.count + 1)))
            default:
                let end = min(bytes.count, at + 1 + random.next(32))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            }
        }
        return Data(bytes)
    }
}

/// A small seeded generator (SplitMix64) for reproducible mutations.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return bound <= 0 ? 0 : Int(z % UInt64(bound))
    }
}
