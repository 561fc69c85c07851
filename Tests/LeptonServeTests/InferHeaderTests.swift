import Foundation
import LeptonServe
import Testing

/// The JSON reading and writing of request headers and responses (through the public codec):
/// escapes, number forms, exact 64-bit integers, and syntax errors with their position.
@Suite struct InferHeaderTests {
    func decode(_ json: String) throws -> InferRequest {
        try InferCodec.decodeRequest(Array(json.utf8), headerLength: nil)
    }

    @Test func stringsNumbersAndNestingParse() throws {
        let r = try decode(#" { "id" : "a\"b\\c\u00e9\ud83d\ude00\n" , "inputs" : [ {"name": "x", "shape": [3], "datatype": "FP64", "data": [[-0.5], [1E2, 2.5e-3]]},"#
                           + #"{"name": "u", "shape": [2], "datatype": "UINT64", "data": [18446744073709551615, 1.0]}], "outputs": null} "#)
        #expect(r.id == "a\"b\\cé😀\n")
        #expect(r.inputs[0].typed(Double.self) == [-0.5, 100, 0.0025])
        #expect(r.inputs[1].typed(UInt64.self) == [UInt64.max, 1])
    }

    @Test func syntaxErrorsGiveThePosition() {
        let cases = [
            ("{\"inputs\": [01]}", "may not start with 0"),
            ("{\"inputs\": [1,]}", "unexpected character ']'"),
            ("{\"inputs\" [1]}", "expected ':' after \"inputs\""),
            ("{\"id\": \"abc}", "unterminated string"),
            ("{\"id\": \"\\q\"}", "bad escape '\\q'"),
            ("{} x", "unexpected data after the JSON value"),
            (String(repeating: "[", count: 70), "nested more than 64 levels"),
            ("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"BOOL\", \"data\": [1]}]}", "list of BOOL values; element 0 is 1"),
            ("{\"inputs\": [{\"name\": \"x\", \"shape\": [1.5], \"datatype\": \"FP32\", \"data\": [1]}]}", "shape must be a list of integers"),
            ("{\"id\": 5, \"inputs\": []}", "id must be a string, got a number"),
        ]
        for (json, expected) in cases {
            do {
                _ = try decode(json)
                Issue.record("accepted \(json)")
            } catch {
                #expect("\(error)".contains(expected), "\(json): \(error)")
            }
        }
    }

    @Test func responsesAreValidJSONWithEscapesAndNonFiniteValues() throws {
        let y = V2Tensor(name: "y\"1", floats: [1.5, .nan, -.infinity, 1e-7], shape: [1, 4])
        let b = try V2Tensor(name: "s", datatype: .bytes, shape: [1], elements: .strings([Array("tab\there".utf8)]))
        let (body, _) = try InferCodec.encodeResponse(InferResponse(modelName: "m\\", modelVersion: "1", id: "é", outputs: [(y, false), (b, false)]))
        let object = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
        #expect(object["model_name"] as? String == "m\\" && object["id"] as? String == "é")
        let outputs = object["outputs"] as! [[String: Any]]
        #expect(outputs[0]["name"] as? String == "y\"1")
        let data = outputs[0]["data"] as! [Any]
        #expect(data[0] as? Double == 1.5 && data[1] as? String == "nan" && data[2] as? String == "-inf")
        #expect(abs((data[3] as? Double ?? 0) - 1e-7) < 1e-12)
        #expect(outputs[1]["data"] as? [String] == ["tab\there"])
    }
}
