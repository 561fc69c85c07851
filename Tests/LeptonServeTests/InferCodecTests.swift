import Foundation
import LeptonServe
import Testing

/// The V2 JSON and binary tensor codec: every datatype, nested and flat data, and each malformed
/// request answered with a message that names the problem.
@Suite struct InferCodecTests {
    func decode(_ json: String, binary: [UInt8] = [], headerLength: Bool = false) throws -> InferRequest {
        let bytes = Array(json.utf8) + binary
        return try InferCodec.decodeRequest(bytes, headerLength: headerLength ? String(json.utf8.count) : nil)
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch let error as ServeError { return "\(error.status) \(error.message)" } catch { return "\(error)" }
    }

    @Test func everyDatatypeDecodesFromJSON() throws {
        let cases: [(String, String, [UInt8])] = [
            ("BOOL", "[true, false]", [1, 0]),
            ("UINT8", "[1, 255]", [1, 255]),
            ("UINT16", "[1, 65535]", [1, 0, 255, 255]),
            ("UINT32", "[1, 2]", [1, 0, 0, 0, 2, 0, 0, 0]),
            ("UINT64", "[18446744073709551615, 0]", [255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("INT8", "[-1, 127]", [255, 127]),
            ("INT16", "[-2, 3]", [254, 255, 3, 0]),
            ("INT32", "[-1, 1]", [255, 255, 255, 255, 1, 0, 0, 0]),
            ("INT64", "[-9223372036854775808, 1]", [0, 0, 0, 0, 0, 0, 0, 128, 1, 0, 0, 0, 0, 0, 0, 0]),
            ("FP16", "[1.0, -2.0]", [0, 60, 0, 192]),
            ("FP32", "[1.0, 0.5]", [0, 0, 128, 63, 0, 0, 0, 63]),
            ("FP64", "[1.0, 2]", [0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 0, 64]),
        ]
        for (type, data, bytes) in cases {
            let request = try decode(#"{"inputs": [{"name": "x", "shape": [2], "datatype": "\#(type)", "data": \#(data)}]}"#)
            #expect(request.inputs[0].elements == .fixed(bytes), "\(type)")
            #expect(request.inputs[0].datatype.rawValue == type)
        }
        let strings = try decode(#"{"inputs": [{"name": "s", "shape": [2], "datatype": "BYTES", "data": ["ab", "é"]}]}"#)
        #expect(strings.inputs[0].elements == .strings([[97, 98], [195, 169]]))
    }

    @Test func nestedAndFlatDataAgreeAndIdIsKept() throws {
        let nested = try decode(#"{"id": "r1", "inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4]]}]}"#)
        let flat = try decode(#"{"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]}]}"#)
        #expect(nested.inputs[0].floats() == [1, 2, 3, 4])
        #expect(nested.inputs == flat.inputs)
        #expect(nested.id == "r1")
    }

    @Test func theRequestTimeoutParameterIsMicrosecondsAndTheShorterLimitApplies() throws {
        let body = #"{"parameters": {"timeout": 2500}, "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}"#
        let request = try decode(body)
        #expect(request.timeout == .microseconds(2500))
        #expect(request.effectiveTimeout(server: .seconds(60)) == .microseconds(2500))
        #expect(request.effectiveTimeout(server: .milliseconds(1)) == .milliseconds(1))
        #expect(request.effectiveTimeout(server: nil) == .microseconds(2500))
        let plain = try decode(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}"#)
        #expect(plain.timeout == nil && plain.effectiveTimeout(server: .seconds(6)) == .seconds(6))
        for bad in ["-5", "0", "\"soon\"", "1.5"] {
            #expect(message { try decode(body.replacingOccurrences(of: "2500", with: bad)) }
                    == "400 malformed inference request: parameters.timeout must be a positive number of microseconds", "\(bad)")
        }
    }

    @Test func classificationParameterIsReadAndChecked() throws {
        let body = #"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "y", "parameters": {"classification": 3}}]}"#
        #expect(try decode(body).outputs == [RequestedOutput(name: "y", classification: 3)])
        #expect(message { try decode(body.replacingOccurrences(of: ": 3}", with: ": 0}")) }
                == "400 malformed inference request: outputs[0].parameters.classification must be a positive number of classes")
    }

    @Test func binaryInputsFollowTheHeaderInOrder() throws {
        let json = #"{"inputs": [{"name": "a", "shape": [2], "datatype": "FP32", "parameters": {"binary_data_size": 8}},"#
            + #"{"name": "s", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": 11}},"#
            + #"{"name": "b", "shape": [1], "datatype": "BOOL", "data": [true]}], "parameters": {"binary_data_output": true}}"#
        let a = V2Tensor.bytes(of: [Float(1.5), -2])
        let s: [UInt8] = [3, 0, 0, 0, 120, 121, 122, 0, 0, 0, 0]
        let request = try decode(json, binary: a + s, headerLength: true)
        #expect(request.inputs[0].floats() == [1.5, -2])
        #expect(request.inputs[1].elements == .strings([[120, 121, 122], []]))
        #expect(request.inputs[2].elements == .fixed([1]))
        #expect(request.binaryDataOutput)
    }

    @Test func malformedRequestsSayWhatIsWrong() {
        let header = #"{"inputs": [{"name": "a", "shape": [2], "datatype": "FP32", "parameters": {"binary_data_size": 8}}]}"#
        let cases: [(() throws -> Any, String)] = [
            ({ try decode("{\"inputs\": [") }, "400 malformed inference request"),
            ({ try decode(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "REAL", "data": [1]}]}"#) }, "datatype \"REAL\" is not a V2 datatype"),
            ({ try decode(#"{"inputs": [{"name": "x", "shape": [3], "datatype": "FP32", "data": [1, 2]}]}"#) }, "shape [3] needs 3 elements, got 2"),
            ({ try decode(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "INT8", "data": [300]}]}"#) }, "data must be a nested or flat list of INT8 values; element 0 is 300"),
            ({ try decode(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": ["a"]}]}"#) }, "FP32 values"),
            ({ try decode(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32"}]}"#) }, "neither data nor parameters.binary_data_size"),
            ({ try decode(header, binary: [1, 2, 3], headerLength: true) }, "only 3 remain in the body (truncated binary payload)"),
            ({ try decode(header, binary: Array(repeating: 0, count: 8)) }, "needs the Inference-Header-Content-Length header"),
            ({ try decode(header) }, "has binary_data_size but the request has no Inference-Header-Content-Length header"),
            ({ try decode(header, binary: Array(repeating: 0, count: 12), headerLength: true) }, "4 bytes after the JSON header"),
            ({ try InferCodec.decodeRequest(Array("{}".utf8), headerLength: "9") }, "is 9 but the body has only 2 bytes"),
            ({ try InferCodec.decodeRequest(Array("{}".utf8), headerLength: "x") }, "must be a non-negative integer"),
            ({ try decode(#"{"inputs": [{"name": "s", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 6}}]}"#,
                          binary: [9, 0, 0, 0, 1, 2], headerLength: true) }, "claims 9 bytes but only 2 remain"),
            ({ try decode(#"{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "parameters": {"binary_data_size": 6}}]}"#,
                          binary: Array(repeating: 0, count: 6), headerLength: true) }, "not a whole number of FP32 elements"),
        ]
        for (body, expected) in cases {
            let text = message(body)
            #expect(text.contains(expected), "\(text) should contain \(expected)")
            #expect(text.hasPrefix("400"), "\(text)")
        }
    }

    @Test func responsesEncodeAsJSONOrBinary() throws {
        let y = V2Tensor(name: "y", floats: [0.25, 0.75], shape: [1, 2])
        let (json, none) = try InferCodec.encodeResponse(InferResponse(modelName: "m", modelVersion: "1", id: "q", outputs: [(y, false)]))
        #expect(none == nil)
        let object = try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any]
        #expect(object["id"] as? String == "q")
        let output = (object["outputs"] as! [[String: Any]])[0]
        #expect(output["data"] as? [Double] == [0.25, 0.75] && output["shape"] as? [Int] == [1, 2] && output["datatype"] as? String == "FP32")
        let (body, length) = try InferCodec.encodeResponse(InferResponse(modelName: "m", modelVersion: "1", id: nil, outputs: [(y, true)]))
        let header = try JSONSerialization.jsonObject(with: Data(body[0..<length!])) as! [String: Any]
        let parameters = (header["outputs"] as! [[String: Any]])[0]["parameters"] as! [String: Int]
        #expect(parameters["binary_data_size"] == 8)
        #expect(Array(body[length!...]) == V2Tensor.bytes(of: [Float(0.25), 0.75]))
    }

    @Test func rowsSplitAndJoin() throws {
        let t = V2Tensor(name: "x", floats: [1, 2, 3, 4, 5, 6], shape: [3, 2])
        #expect(t.rows(1..<3).floats() == [3, 4, 5, 6] && t.rows(1..<3).shape == [2, 2])
        #expect(V2Tensor.concatenateRows([t.rows(0..<1), t.rows(1..<3)]) == t)
        let s = try V2Tensor(name: "s", datatype: .bytes, shape: [2, 1], elements: .strings([[1], [2, 3]]))
        #expect(V2Tensor.concatenateRows([s.rows(0..<1), s.rows(1..<2)]) == s)
    }

    /// Issue 19: a number beyond its datatype (FP32 1e39 is +inf) is a 400 naming the input and
    /// element, as Triton answers; mixed and nested lists still decode element by element.
    @Test func numbersOutsideTheDatatypeRangeAreRefused() throws {
        let cases: [(String, String, String)] = [
            ("FP32", "[1, 1e39]", "element 1 is 1e39, outside the FP32 range ±3.4028235e+38"),
            ("FP32", "[-3.5e38]", "element 0 is -3.5e38, outside the FP32 range"),
            ("FP16", "[65504, 70000]", "element 1 is 70000, outside the FP16 range ±65504"),
            ("FP64", "[1e309]", "element 0 is 1e309, outside the FP64 range"),
            ("UINT8", "[256]", "element 0 is 256, outside the UINT8 range 0...255"),
            ("INT64", "[9223372036854775808]", "element 0 is 9223372036854775808, outside the INT64 range"),
            ("BOOL", "[true, 1]", "element 1 is 1"),
            ("FP32", "[1, true]", "element 1 is a Boolean"),
            ("FP32", "[1, null]", "element 1 is null"),
        ]
        for (type, data, expected) in cases {
            let n = data.split(separator: ",").count
            let text = message { try decode(#"{"inputs": [{"name": "x", "shape": [\#(n)], "datatype": "\#(type)", "data": \#(data)}]}"#) }
            #expect(text == "400 input 'x': data must be a nested or flat list of \(type) values; " + expected
                    || (text.hasPrefix("400 input 'x'") && text.contains(expected)), "\(text)")
        }
        let mixed = try decode(#"{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2e0, -0.5], [3.4e38, 0, 1e-50]]}]}"#)
        #expect(mixed.inputs[0].floats() == [1, 2, -0.5, 3.4e38, 0, 0])
        let bools = try decode(#"{"inputs": [{"name": "b", "shape": [3], "datatype": "BOOL", "data": [true, false, true]}]}"#)
        #expect(bools.inputs[0].elements == .fixed([1, 0, 1]))
    }

    /// Issue 19: the element limit stops a request while its JSON is parsed, before memory grows.
    @Test func requestsBeyondTheElementLimitAre413() {
        let many = #"{"inputs": [{"name": "x", "shape": [70000], "datatype": "FP32", "data": ["# + String(repeating: "1,", count: 69_999) + "1]}]}"
        #expect(message { try InferCodec.decodeRequest(Array(many.utf8), headerLength: nil, maximumElements: 1_000) }
                .hasPrefix("413 the request holds more than 66536 JSON values; the server takes at most 1000 tensor elements per request"))
        let shaped = #"{"inputs": [{"name": "x", "shape": [1000, 1000], "datatype": "FP32", "parameters": {"binary_data_size": 4}}]}"#
        #expect(message { try InferCodec.decodeRequest(Array(shaped.utf8) + [0, 0, 0, 0], headerLength: String(shaped.utf8.count), maximumElements: 1_000) }
                == "413 the inputs' shapes hold more than 1000 elements; the server takes at most 1000 tensor elements per request (--max-request-elements)")
        #expect(message { try InferCodec.decodeRequest(Array(many.utf8), headerLength: nil, maximumElements: 70_000) } == "no error")
        // Values that cannot be packed (strings, objects, …) are boxed one by one: a tighter bound.
        let strings = #"{"inputs": [{"name": "s", "shape": [1100000], "datatype": "BYTES", "data": ["# + String(repeating: "\"\",", count: 1_099_999) + "\"\"]}]}"
        #expect(message { try decode(strings) }.hasPrefix("413 the request holds more than 1048576 JSON strings, objects, lists or nulls"))
        let deep = #"{"inputs": [{"name": "x", "shape": ["# + Array(repeating: "1", count: 100).joined(separator: ",") + #"], "datatype": "FP32", "data": [1]}]}"#
        #expect(message { try decode(deep) } == "400 input 'x': shape has 100 dimensions, at most 32 are accepted")
    }
}
