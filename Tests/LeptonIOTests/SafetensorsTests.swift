import Foundation
import Testing
import LeptonIO
import LeptonTensor

/// The safetensors reader and writer: round trips, files from and for the reference
/// implementation, and truncated, corrupt or hostile files, each rejected with an ``IOError``
/// that names the problem, before any tensor is allocated.
@Suite struct SafetensorsTests {
    /// A file with `header` as its JSON header and `data` after it; `length` overrides the
    /// header length field.
    func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        var out = Data()
        withUnsafeBytes(of: (length ?? UInt64(header.utf8.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    /// The error message decoding `data` gives ("no error" when it decodes).
    func decodeError(_ data: Data) -> String {
        do {
            _ = try Safetensors.decode(data, file: "weights.safetensors")
        } catch let error as IOError {
            return error.description
        } catch {
            return "not an IOError: \(error)"
        }
        return "no error"
    }

    @Test func roundTripKeepsNamesShapesValuesAndMetadata() throws {
        let tensors: [(String, Tensor)] = [
            ("b", Tensor([1.5, -2, 3, 4, 5, 6], shape: [2, 3])), ("a", Tensor(int32: [7, -8], shape: [2])),
            ("c", Tensor(int8: [-1, 2, 3], shape: [3, 1])), ("scalar", Tensor(Float(0.25))),
            ("empty", Tensor.zeros([0, 4])),
        ]
        let (read, metadata) = try Safetensors.decode(try Safetensors.encode(tensors, metadata: ["format": "pt"]))
        #expect(metadata == ["format": "pt"])
        #expect(Set(read.keys) == Set(tensors.map(\.0)))
        for (name, t) in tensors {
            #expect(read[name]!.shape == t.shape && read[name]!.dtype == t.dtype, "\(name)")
            #expect(read[name]!.scalars == t.scalars, "\(name)")
        }
    }

    @Test func headerOrderNeedNotFollowDataOrder() throws {
        let header = #"{"second":{"dtype":"I8","shape":[2],"data_offsets":[1,3]},"first":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}"#
        let (tensors, _) = try Safetensors.decode(file(header, data: [9, 1, 2]))
        #expect(tensors["first"]!.scalars == [9] && tensors["second"]!.scalars == [1, 2])
    }

    @Test func fileTooShortForAHeaderLength() {
        #expect(decodeError(Data([1, 2, 3])).contains("file is 3 bytes, too short for a safetensors header length"))
    }

    @Test func headerLengthPastTheEndOfTheFile() {
        #expect(decodeError(file("{}", length: 1000)).contains("header length 1000 runs past the end of the file (10 bytes)"))
    }

    @Test func absurdHeaderLengthsAreRefusedBeforeReading() {
        for length: UInt64 in [1 << 60, UInt64.max, UInt64(Safetensors.maximumHeaderBytes) + 1] {
            #expect(decodeError(file("{}", length: length)).contains("header length \(length) exceeds the 100000000-byte limit"))
        }
    }

    @Test func headerThatIsNotJSONOrNotAnObject() {
        #expect(decodeError(file("not json at all")).contains("header is not valid JSON"))
        #expect(decodeError(file("[1, 2]")).contains("header is not a JSON object"))
        #expect(decodeError(file(String(repeating: "[", count: 100_000))).contains("header is not valid JSON"))
        #expect(decodeError(file(#"{"t": 3}"#)).contains("tensor 't': entry must be an object"))
    }

    @Test func offsetsPastTheEndOfTheData() {
        let header = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        #expect(decodeError(file(header, data: [0, 0, 0, 0])).contains("tensor 'w': data_offsets [0, 8] run past the end of the data (4 bytes"))
    }

    @Test func hugeClaimedTensorInASmallFileAllocatesNothing() {
        // 4 GB claimed by a 100-byte file: refused from the header alone.
        let header = #"{"w":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}}"#
        #expect(decodeError(file(header, data: [1, 2, 3, 4])).contains("run past the end of the data (4 bytes"))
        // Many entries sharing one range would allocate the range many times: refused as overlapping.
        let shared = (0..<1000).map { #""t\#($0)":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"# }.joined(separator: ",")
        #expect(decodeError(file("{\(shared)}", data: [0, 0, 0, 0])).contains("overlap in the data section"))
    }

    @Test func overlappingGapsAndTrailingBytes() {
        let overlap = #"{"a":{"dtype":"I8","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"I8","shape":[2],"data_offsets":[2,4]}}"#
        #expect(decodeError(file(overlap, data: [1, 2, 3, 4])).contains("tensors 'a' and 'b' overlap in the data section (byte 2)"))
        let gap = #"{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"I8","shape":[1],"data_offsets":[2,3]}}"#
        #expect(decodeError(file(gap, data: [1, 2, 3])).contains("bytes 1..<2 of the data section belong to no tensor (before 'b')"))
        let trailing = #"{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}"#
        #expect(decodeError(file(trailing, data: [1, 2, 3])).contains("the data section has 3 bytes but the tensors cover 1"))
    }

    @Test func offsetsThatAreNotARange() {
        let backwards = #"{"a":{"dtype":"I8","shape":[0],"data_offsets":[4,0]}}"#
        #expect(decodeError(file(backwards, data: [1, 2, 3, 4])).contains("tensor 'a': data_offsets [4, 0] are not a range"))
        let negative = #"{"a":{"dtype":"I8","shape":[1],"data_offsets":[-1,0]}}"#
        #expect(decodeError(file(negative, data: [1])).contains("data_offsets [-1, 0] are not a range"))
        for offsets in ["[0]", "[0, 1.5]", "[0, true]", "\"0,1\"", "[0, 18446744073709551615]"] {
            let header = #"{"a":{"dtype":"I8","shape":[1],"data_offsets":\#(offsets)}}"#
            #expect(decodeError(file(header, data: [1])).contains("tensor 'a': data_offsets must be two integers"), "\(offsets)")
        }
    }

    @Test func shapeAndDtypeMustMatchTheByteRange() {
        let header = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#
        #expect(decodeError(file(header, data: Array(repeating: 0, count: 12)))
            .contains("tensor 'w': shape [2, 2] of F32 needs 16 bytes, data_offsets [0, 12] give 12"))
    }

    @Test func shapesTooLargeToAddressDoNotOverflow() {
        for shape in ["[4611686018427387904]", "[1099511627776, 1099511627776]", "[9223372036854775807, 2]"] {
            let header = #"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,4]}}"#
            #expect(decodeError(file(header, data: [0, 0, 0, 0])).contains("is too large to address"), "\(shape)")
        }
    }

    @Test func unknownDtypesNegativeDimsAndBadShapes() {
        let unknown = #"{"w":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#
        #expect(decodeError(file(unknown, data: [0, 0])).contains("tensor 'w': dtype F16 is not supported (expected F32, I32 or I8)"))
        let negative = #"{"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,0]}}"#
        #expect(decodeError(file(negative)).contains("tensor 'w': shape [-1, 4] has a negative dimension"))
        let notList = #"{"w":{"dtype":"F32","shape":"big","data_offsets":[0,0]}}"#
        #expect(decodeError(file(notList)).contains("tensor 'w': shape must be a list of integers"))
        let noDtype = #"{"w":{"shape":[1],"data_offsets":[0,4]}}"#
        #expect(decodeError(file(noDtype, data: [0, 0, 0, 0])).contains("tensor 'w': dtype is missing"))
        let deep = #"{"w":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}}"#
        #expect(decodeError(file(deep, data: [0, 0, 0, 0])).contains("has 9 dimensions (at most 8"))
    }

    @Test func truncatedFilesAreReported() throws {
        let whole = try Safetensors.encode([("w", Tensor([1, 2, 3, 4], shape: [4])), ("v", Tensor([5, 6], shape: [2]))])
        for cut in [whole.count - 1, whole.count - 9, 20] {
            let message = decodeError(whole.prefix(cut))
            #expect(message.contains("run past the end") || message.contains("header length"), "cut at \(cut): \(message)")
        }
    }

    @Test func duplicateNamesAreRefused() {
        let header = #"{"w":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"I8","shape":[1],"data_offsets":[1,2]}}"#
        #expect(decodeError(file(header, data: [1, 2])).contains("header names tensor 'w' more than once"))
        let escaped = #"{"w":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},"\u0077":{"dtype":"I8","shape":[1],"data_offsets":[1,2]}}"#
        #expect(decodeError(file(escaped, data: [1, 2])).contains("header names tensor 'w' more than once"))
        // Nested keys of the same name (every entry has "dtype") are not duplicates.
        let nested = #"{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},"b\"{":{"dtype":"I8","shape":[1],"data_offsets":[1,2]}}"#
        #expect(decodeError(file(nested, data: [1, 2])) == "no error")
    }

    @Test func metadataMustBeStrings() {
        #expect(decodeError(file(#"{"__metadata__":{"epoch":3}}"#)).contains("__metadata__ must map strings to strings"))
    }

    @Test func missingFilesAndFoldersAreReported() throws {
        try withTemporaryDirectory("st") { dir in
            #expect(errorMessage { _ = try Safetensors.read(dir.appendingPathComponent("none.safetensors")) }.contains("file not found"))
            #expect(errorMessage { _ = try Safetensors.read(dir) }.contains("is a folder, expected a safetensors file"))
        }
    }

    @Test func filesAgreeWithTheReferenceImplementation() throws {
        guard (try? runPython("import safetensors")) != nil else {
            Issue.record("the Python safetensors package is not installed (scripts/setup.sh installs it)")
            return
        }
        try withTemporaryDirectory("st-py") { dir in
            let ours = dir.appendingPathComponent("ours.safetensors"), theirs = dir.appendingPathComponent("theirs.safetensors")
            try Safetensors.write([("w", Tensor([1.5, -2, 3, 4], shape: [2, 2])), ("i", Tensor(int32: [3, -4, 5], shape: [3]))],
                                  metadata: ["lepton": "1"], to: ours)
            let script = """
            import sys, numpy as np
            from safetensors.numpy import load_file, save_file
            from safetensors import safe_open
            t = load_file(sys.argv[1])
            assert t["w"].dtype == np.float32 and t["w"].tolist() == [[1.5, -2.0], [3.0, 4.0]], t
            assert t["i"].dtype == np.int32 and t["i"].tolist() == [3, -4, 5], t
            assert safe_open(sys.argv[1], "np").metadata() == {"lepton": "1"}
            save_file({"z": np.arange(6, dtype=np.float32).reshape(3, 2), "k": np.array([-7, 8], dtype=np.int8)},
                      sys.argv[2], metadata={"from": "python"})
            """
            _ = try runPython(script, [ours.path, theirs.path])
            let (tensors, metadata) = try Safetensors.read(theirs)
            #expect(metadata == ["from": "python"])
            #expect(tensors["z"]!.shape == [3, 2] && tensors["z"]!.scalars == [0, 1, 2, 3, 4, 5])
            #expect(tensors["k"]!.dtype == .int8 && tensors["k"]!.scalars == [-7, 8])
        }
    }
}
