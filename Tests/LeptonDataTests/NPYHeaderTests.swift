import Foundation
import Testing
import LeptonData

/// The one `.npy` header parser: what NumPy writes, what Lepton writes (NumPy reads it back),
/// and hostile headers refused before anything is allocated.
@Suite struct NPYHeaderTests {
    /// An `.npy` file of format `version` with the given header dictionary and data bytes.
    static func file(_ dict: String, data: [UInt8] = [], version: UInt8 = 1) -> Data {
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        let n = dict.utf8.count
        bytes += version == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0]
        return Data(bytes + Array(dict.utf8) + data)
    }

    func parse(_ data: Data) throws -> NPYHeader {
        try data.withUnsafeBytes { try NPYHeader.parse($0, fileSize: $0.count, source: "h.npy") }
    }

    @Test func encodedHeadersAreWhatNumPyReads() throws {
        let dir = try makeTemporaryDirectory("npyheader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let header = try NPYHeader(elementType: .float32, shape: [3, 2, 1])
        #expect(header.dataOffset % 64 == 0 && header.count == 6 && header.dataSize == 24)
        var bytes = header.encoded()
        #expect(bytes.count == header.dataOffset)
        for v: Float in [0, 0.5, 1, 1.5, 2, 255] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        let url = dir.appendingPathComponent("x.npy")
        try bytes.write(to: url)
        let seen = try runPython("import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype, a.shape, a.ravel().tolist())", [url.path])
        #expect(seen.trimmingCharacters(in: .whitespacesAndNewlines) == "float32 (3, 2, 1) [0.0, 0.5, 1.0, 1.5, 2.0, 255.0]")
        #expect(try parse(bytes) == header)
        let labels = try NPYHeader(elementType: .int64, shape: [7])
        #expect(try parse(labels.encoded() + Data(count: 56)) == labels)
        #expect(try parse(NPYHeader(elementType: .uint8, shape: []).encoded() + Data([9])).shape == [])
    }

    /// Fuzzing found headers whose shape product overflowed `Int` (a trap, not an error).
    @Test func shapeProductsThatOverflowAreRefused() {
        let cases = [
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }",   // 2^61 × 8 bytes
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 0), }",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (9223372036854775807, 2), }",
        ]
        for dict in cases {
            let error = dataError { _ = try parse(Self.file(dict, data: [1, 2, 3, 4])) }
            #expect(error?.message.contains("more elements than can be addressed") == true, "\(dict): \(String(describing: error))")
        }
        #expect(throws: DataError.self) { try NPYHeader(elementType: .float32, shape: [1 << 62, 4]) }
    }

    @Test func lyingSizesAndHeadersAreRefusedWithWhatWasExpected() {
        let claimsMore = dataError { _ = try parse(Self.file("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 784), }", data: [0, 0, 0, 0])) }
        #expect(claimsMore?.message == "shape [1000, 784] of <f4 needs 3136000 bytes of data, the file holds 4")
        let claimsLess = dataError { _ = try parse(Self.file("{'descr': '<i8', 'fortran_order': False, 'shape': (0,), }", data: [1])) }
        #expect(claimsLess?.message.contains("needs 0 bytes of data, the file holds 1") == true)
        let hugeHeader = dataError { _ = try parse(Data([0x93] + Array("NUMPY".utf8) + [2, 0, 0xF0, 0xFF, 0xFF, 0x7F])) }
        #expect(hugeHeader?.message.contains("exceeds \(NPYHeader.maximumHeaderLength) bytes") == true, "\(String(describing: hugeHeader))")
        let version = dataError { _ = try parse(Self.file("{}", version: 9)) }
        #expect(version?.message.contains("format version 9.0 is not supported") == true)
        let negative = dataError { _ = try parse(Self.file("{'descr': '<f4', 'shape': (-1, 2), }")) }
        #expect(negative?.message.contains("not a tuple of non-negative integers") == true)
        let notANumber = dataError { _ = try parse(Self.file("{'descr': '<f4', 'shape': (99999999999999999999,), }")) }
        #expect(notANumber?.message.contains("not a tuple of non-negative integers") == true)
        let structured = dataError { _ = try parse(Self.file("{'descr': [('a', '<f4')], 'shape': (1,), }", data: [0, 0, 0, 0])) }
        #expect(structured?.message.contains("is not supported") == true)
        let noShape = dataError { _ = try parse(Self.file("{'descr': '<f4'}")) }
        #expect(noShape?.message.contains("lacks 'descr' or 'shape'") == true)
    }
}
