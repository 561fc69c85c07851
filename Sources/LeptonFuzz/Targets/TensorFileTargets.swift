import Foundation
import LeptonData
import LeptonFiles
import LeptonIO
import LeptonTensor

/// Targets for the tensor file formats: safetensors, NPY, NPZ and IDX (gzipped or not).
enum TensorFileTargets {
    static let safetensors = FuzzTarget(
        "safetensors", "weights files (Safetensors.decode)",
        seeds: { _ in
            [
                try Safetensors.encode([("w", Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])), ("b", Tensor([0.5, -0.5]))],
                                       metadata: ["format": "pt"]),
                try Safetensors.encode([("ids", Tensor(int32: [1, 2, 3], shape: [3])), ("q", Tensor(int8: [-1, 0, 1, 2], shape: [2, 2]))]),
                try Safetensors.encode([]),
            ]
        },
        body: { data, _ in _ = try Safetensors.decode(data, file: "fuzz.safetensors") })

    static let npy = FuzzTarget(
        "npy", "NumPy .npy arrays (NPYReader.parse)",
        seeds: { _ in npySeeds() },
        body: { data, _ in _ = try NPYReader.parse(data, source: "fuzz.npy") })

    static let npz = FuzzTarget(
        "npz", "NumPy .npz archives, stored and deflated (NPYReader.readArchive)",
        seeds: { _ in
            let arrays = npySeeds()
            return [
                ZipSeed.archive([("a.npy", arrays[0], false), ("b.npy", arrays[1], false)]),
                ZipSeed.archive([("x.npy", arrays[2], true)]),
            ]
        },
        body: { data, scratch in _ = try NPYReader.readArchive(try scratch.file("fuzz.npz", data)) })

    static let idx = FuzzTarget(
        "idx", "IDX files as MNIST ships them, gzipped or not (IDXReader.read, limit 64)",
        seeds: { _ in
            var seeds: [Data] = []
            let folder = MNIST.defaultDirectory()
            for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
                let url = folder.appendingPathComponent(name)
                guard let gz = try? FileContents.read(url),
                      let raw = try? Gzip.decompress(gz, maximumSize: 64 << 20) else { continue }
                // The header and the first few records, the count rewritten to match: small
                // seeds mutate faster.
                let images = name.contains("images"), count = images ? 4 : 64
                var short = [UInt8](raw.prefix(images ? 16 + count * 784 : 8 + count))
                short.replaceSubrange(4..<8, with: [0, 0, 0, UInt8(count)])
                seeds += [Data(short), Gzip.compress(Data(short), format: .gzip)]
            }
            let tiny = Data([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2] + [UInt8](repeating: 7, count: 8))
            return seeds + [tiny, Gzip.compress(tiny, format: .gzip)]
        },
        body: { data, scratch in _ = try IDXReader.read(try scratch.file("fuzz-idx", data), limit: 64) })

    /// Small arrays of each element type NPY files commonly hold.
    static func npySeeds() -> [Data] {
        func file(_ descr: String, _ shape: String, _ body: [UInt8]) -> Data {
            var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            header += "\n"
            let n = header.utf8.count
            return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + body)
        }
        let floats = [Float](arrayLiteral: 1, -2, 3.5, 0).flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        return [
            file("<f4", "(2, 2)", floats),
            file("|u1", "(3,)", [7, 8, 9]),
            file("<i8", "(1, 2)", [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]),
            file("<i4", "()", [5, 0, 0, 0]),
            file("<f8", "(0, 4)", []),
        ]
    }
}

/// Zip archives for NPZ seeds: entries stored or raw-deflated, with a central directory.
enum ZipSeed {
    static func archive(_ entries: [(name: String, body: Data, deflate: Bool)]) -> Data {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16 & 0xFFFF) }
        var local: [UInt8] = [], central: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let stored = entry.deflate ? Array(Gzip.compress(entry.body, format: .zlib).dropFirst(2).dropLast(4)) : Array(entry.body)
            let method = entry.deflate ? 8 : 0
            let crc = Int(Gzip.crc32(entry.body))
            let fields = u16(method) + u16(0) + u16(0) + u32(crc) + u32(stored.count) + u32(entry.body.count) + u16(name.count) + u16(0)
            central += u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + fields + u16(0) + u16(0) + u16(0) + u32(0) + u32(local.count) + name
            local += u32(0x0403_4B50) + u16(20) + u16(0) + fields + name + stored
        }
        let end = u32(0x0605_4B50) + u16(0) + u16(0) + u16(entries.count) + u16(entries.count) + u32(central.count) + u32(local.count) + u16(0)
        return Data(local + central + end)
    }
}
