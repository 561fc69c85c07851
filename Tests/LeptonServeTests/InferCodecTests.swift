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
}
