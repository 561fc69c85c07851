import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct NPYReaderTests {
    /// Arrays written by NumPy itself into `dir`.
    static let writer = """
    import sys, numpy as np
    d = sys.argv[1]
    np.save(d + '/f32.npy', np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
    np.save(d + '/f64.npy', np.array([[0.1, -2.5], [1e10, 3.0]], dtype=np.float64))
    np.save(d + '/i32.npy', np.array([-2147483648, 0, 2147483647], dtype=np.int32))
    np.save(d + '/i64.npy', np.arange(24, dtype=np.int64).reshape(2, 3, 4) - 12)
    np.save(d + '/u8.npy', np.array([0, 1, 128, 255], dtype=np.uint8))
    np.save(d + '/i8.npy', np.array([-128, -1, 0, 127], dtype=np.int8))
    np.save(d + '/bool.npy', np.array([[True, False], [False, True]]))
    np.save(d + '/scalar.npy', np.float32(7.25))
    np.save(d + '/empty.npy', np.zeros((0, 3), dtype=np.float32))
    np.save(d + '/big.npy', np.array([1, 2**40], dtype=np.int64))
    np.save(d + '/fortran.npy', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.save(d + '/bigendian.npy', np.arange(3, dtype='>f4'))
    np.savez(d + '/stored.npz', a=np.arange(4, dtype=np.float32), b=np.array([[1, 2]], dtype=np.int32))
    np.savez_compressed(d + '/deflated.npz', x=np.linspace(0, 1, 1000, dtype=np.float32), y=np.ones((5, 2), dtype=np.int64))
    """

    func withFiles(_ body: (URL) throws -> Void) throws {
        let dir = try makeTemporaryDirectory("npy")
        defer { try? FileManager.default.removeItem(at: dir) }
        try runPython(Self.writer, [dir.path])
        try body(dir)
    }

    @Test func readsEveryDtypeAndShapeNumPyWrites() throws {
        try withFiles { dir in
            func read(_ name: String) throws -> Tensor { try NPYReader.read(dir.appendingPathComponent(name)) }
            let f32 = try read("f32.npy")
            #expect(f32.dtype == .float32 && f32.shape == [2, 3])
            #expect(f32.scalars == [0, 0.25, 0.5, 0.75, 1, 1.25])
            let f64 = try read("f64.npy")
            #expect(f64.dtype == .float32 && f64.shape == [2, 2])
            #expect(f64.scalars == [0.1, -2.5, 1e10, 3])
            let i32 = try read("i32.npy")
            #expect(i32.dtype == .int32 && i32.int32Scalars == [Int32.min, 0, Int32.max])
            let i64 = try read("i64.npy")
            #expect(i64.dtype == .int32 && i64.shape == [2, 3, 4])
            #expect(i64.int32Scalars == (0..<24).map { Int32($0 - 12) })
            let u8 = try read("u8.npy")
            #expect(u8.dtype == .int32 && u8.int32Scalars == [0, 1, 128, 255])
            let i8 = try read("i8.npy")
            #expect(i8.dtype == .int8 && i8.int32Scalars == [-128, -1, 0, 127])
            let bool = try read("bool.npy")
            #expect(bool.shape == [2, 2] && bool.int32Scalars == [1, 0, 0, 1])
            let scalar = try read("scalar.npy")
            #expect(scalar.shape == [] && scalar.item() == 7.25)
            let empty = try read("empty.npy")
            #expect(empty.shape == [0, 3] && empty.count == 0)
        }
    }

    @Test func readsStoredAndDeflatedArchives() throws {
        try withFiles { dir in
            let stored = try NPYReader.readArchive(dir.appendingPathComponent("stored.npz"))
            #expect(Set(stored.keys) == ["a", "b"])
            #expect(stored["a"]?.scalars == [0, 1, 2, 3])
            #expect(stored["b"]?.shape == [1, 2] && stored["b"]?.int32Scalars == [1, 2])
            let deflated = try NPYReader.readArchive(dir.appendingPathComponent("deflated.npz"))
            #expect(deflated["x"]?.shape == [1000])
            #expect(deflated["x"]?.scalars.last == 1)
            #expect(deflated["y"]?.int32Scalars == Array(repeating: 1, count: 10))
            #expect(dataError { _ = try NPYReader.readArchive(dir.appendingPathComponent("f32.npy")) }?
                .message.contains("not a zip archive") == true)
        }
    }

    @Test func refusesWhatItCannotReadFaithfully() throws {
        try withFiles { dir in
            let fortran = dataError { _ = try NPYReader.read(dir.appendingPathComponent("fortran.npy")) }
            #expect(fortran?.message.contains("Fortran-order") == true)
            #expect(fortran?.source == "fortran.npy")
            let bigEndian = dataError { _ = try NPYReader.read(dir.appendingPathComponent("bigendian.npy")) }
            #expect(bigEndian?.message.contains("dtype >f4 is not supported") == true, "\(String(describing: bigEndian))")
            // An int64 beyond the int32 range is refused, not wrapped.
            let big = dataError { _ = try NPYReader.read(dir.appendingPathComponent("big.npy")) }
            #expect(big?.message.contains("element 1 does not fit in int32") == true, "\(String(describing: big))")
            #expect(dataError { _ = try NPYReader.read(dir.appendingPathComponent("missing.npy")) }?.message == "file not found")
        }
    }

    /// The error parsing `bytes` throws (nil, with an issue, when it parses).
    func parseError(_ bytes: Data, _ source: String) -> DataError? {
        do {
            _ = try NPYReader.parse(bytes, source: source)
            Issue.record("expected a DataError for \(source)")
        } catch let error as DataError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    @Test func rejectsMalformedBytes() throws {
        let dir = try makeTemporaryDirectory("npy")
        defer { try? FileManager.default.removeItem(at: dir) }
        try runPython("import sys, numpy as np; np.save(sys.argv[1], np.arange(6, dtype=np.float32).reshape(2, 3))",
                      [dir.appendingPathComponent("f32.npy").path])
        let good = try Data(contentsOf: dir.appendingPathComponent("f32.npy"))
        #expect(try NPYReader.parse(good, source: "ok").shape == [2, 3])
        // Bad magic.
        var badMagic = good
        badMagic[1] = UInt8(ascii: "X")
        #expect(parseError(badMagic, "m.npy")?.description.hasPrefix("m.npy: not an .npy file") == true)
        #expect(parseError(Data([0x93]), "s")?.message.contains("magic") == true)
        // Truncated data: the header promises 24 bytes.
        let truncated = parseError(Data(good.dropLast(4)), "t.npy")
        #expect(truncated?.message.contains("needs 24 bytes of data, the file holds 20") == true, "\(String(describing: truncated))")
        // Extra trailing bytes are refused too.
        #expect(parseError(good + Data([0]), "t.npy") != nil)
        // A header length running past the end of the file.
        var longHeader = good
        longHeader[8] = 0xFF
        longHeader[9] = 0xFF
        let header = parseError(longHeader, "h.npy")
        #expect(header?.message.contains("header length 65535 runs past the end") == true, "\(String(describing: header))")
        let cut = parseError(Data(good.prefix(40)), "h.npy")
        #expect(cut?.message.contains("runs past the end of the file (40 bytes)") == true, "\(String(describing: cut))")
    }

    @Test func parsesHandWrittenHeadersOfVersion2() throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        while (12 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0]
        let n = header.utf8.count
        bytes += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0] + Array(header.utf8)
        for v: Float in [1.5, -2] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        let t = try NPYReader.parse(Data(bytes), source: "v2.npy")
        #expect(t.shape == [2] && t.scalars == [1.5, -2])
    }

    /// Fuzzing found lying headers whose shape product overflowed (a trap): now an error, before
    /// the tensor is allocated.
    @Test func lyingHeadersAreRefusedBeforeAllocating() {
        let overflow = NPYHeaderTests.file("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }",
                                           data: [0, 0, 0, 0])
        #expect(parseError(overflow, "o.npy")?.message.contains("more elements than can be addressed") == true)
        let huge = NPYHeaderTests.file("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", data: [0])
        #expect(parseError(huge, "h.npy")?.message == "shape [100000, 100000] of <f8 needs 80000000000 bytes of data, the file holds 1")
    }
}
